import type { NextFunction, Request, Response } from 'express'

// What Rounds answers to requests no page of it could have sent. Each answer is a 4xx with a
// sentence a person can act on; none reaches Remix or the database.

export const UNUSUAL_CHARACTER = 'Remove the unusual character from what you typed and try again.'
export const UNUSUAL_CHARACTER_IN_ADDRESS = 'Remove the unusual character from the address and try again.'
export const NOT_A_FORM = 'Rounds only accepts forms here. Go back, reload the page and send the form again.'
export const UNREADABLE_FORM = 'This form could not be read. Reload the page and try again.'

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
export const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data'])

/** The media type of a Content-Type header, lower case, without its parameters; '' when absent. */
export function mediaType(contentType: string | null | undefined) {
  return (contentType ?? '').split(';')[0].trim().toLowerCase()
}

/** `multipart/form-data` needs a boundary to be read at all. */
export function hasBoundary(contentType: string | null | undefined) {
  return /;\s*boundary=("?)[^";]+\1\s*(;|$)/i.test(contentType ?? '')
}

const lingering = new WeakSet<Request>()

/** What is read (and thrown away) of a refused body before its connection is closed. */
const LINGER_BYTES = 1024 * 1024
const LINGER_MS = 1000

/**
 * After answering a request whose body is still coming, reads a little more of it and then
 * closes the connection. Node would otherwise read the whole body to reuse the connection (a
 * refused 100 MB upload would cost 100 MB); closing at once would reset the connection before the
 * client had read the answer. This is the "lingering close" of Apache and nginx.
 */
export function closeAfterAnswer(req: Request, res: Response) {
  if (req.complete || lingering.has(req)) return
  lingering.add(req)
  // Before Node's own 'finish' handler, which would otherwise start discarding the whole body
  // where this cannot count it.
  res.prependOnceListener('finish', () => {
    if (req.complete) return
    let discarded = 0
    const close = () => {
      clearTimeout(timer)
      req.socket.destroy()
    }
    const timer = setTimeout(close, LINGER_MS)
    timer.unref()
    // Whoever was reading the body (Remix's stream, which pauses it when nobody asks for more)
    // is done with it: only the discarding below may keep it flowing.
    req.removeAllListeners('data')
    req.on('data', (chunk: Buffer) => {
      discarded += chunk.byteLength
      // Stop reading, but close only when the timer fires: closing with unread bytes resets the
      // connection, and a reset can take the answer with it before the client has read it.
      if (discarded > LINGER_BYTES) req.pause()
    })
    req.once('end', () => clearTimeout(timer))
    req.resume()
  })
}

/**
 * Every answer sent before its request's body was read — a redirect to sign in, a refused form —
 * ends that way. Remix stops reading a body nobody asks for, so without this the connection would
 * hang until its keep-alive timeout and then be reset.
 */
export function finishUnreadBodies() {
  return (req: Request, res: Response, next: NextFunction) => {
    closeAfterAnswer(req, res)
    next()
  }
}

/** Answers a request without reading its body; `/api/` answers are JSON like the rest of the API. */
export function refuse(req: Request, res: Response, status: number, message: string) {
  closeAfterAnswer(req, res)
  if (req.path.startsWith('/api/')) {
    res.status(status).json({ ok: false, error: message })
    return
  }
  res.status(status).type('text/plain').send(message)
}

/**
 * A NUL anywhere in the address (path or query string, raw or %-escaped): Postgres cannot store
 * it in text, so `/search?q=%00` or `/u/%00` would end as a database error.
 */
export function addressCheck() {
  return (req: Request, res: Response, next: NextFunction) => {
    const url = req.originalUrl
    if (url.includes('\0') || /%00/i.test(url)) return refuse(req, res, 400, UNUSUAL_CHARACTER_IN_ADDRESS)
    next()
  }
}

/**
 * Requests to Remix that could not build a URL from their Host (Remix's adapter would throw).
 */
export function hostCheck() {
  return (req: Request, res: Response, next: NextFunction) => {
    const host = req.get('host')
    if (host !== undefined && !validHost(host)) return refuse(req, res, 400, 'This request names a server address Rounds cannot read.')
    const forwarded = req.get('x-forwarded-host')
    if (forwarded !== undefined && !validHost(forwarded.split(',')[0].trim())) {
      return refuse(req, res, 400, 'This request names a server address Rounds cannot read.')
    }
    next()
  }
}

function validHost(host: string) {
  if (host === '' || /[\s/\\?#@]/.test(host)) return false
  try {
    return new URL(`http://${host}`).host !== ''
  } catch {
    return false
  }
}

/**
 * Every page's action reads a form. Anything else — no body, JSON, plain text, a multipart body
 * without its boundary — is refused here with a 415 or 400 instead of failing inside the action.
 */
export function formBodyCheck(options: { exemptPaths: string[] }) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!BODY_METHODS.has(req.method) || options.exemptPaths.some((p) => req.path === p || req.path.startsWith(`${p}/`))) {
      return next()
    }
    const contentType = req.get('content-type')
    const type = mediaType(contentType)
    if (!FORM_TYPES.has(type)) return refuse(req, res, 415, NOT_A_FORM)
    if (type === 'multipart/form-data' && !hasBoundary(contentType)) return refuse(req, res, 400, UNREADABLE_FORM)
    next()
  }
}
