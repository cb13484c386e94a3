import path from 'node:path'
import {
  EgressClient,
  EncodedFileOutput,
  EncodedFileType,
  ParticipantPermission,
  RoomServiceClient,
  S3Upload,
  TrackType,
} from 'livekit-server-sdk'
import type { RecordingStorage } from '../../db/recordings'
import { config, type Config } from '../config'
import { liveKitSettings, roomNameForTalk, STAGE_SOURCES, type LiveKitSettings } from './tokens'

/*
 * The server's calls into LiveKit: participant permissions (RoomService) and recordings
 * (Egress). Every call is made only when LiveKit is configured; without it the live room runs
 * with chat, stage and polls and these are no-ops. Permissions are always sent whole:
 * `updateParticipant` replaces the participant's permission set atomically.
 */

export type RecordingOutput = {
  storage: RecordingStorage
  /** The file name stored with the recording: an object key (S3) or a path under `localDir`. */
  fileFor: (talkId: string, recordingId: string) => string
  /** Where this server reads local recordings (a volume shared with egress). */
  localDir: string
  /** Where egress writes local recordings, inside its container. */
  egressDir: string
  s3: { bucket: string; region: string; accessKey: string; secret: string; endpoint?: string } | null
}

export function recordingOutput(cfg: Config = config()): RecordingOutput {
  const s3 =
    cfg.RECORDINGS_S3_BUCKET && cfg.RECORDINGS_S3_REGION && cfg.RECORDINGS_S3_ACCESS_KEY && cfg.RECORDINGS_S3_SECRET
      ? {
          bucket: cfg.RECORDINGS_S3_BUCKET,
          region: cfg.RECORDINGS_S3_REGION,
          accessKey: cfg.RECORDINGS_S3_ACCESS_KEY,
          secret: cfg.RECORDINGS_S3_SECRET,
          endpoint: cfg.RECORDINGS_S3_ENDPOINT,
        }
      : null
  return {
    storage: s3 ? 's3' : 'local',
    fileFor: (talkId, recordingId) => (s3 ? `recordings/${talkId}/${recordingId}.ogg` : `${talkId}/${recordingId}.ogg`),
    localDir: path.resolve(cfg.RECORDINGS_DIR ?? path.join(cfg.DATA_DIR, 'recordings')),
    egressDir: cfg.EGRESS_OUTPUT_DIR,
    s3,
  }
}

/** The whole permission set for a participant: everyone listens and chats; publishing only as allowed. */
export function permissionFor(canPublish: boolean): ParticipantPermission {
  return new ParticipantPermission({
    canSubscribe: true,
    canPublish,
    canPublishData: true,
    canPublishSources: canPublish ? [...STAGE_SOURCES] : [],
    hidden: false,
    canUpdateMetadata: false,
  })
}

export type LiveMedia = {
  configured: boolean
  settings: LiveKitSettings | null
  output: RecordingOutput
  /** Sets a participant's permissions to exactly these; a participant not in the room is fine. */
  setPublish: (talkId: string, userId: string, canPublish: boolean) => Promise<void>
  removeParticipant: (talkId: string, userId: string) => Promise<void>
  /** Mutes the participant's published microphone tracks; returns how many. */
  muteMicrophone: (talkId: string, userId: string) => Promise<number>
  /** Starts an audio-only room composite egress to the recording's file (docs/decisions/009-recording-egress.md). */
  startRecording: (talkId: string, filePath: string) => Promise<{ egressId: string }>
  stopRecording: (egressId: string) => Promise<void>
  /** Closes the talk's LiveKit room: everyone in it is disconnected and nobody publishes any more. */
  closeRoom: (talkId: string) => Promise<void>
}

class MediaNotConfigured extends Error {
  constructor() {
    super('LiveKit is not configured.')
  }
}

/** LiveKit says the participant or room is not there: nothing to correct. */
function isNotFound(error: unknown) {
  const e = error as { code?: string; status?: number }
  return e?.code === 'not_found' || e?.status === 404
}

export function createLiveMedia(
  settings: LiveKitSettings | null = liveKitSettings(),
  output: RecordingOutput = recordingOutput(),
  log: (message: string) => void = (message) => console.warn(`[livekit] ${message}`),
): LiveMedia {
  // The SDK's clients speak Twirp over HTTP(S) to the same host the browser reaches over WebSocket.
  const host = settings?.url.replace(/^ws/, 'http') ?? ''
  const rooms = settings ? new RoomServiceClient(host, settings.apiKey, settings.apiSecret) : null
  const egress = settings ? new EgressClient(host, settings.apiKey, settings.apiSecret) : null

  async function tolerant(what: string, call: () => Promise<unknown>) {
    try {
      await call()
    } catch (error) {
      if (!isNotFound(error)) log(`${what} failed: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  return {
    configured: settings !== null,
    settings,
    output,
    async setPublish(talkId, userId, canPublish) {
      if (!rooms) return
      await tolerant('updateParticipant', () =>
        rooms.updateParticipant(roomNameForTalk(talkId), userId, { permission: permissionFor(canPublish) }),
      )
    },
    async removeParticipant(talkId, userId) {
      if (!rooms) return
      await tolerant('removeParticipant', () => rooms.removeParticipant(roomNameForTalk(talkId), userId))
    },
    async muteMicrophone(talkId, userId) {
      if (!rooms) return 0
      const room = roomNameForTalk(talkId)
      let muted = 0
      await tolerant('mutePublishedTrack', async () => {
        const participant = await rooms.getParticipant(room, userId)
        for (const track of participant.tracks) {
          if (track.type !== TrackType.AUDIO || track.muted) continue
          await rooms.mutePublishedTrack(room, userId, track.sid, true)
          muted++
        }
      })
      return muted
    },
    async startRecording(talkId, filePath) {
      if (!egress) throw new MediaNotConfigured()
      const file = new EncodedFileOutput({
        fileType: EncodedFileType.OGG,
        filepath: output.s3 ? filePath : path.posix.join(output.egressDir, filePath),
        output: output.s3
          ? {
              case: 's3',
              value: new S3Upload({
                bucket: output.s3.bucket,
                region: output.s3.region,
                accessKey: output.s3.accessKey,
                secret: output.s3.secret,
                endpoint: output.s3.endpoint ?? '',
                forcePathStyle: Boolean(output.s3.endpoint),
              }),
            }
          : { case: undefined },
      })
      const info = await egress.startRoomCompositeEgress(roomNameForTalk(talkId), file, { audioOnly: true })
      return { egressId: info.egressId }
    },
    async stopRecording(egressId) {
      if (!egress) return
      await tolerant('stopEgress', () => egress.stopEgress(egressId))
    },
    async closeRoom(talkId) {
      if (!rooms) return
      await tolerant('deleteRoom', () => rooms.deleteRoom(roomNameForTalk(talkId)))
    },
  }
}
