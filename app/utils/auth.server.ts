import type { AppLoadContext } from '@remix-run/node'
import { redirect } from '@remix-run/node'

export function safeRedirectPath(to: FormDataEntryValue | string | null | undefined, fallback = '/') {
  if (typeof to !== 'string' || !to.startsWith('/') || to.startsWith('//') || to.startsWith('/\\')) return fallback
  return to
}

/** The signed-in user, or a redirect to sign in that comes back here afterwards. */
export function requireUser(context: AppLoadContext, request: Request) {
  if (!context.auth) {
    const url = new URL(request.url)
    throw redirect(`/login?redirectTo=${encodeURIComponent(url.pathname + url.search)}`)
  }
  return { userId: context.auth.user.id, sessionId: context.auth.session.id, viewer: context.viewer! }
}

export function requireSignedOut(context: AppLoadContext) {
  if (context.auth) throw redirect('/')
}

export function deviceOf(request: Request, context: AppLoadContext) {
  return { userAgent: request.headers.get('user-agent'), ipAddress: context.clientAddress }
}
