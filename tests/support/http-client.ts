import { io as connectSocket } from 'socket.io-client'

// Talks to a running server (tests/support/app-server.ts) the way a browser would:
// real requests, the session cookie carried by hand, Remix loader data over `?_data=`.

export type HttpPage = {
  status: number
  headers: Headers
  text: string
}

/** Signs in through the login form and returns the `rounds_session=…` pair to send back. */
export async function signInOverHttp(baseUrl: string, email: string, password: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    body: new URLSearchParams({ email, password, redirectTo: '/' }),
    // The origin check refuses a form post that does not say where it came from.
    headers: { ...headers, origin: baseUrl },
    redirect: 'manual',
  })
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0].trim())
    .find((c) => c.startsWith('rounds_session='))
  if (res.status !== 302 || !cookie) {
    throw new Error(`Signing in as ${email} answered ${res.status}: ${(await res.text()).slice(0, 300)}`)
  }
  return cookie
}

/** A visitor (cookie null) or a signed-in doctor, fetching pages without following redirects. */
export function httpClient(baseUrl: string, cookie: string | null) {
  async function get(path: string): Promise<HttpPage> {
    const res = await fetch(new URL(path, baseUrl), { headers: cookie ? { cookie } : {}, redirect: 'manual' })
    return { status: res.status, headers: res.headers, text: await res.text() }
  }
  return {
    get,
    /** One route's loader response, as Remix's client fetches it: `path?_data=routeId`. */
    loaderData(path: string, routeId: string) {
      const url = new URL(path, baseUrl)
      url.searchParams.set('_data', routeId)
      return get(url.pathname + url.search)
    },
  }
}

export type RoomEntry = { connected: false; error: string } | { connected: true; ack: unknown }

/** Opens a socket as the cookie's owner and asks to enter a club's live room. */
export async function enterClubRoom(baseUrl: string, cookie: string | null, clubId: string): Promise<RoomEntry> {
  const socket = connectSocket(baseUrl, {
    transports: ['websocket'],
    extraHeaders: { ...(cookie ? { cookie } : {}), origin: baseUrl },
    reconnection: false,
    forceNew: true,
    timeout: 5000,
  })
  try {
    const connected = await new Promise<{ ok: true } | { ok: false; error: string }>((resolve) => {
      socket.once('connect', () => resolve({ ok: true }))
      socket.once('connect_error', (error) => resolve({ ok: false, error: error.message }))
    })
    if (!connected.ok) return { connected: false, error: connected.error }
    const ack: unknown = await socket.timeout(5000).emitWithAck('club:enter', { clubId })
    return { connected: true, ack }
  } finally {
    socket.close()
  }
}
