import { createServer } from 'node:http'
import path from 'node:path'
import { createRequestHandler } from '@remix-run/express'
import type { ServerBuild } from '@remix-run/node'
import express from 'express'
import { closeDatabase, openDatabase, rawSql } from '../db/client'
import { seedDemoData, seedPolicyVersions, demoLogins, demoStaffLogin } from '../db/seed'
import { db } from '../db/client'
import { ConfigError, config } from './config'
import { MAX_BODY_BYTES, bodyLimit, cspNonce, liveKitConnectSources, originCheck, securityHeaders } from './http/security'
import { builtFiles } from './http/static-files'
import { sessionMiddleware, toViewer } from './http/session'
import { startJobs, stopJobs } from './jobs/index'
import { hashPassword } from './passwords'
import { startSearchIndexing } from './search/index'
import { attachRealtime, closeRealtime, notifyRecordingChange } from './realtime/index'
import { startNodeHeartbeat } from './realtime/heartbeat'
import { liveKitWebhookRoute } from './livekit/webhooks'
import { liveKitSettings } from './livekit/tokens'
import { createLiveMedia, recordingOutput } from './livekit/media'
import { awsS3Host, recordingFileRoute } from './livekit/recording-files'
import { uploadsDir } from './uploads'

const dev = process.argv.includes('--dev')

async function main() {
  const cfg = config()
  const log = (message: string) => console.log(`[rounds] ${message}`)

  const { url } = await openDatabase({
    dataDir: path.resolve(cfg.DATA_DIR, 'postgres'),
    embeddedPort: cfg.EMBEDDED_PG_PORT,
  })
  log(cfg.DATABASE_URL ? 'Connected to the Postgres at DATABASE_URL.' : `Embedded Postgres running (${url.replace(/:[^:@/]+@/, ':***@')}).`)
  await seedPolicyVersions(db)
  if (cfg.SEED_DEMO_DATA) {
    const { seeded } = await seedDemoData(db, { hashPassword })
    if (seeded) log('Added demo clubs, doctors and talks.')
  }
  // Stays and quiz questions left open by a node that stopped are closed at its last heartbeat.
  await startNodeHeartbeat({ tag: cfg.nodeTag, name: cfg.nodeName }, { log })

  const app = express()
  app.disable('x-powered-by')
  app.set('trust proxy', 'loopback')
  const httpServer = createServer(app)
  const allowedHosts = () => [new URL(cfg.publicUrl).host]

  app.get('/healthz', (_req, res) => {
    rawSql()`select 1`
      .then(() => res.json({ ok: true, database: 'up' }))
      .catch(() => res.status(503).json({ ok: false, database: 'down' }))
  })

  // Before the body limit and origin check: LiveKit signs the raw body (server/livekit/webhooks.ts).
  const recordings = recordingOutput(cfg)
  // One LiveKit client for the webhooks, the live room and the pages (it holds no per-request state).
  const settings = liveKitSettings(cfg)
  const media = createLiveMedia(settings, recordings)
  app.post('/livekit/webhook', ...liveKitWebhookRoute({ settings, log, media, onRecordingChange: notifyRecordingChange }))

  app.use(cspNonce)
  app.use(
    securityHeaders({
      dev,
      secure: cfg.secureCookies,
      connectSources: liveKitConnectSources(cfg.LIVEKIT_URL),
      // Recordings on AWS S3 play from a signed link there; other stores are relayed by this server.
      mediaSources: recordings.s3 && !recordings.s3.endpoint ? [`https://${awsS3Host(recordings.s3)}`] : [],
    }),
  )
  app.use('/uploads', express.static(uploadsDir(), { immutable: true, maxAge: '365d', fallthrough: false }))

  // In development a function, so each request sees the latest modules; in production the build
  // itself, so Remix prepares its routes once instead of on every request.
  let build: ServerBuild | (() => Promise<ServerBuild>)
  let closeVite: (() => Promise<void>) | undefined
  if (dev) {
    const vite = await import('vite').then((v) =>
      v.createServer({ server: { middlewareMode: true } }),
    )
    app.use(vite.middlewares)
    build = () => vite.ssrLoadModule('virtual:remix/server-build') as Promise<ServerBuild>
    closeVite = () => vite.close()
  } else {
    const buildDir = path.resolve('build')
    app.use('/assets', express.static(path.join(buildDir, 'client/assets'), { immutable: true, maxAge: '1y' }))
    // build/client holds the hashed assets and a copy of public/.
    app.use(builtFiles(path.join(buildDir, 'client'), { maxAge: '1h' }))
    const serverBuild = (await import(path.join(buildDir, 'server/index.js'))) as ServerBuild
    build = serverBuild
  }

  app.use(originCheck({ allowedHosts, exemptPaths: ['/livekit/webhook', '/unsubscribe'] }))
  app.use(bodyLimit(MAX_BODY_BYTES))
  app.use(sessionMiddleware())
  // Recordings the viewer may watch (db/recordings.ts decides): a local file, or a signed S3 URL.
  app.get('/recordings/:id/file', recordingFileRoute(recordings))
  const remixHandler = createRequestHandler({
    build,
    mode: dev ? 'development' : 'production',
    getLoadContext: (req, res) => ({
      viewer: toViewer(res.locals.auth ?? null),
      auth: res.locals.auth ?? null,
      cspNonce: res.locals.cspNonce as string,
      clientAddress: req.ip ?? null,
      devMailbox: cfg.devMailbox,
      media,
      publicUrl: cfg.publicUrl,
    }),
  })
  app.all('*', (req, res, next) => {
    remixHandler(req, res, next).catch(next)
  })

  await attachRealtime(httpServer, { allowedHosts, redisUrl: cfg.REDIS_URL, media })
  // Exports, erasures and their mails (docs/decisions/007-jobs.md).
  startJobs()
  // The search outbox: feeds Meilisearch when configured (docs/decisions/006-search-outbox.md).
  const searchIndexing = await startSearchIndexing({ log })

  await new Promise<void>((resolve) => httpServer.listen(cfg.PORT, cfg.HOST, resolve))
  log(`Rounds is running at ${cfg.publicUrl}`)
  if (cfg.SEED_DEMO_DATA && !cfg.isProduction) {
    log(`Demo logins (password ${demoLogins[0].password}):`)
    for (const login of demoLogins) log(`  ${login.email}`)
    log(`  ${demoStaffLogin.email} (staff: privacy officer console at /staff/privacy)`)
  }
  if (cfg.devMailbox) log(`Emails are not sent: read them at ${cfg.publicUrl}/dev/mailbox`)

  let stopping = false
  const shutdown = (signal: string) => {
    if (stopping) return
    stopping = true
    log(`${signal}: finishing open requests and shutting down…`)
    const force = setTimeout(() => {
      log('Shutdown took too long; exiting.')
      process.exit(1)
    }, 15_000)
    force.unref()
    // Stop accepting, let in-flight requests finish, close sockets in every namespace (the live
    // room writes what it still holds), then the database.
    httpServer.close(() => {
      void (async () => {
        await realtimeClosed
        await closeVite?.()
        await stopJobs().catch((error: unknown) => console.error('[rounds] Stopping jobs failed:', error))
        await searchIndexing.stop().catch((error: unknown) => console.error('[rounds] Stopping search indexing failed:', error))
        await closeDatabase()
        log('Stopped cleanly.')
        process.exit(0)
      })()
    })
    httpServer.closeIdleConnections()
    const realtimeClosed = closeRealtime().catch((error: unknown) => console.error('[rounds] Closing live connections failed:', error))
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
}

main().catch(async (error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message)
  else console.error('[rounds] Could not start:', error)
  await closeDatabase().catch(() => {})
  process.exit(1)
})
