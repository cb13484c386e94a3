import { AccessToken, TrackSource, type VideoGrant } from 'livekit-server-sdk'
import { config, type Config } from '../config'

export type LiveKitSettings = { url: string; apiKey: string; apiSecret: string }
export type StageRole = 'audience' | 'speaker' | 'host'

/** How long a room token may be used to join; a client asks for a fresh one to reconnect later. */
export const ROOM_TOKEN_TTL_SECONDS = 10 * 60

export class LiveKitNotConfiguredError extends Error {
  constructor() {
    super('Live audio and video are not set up on this server (LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET).')
  }
}

/** The LiveKit settings, or null when they are unset (the config already refuses some-but-not-all). */
export function liveKitSettings(cfg: Config = config()): LiveKitSettings | null {
  if (!cfg.LIVEKIT_URL || !cfg.LIVEKIT_API_KEY || !cfg.LIVEKIT_API_SECRET) return null
  return { url: cfg.LIVEKIT_URL, apiKey: cfg.LIVEKIT_API_KEY, apiSecret: cfg.LIVEKIT_API_SECRET }
}

export function liveKitConfigured(cfg: Config = config()): boolean {
  return liveKitSettings(cfg) !== null
}

export const roomNameForTalk = (talkId: string) => `talk:${talkId}`

/** What people on stage may publish: microphone, camera and screen share. */
export const STAGE_SOURCES = [TrackSource.MICROPHONE, TrackSource.CAMERA, TrackSource.SCREEN_SHARE, TrackSource.SCREEN_SHARE_AUDIO]

/**
 * The grant for a role. `canPublish: false` takes publishing away from a speaker or host (a
 * recorded talk without their consent, docs/live-contract.md): a speaker then listens like the
 * audience, a host keeps room admin.
 */
function grantFor(role: StageRole, room: string, canPublish = true): VideoGrant {
  const audience: VideoGrant = { room, roomJoin: true, canSubscribe: true, canPublish: false, canPublishData: true }
  if (role === 'audience' || (role === 'speaker' && !canPublish)) return audience
  const speaker: VideoGrant = canPublish ? { ...audience, canPublish: true, canPublishSources: [...STAGE_SOURCES] } : audience
  if (role === 'speaker') return speaker
  return { ...speaker, roomAdmin: true }
}

export type RoomTokenRequest = {
  talkId: string
  userId: string
  displayName: string
  photoUrl: string | null
  role: StageRole
  /** Defaults to what the role allows; false withholds publishing (no consent to a recorded talk). */
  canPublish?: boolean
}

export async function mintRoomToken(
  { talkId, userId, displayName, photoUrl, role, canPublish }: RoomTokenRequest,
  settings: LiveKitSettings | null = liveKitSettings(),
): Promise<{ token: string; url: string; expiresAt: Date }> {
  if (!settings) throw new LiveKitNotConfiguredError()
  const accessToken = new AccessToken(settings.apiKey, settings.apiSecret, {
    identity: userId,
    name: displayName,
    // Every participant in the room can read this: only what the stage shows, never email or handle.
    metadata: JSON.stringify({ photoUrl }),
    ttl: ROOM_TOKEN_TTL_SECONDS,
  })
  accessToken.addGrant(grantFor(role, roomNameForTalk(talkId), canPublish ?? role !== 'audience'))
  const expiresAt = new Date(Date.now() + ROOM_TOKEN_TTL_SECONDS * 1000)
  return { token: await accessToken.toJwt(), url: settings.url, expiresAt }
}
