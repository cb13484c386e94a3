/**
 * The stage's audio and video on LiveKit. Browser-only and loaded on demand (see media.tsx):
 * livekit-client touches `window` as it loads, and a room without media should not download it.
 */
import '@livekit/components-styles'
import {
  ConnectionQualityIndicator,
  LiveKitRoom,
  MediaDeviceSelect,
  ParticipantTile,
  RoomAudioRenderer,
  StartAudio,
  TrackToggle,
  setLogLevel,
  useConnectionQualityIndicator,
  useConnectionState,
  useLocalParticipant,
  useSpeakingParticipants,
  useTracks,
} from '@livekit/components-react'
import { ConnectionQuality, ConnectionState, DisconnectReason, Track } from 'livekit-client'
import { useEffect, useMemo } from 'react'

// The SDK logs every step at info; a doctor's console needs only what went wrong.
setLogLevel('warn')

export type MediaStageProps = {
  url: string
  token: string
  /** Host, co-host or on stage, with consent when the talk is recorded: may use microphone, camera and screen. */
  canPublish: boolean
  /** User ids on stage (RoomState.stage): only their tracks are shown. */
  stageIds: string[]
  onSpeakingChange: (userIds: string[]) => void
  /** The connection failed or was lost for good: the room shows the sentence and offers to try again. */
  onConnectionFailed: (message: string) => void
  /** A microphone or camera could not be used; null once connected again. */
  onProblem: (message: string | null) => void
}

const connectionFailed = 'Audio and video could not connect. The stage, chat and questions still work.'

export default function MediaStage({ url, token, canPublish, stageIds, onSpeakingChange, onConnectionFailed, onProblem }: MediaStageProps) {
  return (
    <LiveKitRoom
      serverUrl={url}
      token={token}
      connect
      // Nobody publishes on arrival: speakers turn their microphone and camera on themselves.
      audio={false}
      video={false}
      options={{ adaptiveStream: true, dynacast: true }}
      onConnected={() => onProblem(null)}
      onError={() => onConnectionFailed(connectionFailed)}
      onDisconnected={(reason) => {
        // Leaving the page or a fresh token for a new role is not a problem to report.
        if (reason === DisconnectReason.CLIENT_INITIATED || reason === undefined) return
        onConnectionFailed('Audio and video disconnected. The stage, chat and questions still work.')
      }}
      onMediaDeviceFailure={(_failure, kind) =>
        onProblem(
          kind === 'videoinput'
            ? 'Your camera could not be used. Check that the browser may use it and that no other app holds it.'
            : 'Your microphone could not be used. Check that the browser may use it and that no other app holds it.',
        )
      }
      data-lk-theme="default"
      data-testid="media-stage"
      className="mt-3 space-y-3 rounded-lg bg-slate-950 p-3"
    >
      <RoomAudioRenderer />
      <StartAudio label="Turn on the sound" className="lk-button" />
      <SpeakingReporter onSpeakingChange={onSpeakingChange} />
      <StageTiles stageIds={stageIds} />
      <ConnectionLine />
      {canPublish ? <SpeakerControls /> : null}
    </LiveKitRoom>
  )
}

function SpeakingReporter({ onSpeakingChange }: { onSpeakingChange: (userIds: string[]) => void }) {
  const speaking = useSpeakingParticipants()
  const ids = speaking.map((p) => p.identity).join(',')
  useEffect(() => {
    onSpeakingChange(ids ? ids.split(',') : [])
  }, [ids, onSpeakingChange])
  return null
}

/** Cameras and shared screens of the people on stage; speaking tiles are outlined by the SDK's styles. */
function StageTiles({ stageIds }: { stageIds: string[] }) {
  const tracks = useTracks(
    [
      { source: Track.Source.ScreenShare, withPlaceholder: false },
      { source: Track.Source.Camera, withPlaceholder: false },
    ],
    { onlySubscribed: false },
  )
  const onStage = useMemo(() => new Set(stageIds), [stageIds])
  const shown = tracks.filter((t) => onStage.has(t.participant.identity))
  const speaking = useSpeakingParticipants().filter((p) => onStage.has(p.identity))
  return (
    <>
      <p aria-live="polite" className="min-h-5 text-sm text-slate-200" data-testid="speaking-now">
        {speaking.length ? `Speaking: ${speaking.map((p) => p.name || 'Someone').join(', ')}` : ''}
      </p>
      {shown.length ? (
        <div className="grid gap-3 sm:grid-cols-2">
          {shown.map((trackRef) => (
            <ParticipantTile
              key={`${trackRef.participant.identity}:${trackRef.source}`}
              trackRef={trackRef}
              className="aspect-video overflow-hidden rounded-md"
            />
          ))}
        </div>
      ) : null}
    </>
  )
}

const qualityText: Record<ConnectionQuality, string> = {
  [ConnectionQuality.Excellent]: 'excellent',
  [ConnectionQuality.Good]: 'good',
  [ConnectionQuality.Poor]: 'poor — audio may break up',
  [ConnectionQuality.Lost]: 'lost',
  [ConnectionQuality.Unknown]: 'checking…',
}

const stateText: Record<ConnectionState, string> = {
  [ConnectionState.Connecting]: 'Connecting audio and video…',
  [ConnectionState.Connected]: 'Audio and video connected.',
  [ConnectionState.Reconnecting]: 'Reconnecting audio and video…',
  [ConnectionState.SignalReconnecting]: 'Reconnecting audio and video…',
  [ConnectionState.Disconnected]: 'Audio and video are not connected.',
}

function ConnectionLine() {
  const state = useConnectionState()
  const { localParticipant } = useLocalParticipant()
  const { quality } = useConnectionQualityIndicator({ participant: localParticipant })
  return (
    <p className="flex flex-wrap items-center gap-2 text-xs text-slate-300" data-testid="media-connection">
      <span>{stateText[state]}</span>
      {state === ConnectionState.Connected ? (
        <>
          <ConnectionQualityIndicator participant={localParticipant} aria-hidden="true" />
          <span>Your connection: {qualityText[quality]}</span>
        </>
      ) : null}
    </p>
  )
}

/** Microphone, camera and screen for people on stage, and which devices to use. */
function SpeakerControls() {
  return (
    <div className="space-y-2 border-t border-slate-800 pt-3">
      <div role="group" aria-label="Your microphone, camera and screen" className="flex flex-wrap gap-2">
        <TrackToggle source={Track.Source.Microphone} className="lk-button">
          Microphone
        </TrackToggle>
        <TrackToggle source={Track.Source.Camera} className="lk-button">
          Camera
        </TrackToggle>
        <TrackToggle source={Track.Source.ScreenShare} className="lk-button">
          Share screen
        </TrackToggle>
      </div>
      <details className="text-sm text-slate-200">
        <summary className="cursor-pointer">Choose microphone and camera</summary>
        <div className="mt-2 grid gap-3 sm:grid-cols-2">
          <div>
            <p className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-400">Microphone</p>
            <MediaDeviceSelect kind="audioinput" aria-label="Microphones" />
          </div>
          <div>
            <p className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-400">Camera</p>
            <MediaDeviceSelect kind="videoinput" aria-label="Cameras" />
          </div>
        </div>
      </details>
    </div>
  )
}
