import { randomBytes } from 'node:crypto'
import type { NextFunction, Request, Response } from 'express'
import helmet from 'helmet'
import { verifyOrigin } from '../auth'

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

/**
 * Rejects state-changing requests from other sites. Browsers send Origin on
 * every cross-site and same-site POST; a request without one is refused too.
 */
export function originCheck(options: { allowedHosts: () => string[]; exemptPaths: string[] }) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method) || options.exemptPaths.includes(req.path)) return next()
    const origin = req.get('origin') ?? req.get('referer')
    if (verifyOrigin(origin, [...options.allowedHosts(), req.get('host') ?? ''])) return next()
    res
      .status(403)
      .type('text/plain')
      .send('This form was sent from another site, so Rounds did not accept it. Go back, reload the page and try again.')
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
      res.status(411).type('text/plain').send('Rounds needs to know the size of what you send. Try again from the form.')
      return
    }
    if (Number(length ?? 0) > maxBytes) {
      res.status(413).type('text/plain').send('That upload is too large. Photos can be up to 5 MB.')
      return
    }
    next()
  }
}
