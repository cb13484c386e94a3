import { randomBytes } from 'node:crypto'
import type { NextFunction, Request, Response } from 'express'
import helmet from 'helmet'
import { verifyOrigin } from '../auth'
import { refuse } from './bad-input'

export function cspNonce(_req: Request, res: Response, next: NextFunction) {
  res.locals.cspNonce = randomBytes(16).toString('base64')
  next()
}

/**
 * Where the browser may connect besides this server: LiveKit's signalling socket and the
 * HTTP address its client asks when a connection fails (same host, http(s) for ws(s)).
 */
export function liveKitConnectSources(liveKitUrl: string | undefined): string[] {
  if (!liveKitUrl) return []
  const url = new URL(liveKitUrl)
  const secure = url.protocol === 'wss:' || url.protocol === 'https:'
  return [`${secure ? 'wss' : 'ws'}://${url.host}`, `${secure ? 'https' : 'http'}://${url.host}`]
}

export function securityHeaders(options: {
  dev: boolean
  secure: boolean
  /** Extra connect-src origins (LiveKit). */
  connectSources?: string[]
  /** Extra media-src origins (recordings served from S3 by a signed link). */
  mediaSources?: string[]
}) {
  return helmet({
    // Vite's dev server injects inline scripts without a nonce; the policy is enforced on builds.
    contentSecurityPolicy: options.dev
      ? false
      : {
          useDefaults: true,
          directives: {
            'script-src': ["'self'", (_req, res) => `'nonce-${(res as Response).locals.cspNonce}'`],
            'style-src': ["'self'", "'unsafe-inline'"],
            'img-src': ["'self'", 'data:', 'blob:'],
            'connect-src': ["'self'", 'ws:', 'wss:', ...(options.connectSources ?? [])],
            'media-src': ["'self'", 'blob:', ...(options.mediaSources ?? [])],
            'upgrade-insecure-requests': options.secure ? [] : null,
          },
        },
    crossOriginEmbedderPolicy: false,
    // With 'no-referrer' (helmet's default) Chromium sends `Origin: null` on plain
    // form posts, which the origin check must refuse; same-origin keeps it exact.
    referrerPolicy: { policy: 'same-origin' },
    strictTransportSecurity: options.secure,
  })
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

const FOREIGN_FORM = 'This form was sent from another site, so Rounds did not accept it. Go back, reload the page and try again.'
const OTHER_ADDRESS =
  'This form reached Rounds under a different address than the page it came from, so Rounds did not accept it. Open Rounds from its usual address, reload the page and try again.'
const FOREIGN_UNSUBSCRIBE = 'This unsubscribe request came from another site, so Rounds did not accept it. Use the unsubscribe link in your email instead.'

/** The host Remix compares a form's Origin with: X-Forwarded-Host's first entry, else Host. */
function hostSeenByRemix(req: Request) {
  const forwarded = req.get('x-forwarded-host')?.split(',')[0]?.trim()
  return forwarded || req.get('host') || ''
}

function hostOf(origin: string | undefined) {
  if (!origin) return null
  try {
    return new URL(origin).host || null
  } catch {
    return null
  }
}

/**
 * Rejects state-changing requests from other sites. Browsers send Origin on
 * every cross-site and same-site POST; a request without one is refused too.
 *
 * An Origin must also name the host the request was sent to: Remix aborts an action whose Origin
 * differs from Host (or X-Forwarded-Host) by throwing, which would be a 500.
 *
 * `tokenPaths` are exempt because a signed token in the address is their only authority
 * (one-click unsubscribe, RFC 8058: mail clients post with no Origin or with their own). A post
 * there from another site must carry the token in the address, as every link Rounds sends does;
 * its Origin is then set aside so Remix's check does not fire.
 */
export function originCheck(options: { allowedHosts: () => string[]; exemptPaths: string[]; tokenPaths?: string[] }) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method) || options.exemptPaths.includes(req.path)) return next()
    const origin = req.get('origin')
    const requestHost = hostSeenByRemix(req)
    if (options.tokenPaths?.includes(req.path)) {
      if (origin === undefined || hostOf(origin) === requestHost) return next()
      if (typeof req.query.token === 'string' && req.query.token !== '') {
        delete req.headers.origin
        return next()
      }
      return refuse(req, res, 403, FOREIGN_UNSUBSCRIBE)
    }
    if (!verifyOrigin(origin ?? req.get('referer'), [...options.allowedHosts(), req.get('host') ?? ''])) {
      return refuse(req, res, 403, FOREIGN_FORM)
    }
    if (origin !== undefined && hostOf(origin) !== requestHost) return refuse(req, res, 403, OTHER_ADDRESS)
    next()
  }
}

/** The largest request body Rounds reads: a 5 MB photo plus the rest of its form. */
export const MAX_BODY_BYTES = 6 * 1024 * 1024

/**
 * Refuses oversized bodies before anything reads them. Browsers always send a
 * Content-Length with forms; a streamed body of unknown size is refused too.
 */
export function bodyLimit(maxBytes: number) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method)) return next()
    const length = req.get('content-length')
    if (length === undefined && req.get('transfer-encoding')) {
      return refuse(req, res, 411, 'Rounds needs to know the size of what you send. Try again from the form.')
    }
    if (Number(length ?? 0) > maxBytes) return refuse(req, res, 413, 'That upload is too large. Photos can be up to 5 MB.')
    next()
  }
}
