import { EgressStatus, type EgressInfo, type WebhookEvent } from 'livekit-server-sdk'
import { applyEgressReport, claimWebhookEvent, participantMediaAccess, type RecordingStatus } from '../../db/recordings'
import type { LiveMedia } from './media'

/*
 * What a verified LiveKit webhook changes. Each event is applied once (its `id` is noted, so a
 * redelivery does nothing) and reconciles against the database rather than trusting the event:
 * a participant's permissions are recomputed from the stage and consent rows, and a recording's
 * status only moves forward, so events arriving out of order cannot undo a later one.
 */

const TALK_ROOM = /^talk:([0-9a-f-]{36})$/i
const USER_ID = /^[0-9a-f-]{36}$/i

export type WebhookOutcome = 'duplicate' | 'ignored' | 'reconciled' | 'recording'

export type WebhookContext = {
  media: LiveMedia
  /** Tells the talk's room the recording changed (recording:update). */
  onRecordingChange?: (talkId: string) => unknown
}

const egressStatus: Partial<Record<EgressStatus, RecordingStatus>> = {
  [EgressStatus.EGRESS_STARTING]: 'starting',
  [EgressStatus.EGRESS_ACTIVE]: 'active',
  [EgressStatus.EGRESS_ENDING]: 'ending',
  [EgressStatus.EGRESS_COMPLETE]: 'complete',
  [EgressStatus.EGRESS_FAILED]: 'failed',
  [EgressStatus.EGRESS_ABORTED]: 'failed',
  [EgressStatus.EGRESS_LIMIT_REACHED]: 'complete',
}

/** LiveKit stamps egress times in nanoseconds. */
const fromNanos = (value: bigint | undefined) => (value && value > 0n ? new Date(Number(value / 1_000_000n)) : null)

function egressReport(info: EgressInfo, at: Date) {
  const status = egressStatus[info.status]
  if (!status) return null
  const file = info.fileResults[0]
  return {
    egressId: info.egressId,
    status,
    at,
    startedAt: fromNanos(info.startedAt),
    endedAt: fromNanos(info.endedAt),
    fileLocation: file?.location || file?.filename || null,
    durationSeconds: file && file.duration > 0n ? Math.round(Number(file.duration / 1_000_000n) / 1000) : null,
    error: info.error || null,
  }
}

export async function handleLiveKitEvent(event: WebhookEvent, context: WebhookContext): Promise<WebhookOutcome> {
  // createdAt is in seconds; without one the event still counts, ordered as "now".
  const at = event.createdAt ? new Date(Number(event.createdAt) * 1000) : new Date()
  // An event without an id (older servers) cannot be recognised again; its handlers are idempotent anyway.
  if (event.id && !(await claimWebhookEvent(event.id, event.event, at))) return 'duplicate'

  if (event.event === 'egress_started' || event.event === 'egress_updated' || event.event === 'egress_ended') {
    const report = event.egressInfo ? egressReport(event.egressInfo, at) : null
    if (!report) return 'ignored'
    const changed = await applyEgressReport(report)
    if (!changed) return 'ignored'
    await context.onRecordingChange?.(changed.talkId)
    return 'recording'
  }

  if (event.event === 'participant_joined' || event.event === 'track_published') {
    const talkId = TALK_ROOM.exec(event.room?.name ?? '')?.[1]
    const identity = event.participant?.identity
    if (!talkId || !identity) return 'ignored'
    // Egress (the recorder) and agents join with LiveKit's own identities, never a user id: leave them be.
    if (!USER_ID.test(identity) || event.participant?.permission?.recorder || event.participant?.permission?.hidden) return 'ignored'
    const access = await participantMediaAccess(talkId, identity)
    if (!access) {
      // Removed from the talk, banned, or never allowed: out of the LiveKit room too.
      await context.media.removeParticipant(talkId, identity)
      return 'reconciled'
    }
    const granted = event.participant?.permission?.canPublish ?? false
    // A token minted before a stage change or a withdrawal still carries the old grants.
    if (granted !== access.canPublish || (event.event === 'track_published' && !access.canPublish)) {
      await context.media.setPublish(talkId, identity, access.canPublish)
      return 'reconciled'
    }
    return 'ignored'
  }

  return 'ignored'
}
