import type { AppLoadContext } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { config } from '#server/config'

/**
 * A place on this site to go back to after a form (`redirectTo`), or the fallback. The target is
 * read with the URL API against the public address and must keep its origin. Control characters
 * are refused outright: browsers drop tabs and newlines from a URL before reading it, so
 * `/\t/evil.example/` becomes `//evil.example/` — another site — and a newline cannot go in a
 * `Location` header at all.
 */
export function safeRedirectPath(
  to: FormDataEntryValue | string | null | undefined,
  fallback = '/',
  publicUrl: string = config().publicUrl,
) {
  // eslint-disable-next-line no-control-regex
  if (typeof to !== 'string' || !to.startsWith('/') || /[\u0000-\u001f\u007f]/.test(to)) return fallback
  const origin = new URL(publicUrl).origin
  let target: URL
  try {
    target = new URL(to, origin)
  } catch {
    return fallback
  }
  if (target.origin !== origin) return fallback
  return target.pathname + target.search + target.hash
}

/** The signed-in user, or a redirect to sign in that comes back here afterwards. */
export function requireUser(context: AppLoadContext, request: Request) {
  if (!context.auth) {
    const url = new URL(request.url)
    throw redirect(`/login?redirectTo=${encodeURIComponent(url.pathname + url.search)}`)
  }
  return {
    userId: context.auth.user.id,
    /** The session's stored id (the hash of its cookie's token). */
    sessionId: context.auth.session.id,
    /** The id the devices page names this session by. */
    sessionPublicId: context.auth.session.publicId,
    viewer: context.viewer!,
  }
}

export function requireSignedOut(context: AppLoadContext) {
  if (context.auth) throw redirect('/')
}

export function deviceOf(request: Request, context: AppLoadContext) {
  return { userAgent: request.headers.get('user-agent'), ipAddress: context.clientAddress }
}
