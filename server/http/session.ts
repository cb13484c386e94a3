import type { NextFunction, Request, Response } from 'express'
import type { Viewer } from '../../db/viewer'
import { validateCookieHeader, type ValidatedSession } from '../auth'

export type RequestAuth = {
  viewer: Viewer
  auth: ValidatedSession | null
}

/** Reads the session once per request; refreshes the cookie when the session slid forward. */
export function sessionMiddleware() {
  return (req: Request, res: Response, next: NextFunction) => {
    validateCookieHeader(req.get('cookie'))
      .then((auth) => {
        if (auth?.refreshCookie) res.append('Set-Cookie', auth.refreshCookie)
        res.locals.auth = auth
        next()
      })
      .catch(next)
  }
}

export function toViewer(auth: ValidatedSession | null): Viewer {
  return auth ? { userId: auth.user.id, role: auth.user.role } : null
}
