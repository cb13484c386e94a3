import type { Express, NextFunction, Request, Response } from 'express'
import { isAppScope } from '../../db/access/apps'
import { redirectUrisOf } from '../../db/apps/registry'
import { API_PATH, apiRouter } from './api'
import { OAUTH_PATH, appsProvider, type AppsSettings } from './provider'

/**
 * A scope Rounds does not offer goes back to the app as `invalid_scope` (RFC 6749 §4.1.2.1);
 * oidc-provider would drop it silently. Only once the client and redirect URI are known good:
 * otherwise the authorisation server answers with its own error page.
 */
function refuseUnknownScopes(settings: AppsSettings) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.path !== '/auth' || req.method !== 'GET') return next()
    const { scope, client_id: clientId, redirect_uri: redirectUri, state } = req.query
    if (typeof scope !== 'string' || typeof clientId !== 'string' || typeof redirectUri !== 'string') return next()
    const unknown = scope.split(' ').filter((s) => s && !isAppScope(s))
    if (unknown.length === 0) return next()
    redirectUrisOf(clientId)
      .then((uris) => {
        if (!uris?.includes(redirectUri)) return next()
        const target = new URL(redirectUri)
        target.searchParams.set('error', 'invalid_scope')
        target.searchParams.set('error_description', `Rounds offers no permission called ${unknown[0].slice(0, 40)}.`)
        if (typeof state === 'string') target.searchParams.set('state', state)
        target.searchParams.set('iss', `${settings.publicUrl}${OAUTH_PATH}`)
        res.redirect(303, target.href)
      })
      .catch(next)
  }
}

/**
 * Third-party apps (docs/apps.md): the authorisation server at /oauth and the API at /api/v1.
 * Mounted before the page middleware: both answer machines with their own errors, and the
 * API's callers authenticate with bearer tokens, not cookies.
 */
export function mountApps(app: Express, settings: AppsSettings) {
  const handle = appsProvider(settings).callback()
  app.use(OAUTH_PATH, refuseUnknownScopes(settings), (req, res, next) => {
    // The consent page is a Remix route under the same prefix.
    if (req.path.startsWith('/consent/')) return next()
    void handle(req, res)
  })
  app.use(API_PATH, apiRouter())
}
