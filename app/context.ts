import type { Viewer } from '#db/viewer'
import type { ValidatedSession } from '#server/auth'

export type RoundsContext = {
  viewer: Viewer
  auth: ValidatedSession | null
  cspNonce: string
  clientAddress: string | null
  devMailbox: boolean
  mediaEnabled: boolean
  /** The address people open (PUBLIC_URL), for share links. */
  publicUrl: string
}

declare module '@remix-run/node' {
  interface AppLoadContext extends RoundsContext {}
}
