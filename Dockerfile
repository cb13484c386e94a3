# The Rounds app for docker-compose.yml: built once, served by scripts/start.mjs (what `npm start`
# runs) as the first process, so `docker stop`'s SIGTERM reaches it and it stops the server cleanly.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci applies patches/ (patch-package) as it installs.
COPY patches ./patches
RUN npm ci
COPY . .
RUN npm run build
ENV NODE_ENV=production PORT=3000 DATA_DIR=/app/.data
EXPOSE 3000
CMD ["node", "scripts/start.mjs"]
