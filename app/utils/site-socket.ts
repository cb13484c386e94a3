import { io, type Socket } from 'socket.io-client'
import type { AckOf, PayloadOf, SiteServerEvents, clubEvents } from '~/live/protocol'

/*
 * The site's own socket (the default namespace): one per tab, shared by whatever listens on it
 * (the header's bell, a club page), opened on first use and kept for the tab's life. Parts of the
 * page add and remove their listeners; none of them closes it for the others.
 */

type ClubEvents = typeof clubEvents
/** What a page sends on it: each event is checked on the server by its schema. */
type SiteClientEmits = { [E in keyof ClubEvents]: (payload: PayloadOf<ClubEvents, E>, ack: (ack: AckOf<ClubEvents, E>) => void) => void }

export type SiteSocket = Socket<SiteServerEvents, SiteClientEmits>

let socket: SiteSocket | null = null

export function siteSocket(): SiteSocket {
  // A connection of its own (forceNew), so the live room's keeps its own settings and life.
  socket ??= io({ withCredentials: true, transports: ['websocket', 'polling'], autoConnect: false, forceNew: true })
  // After the server closed it (signed out, session ended), a later page asks for it afresh.
  if (!socket.active) socket.connect()
  return socket
}
