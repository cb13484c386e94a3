import { createServer } from 'node:http'
import path from 'node:path'
import { createRequestHandler } from '@remix-run/express'
import type { ServerBuild } from '@remix-run/node'
import express from 'express'
import { StartupError, closeDatabase, openDatabase, seedAtStart } from '../db/connection'
import { DATABASE_UNAVAILABLE, connectionErrorSummary, databaseStatus, isConnectionError, isDatabaseDown } from '../db/health'
import { demoLogins, demoStaffLogin } from '../db/seed'
import { ConfigError, config } from './config'
import { MAX_BODY_BYTES, bodyLimit, cspNonce, liveKitConnectSources, originCheck, securityHeaders } from './http/security'
import { addressCheck, finishUnreadBodies, formBodyCheck, hostCheck } from './http/bad-input'
import { builtFiles, compressResponses, precompressedFiles } from './http/static-files'
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
import { mountApps } from './apps/index'
import { closeRedis, connectRedis, redisStatus } from './redis'

const dev = process.argv.includes('--dev')

// Until the server is up, a signal stops the database it may have started and exits.
let shutdown = (signal: string) => {
  console.log(`[rounds] ${signal}: stopping before the start finished.`)
  void Promise.all([closeRedis(), closeDatabase()])
    .catch(() => {})
    .finally(() => process.exit(1))
}
process.on('SIGTERM', () => shutdown('SIGTERM'))
process.on('SIGINT', () => shutdown('SIGINT'))

/** The page (or JSON for /healthz-style clients) shown while the database does not answer. */
function unavailable(req: express.Request, res: express.Response) {
  res.status(503).set('Retry-After', '5').set('Cache-Control', 'no-store')
  if (req.accepts(['html', 'json']) === 'json') {
    res.json({ ok: false, error: DATABASE_UNAVAILABLE })
    return
  }
  res
    .type('html')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Temporarily unavailable · Rounds</title></head>` +
        `<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem"><h1>Temporarily unavailable</h1><p>${DATABASE_UNAVAILABLE}</p></body></html>`,
    )
}

async function main() {
  const cfg = config()
  const log = (message: string) => console.log(`[rounds] ${message}`)

  // Redis is not waited for: the node starts without it and uses it once it answers (server/redis.ts).
  if (cfg.REDIS_URL) connectRedis(cfg.REDIS_URL, log, cfg.REDIS_PREFIX)
  const { url } = await openDatabase({
    dataDir: path.resolve(cfg.DATA_DIR, 'postgres'),
    embeddedPort: cfg.EMBEDDED_PG_PORT,
    log,
    monitor: true,
  })
  log(cfg.DATABASE_URL ? 'Connected to the Postgres at DATABASE_URL.' : `Embedded Postgres running (${url.replace(/:[^:@/]+@/, ':***@')}).`)
  const { seeded } = await seedAtStart({ demoData: cfg.SEED_DEMO_DATA, hashPassword })
  if (seeded) log('Added demo clubs, doctors and talks.')
  // Stays and quiz questions left open by a node that stopped are closed at its last heartbeat.
  await startNodeHeartbeat({ tag: cfg.nodeTag, name: cfg.nodeName }, { log })

  const app = express()
  app.disable('x-powered-by')
  app.set('trust proxy', 'loopback')
  const httpServer = createServer(app)
  const allowedHosts = () => [new URL(cfg.publicUrl).host]

  // From the health checks db/client.ts and server/redis.ts run every half second, so it answers at
  // once and is never more than about 1.5 s behind. Redis down is not a reason to take the node out
  // of a load balancer (every node shares it; each keeps serving its own sockets), so only the
  // database decides the status code.
  app.get('/healthz', (_req, res) => {
    const database = databaseStatus()
    res.status(database === 'up' ? 200 : 503).set('Cache-Control', 'no-store').json({ ok: database === 'up', database, redis: redisStatus() })
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
  // Requests Remix could not even build (a Host it cannot read) or whose address holds a NUL;
  // bodies left unread by an early answer are finished without hanging the connection.
  app.use(hostCheck(), addressCheck(), finishUnreadBodies())
  // Pages and JSON compressed as sent; built assets from their precompressed copies (below).
  app.use(compressResponses())
  app.use('/uploads', express.static(uploadsDir(), { immutable: true, maxAge: '365d', fallthrough: false }))
  // Third-party apps: the authorisation server (/oauth) and the API (/api/v1), docs/apps.md.
  mountApps(app, { publicUrl: cfg.publicUrl, secret: cfg.secret, secure: cfg.secureCookies })

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
    app.use('/assets', precompressedFiles(path.join(buildDir, 'client/assets'), { immutable: true, maxAge: '1y' }))
    // build/client holds the hashed assets and a copy of public/.
    app.use(builtFiles(path.join(buildDir, 'client'), { maxAge: '1h' }))
    const serverBuild = (await import(path.join(buildDir, 'server/index.js'))) as ServerBuild
    build = serverBuild
  }

  app.use(bodyLimit(MAX_BODY_BYTES))
  app.use(originCheck({ allowedHosts, exemptPaths: ['/livekit/webhook'], tokenPaths: ['/unsubscribe'] }))
  app.use(formBodyCheck({ exemptPaths: ['/livekit/webhook'] }))
  // While the database is known to be down, answer at once instead of waiting for a connection.
  app.use((req, res, next) => (isDatabaseDown() ? unavailable(req, res) : next()))
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
  // The database went away during the request (before the health check noticed): say so, not 500.
  app.use((error: unknown, req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (isConnectionError(error) && !res.headersSent) {
      log(`${req.method} ${req.path} answered 503: the database connection failed (${connectionErrorSummary(error)}).`)
      unavailable(req, res)
    } else next(error)
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
    log(`  ${demoStaffLogin.email} (staff: the consoles at /staff)`)
  }
  if (cfg.devMailbox) log(`Emails are not sent: read them at ${cfg.publicUrl}/dev/mailbox`)

  let stopping = false
  shutdown = (signal: string) => {
    if (stopping) return
    stopping = true
    log(`${signal}: finishing open requests and shutting down…`)
    const force = setTimeout(() => {
      log('Shutdown took too long; exiting.')
      // An embedded Postgres still running is sent a fast shutdown on exit (db/client.ts).
      void Promise.race([closeDatabase(), new Promise((resolve) => setTimeout(resolve, 5000))]).finally(() => process.exit(1))
    }, 15_000)
    force.unref()
    // Stop accepting, let in-flight requests finish, close sockets in every namespace (the live
    // room writes what it still holds), then jobs and search, and the database last: nothing that
    // is still running may find it gone.
    const requestsDone = new Promise<void>((resolve) => httpServer.close(() => resolve()))
    // A kept-alive connection whose request was in flight when the signal came closes once it is idle.
    const idleCloser = setInterval(() => httpServer.closeIdleConnections(), 100)
    httpServer.closeIdleConnections()
    const realtimeClosed = closeRealtime().catch((error: unknown) => console.error('[rounds] Closing live connections failed:', error))
    void (async () => {
      await Promise.all([requestsDone, realtimeClosed])
      clearInterval(idleCloser)
      await closeVite?.()
      await stopJobs().catch((error: unknown) => console.error('[rounds] Stopping jobs failed:', error))
      await searchIndexing.stop().catch((error: unknown) => console.error('[rounds] Stopping search indexing failed:', error))
      await closeRedis()
      await closeDatabase()
      log('Stopped cleanly.')
      process.exit(0)
    })()
  }
}

main().catch(async (error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message)
  else if (error instanceof StartupError) console.error(`[rounds] Could not start: ${error.message}`)
  else console.error('[rounds] Could not start:', error instanceof Error ? error : String(error))
  await closeRedis().catch(() => {})
  await closeDatabase().catch(() => {})
  process.exit(1)
})
