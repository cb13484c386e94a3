import express, { type NextFunction, type Request, type Response } from 'express'
import { RateLimiterRes } from 'rate-limiter-flexible'
import { z } from 'zod'
import { scopesAllow, type AppScope } from '../../db/access/apps'
import { apiCaller, type ApiCaller } from '../../db/apps/authorisations'
import { approximatePlace } from '../geoip'
import { apiMe, apiMyCertificates, apiMyClubs, apiMyTalks, apiPerson, apiRsvp } from '../../db/apps/api-reads'
import { PublicError } from '../../db/errors'
import { config } from '../config'
import { sharedLimiter, type SharedLimiter } from '../redis'
import { openApiDocument } from './openapi'
import { appsProvider } from './provider'

/*
 * The REST API apps call with a member's access token (docs/apps.md). Every read goes through
 * the db/ functions the pages use, with the member as the viewer, narrowed by the token's scopes.
 */

export const API_PATH = '/api/v1'

// Per app (all its members together) and per member (all their apps together), a minute each.
let limiters: { perApp: SharedLimiter; perMember: SharedLimiter } | undefined
function apiLimiters() {
  limiters ??= {
    perApp: sharedLimiter({ keyPrefix: 'api:app', points: config().API_RATE_PER_APP, duration: 60 }),
    perMember: sharedLimiter({ keyPrefix: 'api:member', points: config().API_RATE_PER_MEMBER, duration: 60 }),
  }
  return limiters
}

type Locals = { caller: ApiCaller }

function problem(res: Response, status: number, error: string, message: string, headers: Record<string, string> = {}) {
  res.status(status).set({ 'Cache-Control': 'no-store', ...headers }).json({ error, message })
}

/** Reads the bearer token, checks it is live and its app and member still allow it, then spends a try. */
function authenticate() {
  return (req: Request, res: Response, next: NextFunction) => {
    void (async () => {
      const header = req.get('authorization') ?? ''
      const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header)
      const challenge = { 'WWW-Authenticate': 'Bearer realm="rounds", error="invalid_token"' }
      if (!match) return problem(res, 401, 'invalid_token', 'Send an access token: Authorization: Bearer <token>.', { 'WWW-Authenticate': 'Bearer realm="rounds"' })
      const token = await appsProvider().AccessToken.find(match[1])
      if (!token || token.isExpired || !token.accountId || !token.clientId)
        return problem(res, 401, 'invalid_token', 'This access token is expired, revoked or unknown.', challenge)
      const caller = await apiCaller(token.clientId, token.accountId, (token.scope ?? '').split(' ').filter(Boolean), { place: await approximatePlace(req.ip) })
      if (!caller) return problem(res, 401, 'invalid_token', 'This access token is no longer allowed: the member revoked it or the app was suspended.', challenge)
      try {
        const { perApp, perMember } = apiLimiters()
        await perApp.consume(caller.app.id)
        await perMember.consume(caller.viewer.userId)
      } catch (result) {
        if (result instanceof RateLimiterRes) {
          return problem(res, 429, 'rate_limited', 'Too many requests. Slow down and try again shortly.', { 'Retry-After': String(Math.max(1, Math.ceil(result.msBeforeNext / 1000))) })
        }
        throw result
      }
      ;(res.locals as Locals).caller = caller
      next()
    })().catch(next)
  }
}

function needs(...scopes: AppScope[]) {
  return (_req: Request, res: Response, next: NextFunction) => {
    const { caller } = res.locals as Locals
    if (scopesAllow(caller.scopes, scopes)) return next()
    problem(res, 403, 'insufficient_scope', `This call needs the member’s permission for: ${scopes.join(', ')}.`, {
      'WWW-Authenticate': `Bearer realm="rounds", error="insufficient_scope", scope="${scopes.join(' ')}"`,
    })
  }
}

type Handler = (caller: ApiCaller, req: Request) => Promise<unknown>

/** Answers with the handler's JSON (the db/apps read logs itself for the member to see). */
function read(handler: Handler) {
  return (req: Request, res: Response, next: NextFunction) => {
    const { caller } = res.locals as Locals
    handler(caller, req)
      .then((body) => {
        if (body === null) return problem(res, 404, 'not_found', 'Nothing here, or nothing this member may see.')
        res.set('Cache-Control', 'no-store').json(body)
      })
      .catch(next)
  }
}

const rsvpBody = z.object({ going: z.boolean() }).strict()
const handleParam = z.string().regex(/^@?[a-z0-9_.-]{1,40}$/i)

export function apiRouter() {
  const router = express.Router()
  router.get('/openapi.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(openApiDocument())
  })
  router.use(authenticate())
  router.get('/me', read((caller) => apiMe(caller)))
  router.get('/me/talks', needs('talks:read'), read((caller) => apiMyTalks(caller)))
  router.get('/me/certificates', needs('certificates:read'), read((caller) => apiMyCertificates(caller)))
  router.get('/me/clubs', needs('clubs:read'), read((caller) => apiMyClubs(caller)))
  router.get(
    '/people/:handle',
    needs('profile'),
    read(async (caller, req) => {
      const handle = handleParam.safeParse(req.params.handle)
      return handle.success ? apiPerson(caller, handle.data.replace(/^@/, '')) : null
    }),
  )
  router.post('/talks/:id/rsvp', needs('rsvp:write'), express.json({ limit: '1kb' }), (req, res, next) => {
    const { caller } = res.locals as Locals
    const body = rsvpBody.safeParse(req.body)
    if (!body.success) return problem(res, 400, 'invalid_request', 'Send JSON: {"going": true} or {"going": false}.')
    apiRsvp(caller, String(req.params.id), body.data.going)
      .then((result) => res.set('Cache-Control', 'no-store').json(result))
      .catch(next)
  })
  router.use((_req, res) => problem(res, 404, 'not_found', 'There is no such API call. See /api/v1/openapi.json.'))
  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error)
    if (error instanceof PublicError) return problem(res, error.status, error.status === 404 ? 'not_found' : 'invalid_request', error.message)
    if ((error as { type?: string }).type === 'entity.parse.failed') return problem(res, 400, 'invalid_request', 'The body is not valid JSON.')
    if ((error as { type?: string }).type === 'entity.too.large') return problem(res, 413, 'invalid_request', 'The body is too large.')
    next(error)
  })
  return router
}
