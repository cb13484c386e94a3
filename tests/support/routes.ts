import type { ActionFunctionArgs, AppLoadContext, LoaderFunctionArgs } from '@remix-run/node'
import { startSession, validateSessionId, type ValidatedSession } from '../../server/auth'
import { toViewer } from '../../server/http/session'
import { createLiveMedia } from '../../server/livekit/media'

// Calls a Remix route module's loader or action directly, the way the Express
// adapter would, with a real Request and a load context shaped like app/context.ts.

type RouteModule = {
  loader?: (args: LoaderFunctionArgs) => unknown
  action?: (args: ActionFunctionArgs) => unknown
}

export type FormInput = Record<string, string | Blob> | FormData

export type CallOptions = {
  /** A path such as '/signup?x=1', or a full URL. */
  url?: string
  params?: Record<string, string>
  /** Sent url-encoded, or as multipart when it is a FormData or holds a Blob. */
  form?: FormInput
  /** A raw body, with its content type in `headers`; for input a form cannot carry. */
  body?: BodyInit
  headers?: Record<string, string>
  /** The signed-in person, from `signIn()`; null or absent for a visitor. */
  auth?: ValidatedSession | null
  /** The address rate limits count by; use `nextClientAddress()` per test. */
  clientAddress?: string | null
}

export type RouteResult = {
  status: number
  headers: Headers
  /** Where a redirect points, or null. */
  location: string | null
  /** The Set-Cookie header, or null. */
  setCookie: string | null
  /** True when the route threw the Response (redirects, 404s) rather than returning it. */
  thrown: boolean
  /** The parsed JSON body, the text body, or the plain value a route returned. */
  data: unknown
}

const ORIGIN = 'http://localhost:3000'

let addressCounter = 0
/** A client address no other test in this file uses, so rate limits do not leak between tests. */
export function nextClientAddress() {
  addressCounter++
  return `10.${process.pid % 250}.${Math.floor(addressCounter / 250)}.${addressCounter % 250}`
}

export function loadContext(auth: ValidatedSession | null, clientAddress: string | null): AppLoadContext {
  return {
    viewer: toViewer(auth),
    auth,
    cspNonce: 'test-nonce',
    clientAddress,
    devMailbox: true,
    media: createLiveMedia(null),
    publicUrl: 'http://localhost:3000',
  }
}

function toBody(form: FormInput): URLSearchParams | FormData {
  if (form instanceof FormData) return form
  const values = Object.values(form)
  if (values.some((v) => v instanceof Blob)) {
    const data = new FormData()
    for (const [key, value] of Object.entries(form)) data.append(key, value)
    return data
  }
  return new URLSearchParams(form as Record<string, string>)
}

export function buildRequest(method: 'GET' | 'POST', options: CallOptions): Request {
  const url = new URL(options.url ?? '/', ORIGIN)
  const body = options.body ?? (options.form ? toBody(options.form) : undefined)
  return new Request(url, {
    method,
    headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0 vitest', ...options.headers },
    body: method === 'POST' ? body : undefined,
  })
}

async function settle(run: () => unknown): Promise<RouteResult> {
  let value: unknown
  let thrown = false
  try {
    value = await run()
  } catch (error) {
    if (!(error instanceof Response)) throw error
    value = error
    thrown = true
  }
  if (!(value instanceof Response)) {
    return { status: 200, headers: new Headers(), location: null, setCookie: null, thrown, data: value }
  }
  const text = await value.text()
  const isJson = value.headers.get('content-type')?.includes('application/json')
  return {
    status: value.status,
    headers: value.headers,
    location: value.headers.get('location'),
    setCookie: value.headers.get('set-cookie'),
    thrown,
    data: isJson && text ? (JSON.parse(text) as unknown) : text,
  }
}

function args(method: 'GET' | 'POST', options: CallOptions) {
  return {
    request: buildRequest(method, options),
    params: options.params ?? {},
    context: loadContext(options.auth ?? null, options.clientAddress === undefined ? nextClientAddress() : options.clientAddress),
  }
}

export function callLoader(route: RouteModule, options: CallOptions = {}) {
  if (!route.loader) throw new Error('This route has no loader.')
  const loader = route.loader
  return settle(() => loader(args('GET', options)))
}

export function callAction(route: RouteModule, options: CallOptions = {}) {
  if (!route.action) throw new Error('This route has no action.')
  const action = route.action
  return settle(() => action(args('POST', options)))
}

export type SignedIn = ValidatedSession & { cookie: string; sessionId: string }

/** A real session for the user, as the login route would start it, already validated. */
export async function signIn(userId: string, device: { userAgent?: string; ipAddress?: string } = {}): Promise<SignedIn> {
  const { session, cookie } = await startSession(userId, {
    userAgent: device.userAgent ?? 'Mozilla/5.0 (Macintosh; Mac OS X 14_5) Firefox/128.0',
    ipAddress: device.ipAddress ?? '10.0.0.1',
  })
  const auth = await validateSessionId(session.id)
  if (!auth) throw new Error('A session that was just started did not validate.')
  return { ...auth, cookie: cookiePair(cookie), sessionId: session.id }
}

/** The `name=value` part of a Set-Cookie header, as a browser would send it back. */
export function cookiePair(setCookie: string) {
  return setCookie.split(';')[0].trim()
}

/** The error messages a conform reply (or a wrapper holding one in `result`) gives for a field. */
export function fieldErrors(data: unknown, field: string): string[] {
  const reply = (data as { result?: unknown })?.result ?? data
  const errors = (reply as { error?: Record<string, string[] | null> } | null)?.error ?? {}
  return errors[field] ?? []
}

/** The form-level messages of a conform reply. */
export function formErrors(data: unknown): string[] {
  return fieldErrors(data, '')
}
