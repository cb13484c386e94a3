# The Rounds app for docker-compose.yml: built once, served by `npm start` (server/index.ts).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build
ENV NODE_ENV=production PORT=3000 DATA_DIR=/app/.data
EXPOSE 3000
CMD ["npm", "start"]
