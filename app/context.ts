import type { Viewer } from '#db/viewer'
import type { ValidatedSession } from '#server/auth'
import type { LiveMedia } from '#server/livekit/media'

export type RoundsContext = {
  viewer: Viewer
  auth: ValidatedSession | null
  cspNonce: string
  clientAddress: string | null
  devMailbox: boolean
  /** The one LiveKit client of this server; `configured` is false when LiveKit is not set up. */
  media: LiveMedia
  /** The address people open (PUBLIC_URL), for share links. */
  publicUrl: string
}

declare module '@remix-run/node' {
  interface AppLoadContext extends RoundsContext {}
}
