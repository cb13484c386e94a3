import { Form } from '@remix-run/react'
import { useRef } from 'react'
import type { RecordingShare, TalkRecording } from '#db/recordings'
import { clock } from '~/utils/duration'
import { LocalTime } from '~/utils/time-zone'

/** Who may listen, in the words the creator chooses from (the data layer's `RecordingShare`). */
export const shareLabel: Record<RecordingShare, string> = {
  attendees: 'People who attended the talk',
  members: 'Members of the club',
  public: 'Anyone who can see this talk',
  private: 'Only me (and the club’s admins)',
}
export const shareOrder: RecordingShare[] = ['attendees', 'members', 'public', 'private']

/** Errors of the last recording form sent, keyed by the recording and the field. */
export type RecordingFormResult = {
  recordingId: string
  fieldErrors: Partial<Record<'share' | 'confirm', string[]>>
  message?: string
  ok: boolean
}

function lengthOf(recording: TalkRecording) {
  if (recording.durationSeconds !== null) return recording.durationSeconds
  if (recording.startedAt && recording.endedAt) return (Date.parse(recording.endedAt) - Date.parse(recording.startedAt)) / 1000
  const ends = [...recording.chapters.map((c) => c.at), ...recording.speakers.flatMap((s) => s.segments.map((seg) => seg.to))]
  return ends.length ? Math.max(...ends) : 0
}

const statusText: Record<TalkRecording['status'], string> = {
  starting: 'Starting…',
  active: 'Recording now',
  ending: 'Being saved — it can be played in a few minutes.',
  complete: '',
  failed: 'This recording failed and cannot be played.',
}


/** The talk's recordings the viewer may listen to, with chapters, who spoke when, and (for managers) sharing and deleting. */
export function TalkRecordings({ recordings, result, busy }: { recordings: TalkRecording[]; result?: RecordingFormResult; busy: boolean }) {
  if (recordings.length === 0) return null
  return (
    <section aria-labelledby="recordings-heading" className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
      <h2 id="recordings-heading" className="text-xl font-semibold">
        {recordings.length === 1 ? 'Recording' : 'Recordings'}
      </h2>
      <ul className="mt-4 space-y-8">
        {recordings.map((recording) => (
          <RecordingItem key={recording.id} recording={recording} result={result?.recordingId === recording.id ? result : undefined} busy={busy} />
        ))}
      </ul>
    </section>
  )
}

function RecordingItem({ recording, result, busy }: { recording: TalkRecording; result?: RecordingFormResult; busy: boolean }) {
  const player = useRef<HTMLAudioElement>(null)
  const length = lengthOf(recording)
  const seek = (at: number) => {
    const audio = player.current
    if (!audio) return false
    audio.currentTime = at
    void audio.play().catch(() => {})
    return true
  }
  const titleId = `recording-${recording.id}`
  return (
    <li data-testid="recording" aria-labelledby={titleId} className="space-y-4">
      <div>
        <h3 id={titleId} className="font-semibold">
          {recording.startedAt ? <LocalTime at={recording.startedAt} style="dateTime" /> : 'Recording'}
          {length ? <span className="font-normal text-slate-600"> · {clock(length)} long</span> : null}
        </h3>
        {statusText[recording.status] ? <p className="text-sm text-slate-600">{statusText[recording.status]}</p> : null}
      </div>
      {recording.playbackUrl ? (
        <audio ref={player} controls preload="metadata" src={recording.playbackUrl} className="w-full" data-testid="recording-player">
          <a href={recording.playbackUrl}>Download the recording</a>
        </audio>
      ) : null}

      {recording.chapters.length ? (
        <div>
          <h4 className="text-sm font-semibold text-slate-800">Chapters</h4>
          <ol className="mt-1 space-y-1 text-sm" data-testid="recording-chapters">
            {recording.chapters.map((chapter) => (
              <li key={`${chapter.at}:${chapter.title}`}>
                {recording.playbackUrl ? (
                  <a
                    href={`${recording.playbackUrl}#t=${chapter.at}`}
                    className="text-brand-700 underline"
                    onClick={(e) => {
                      if (seek(chapter.at)) e.preventDefault()
                    }}
                  >
                    <span className="font-mono tabular-nums">{clock(chapter.at)}</span> {chapter.title}
                  </a>
                ) : (
                  <span>
                    <span className="font-mono tabular-nums">{clock(chapter.at)}</span> {chapter.title}
                  </span>
                )}
              </li>
            ))}
          </ol>
        </div>
      ) : null}

      {recording.speakers.length && length > 0 ? <SpeakerTimeline recording={recording} length={length} /> : null}

      {recording.canManage ? <ManageRecording recording={recording} result={result} busy={busy} /> : null}
    </li>
  )
}

/** One bar per speaker across the recording's length, filled where they were on stage. */
function SpeakerTimeline({ recording, length }: { recording: TalkRecording; length: number }) {
  const percent = (seconds: number) => `${Math.min(100, Math.max(0, (seconds / length) * 100))}%`
  return (
    <div>
      <h4 className="text-sm font-semibold text-slate-800">Who was on stage</h4>
      <ul className="mt-2 space-y-2" data-testid="speaker-timeline">
        {recording.speakers.map((speaker) => (
          <li key={speaker.userId} className="grid grid-cols-[minmax(6rem,10rem)_1fr] items-center gap-3 text-sm">
            <span className="truncate" title={speaker.name}>
              {speaker.name}
            </span>
            <div className="relative h-3 rounded-full bg-slate-100" aria-hidden="true">
              {speaker.segments.map((seg) => (
                <span
                  key={`${seg.from}-${seg.to}`}
                  className="absolute inset-y-0 rounded-full bg-brand-600"
                  style={{ left: percent(seg.from), width: percent(Math.max(seg.to - seg.from, length / 200)) }}
                />
              ))}
            </div>
            <span className="sr-only">
              {speaker.segments.map((seg) => `from ${clock(seg.from)} to ${clock(seg.to)}`).join(', ')}
            </span>
          </li>
        ))}
      </ul>
      <p className="mt-1 flex justify-between text-xs text-slate-500" aria-hidden="true">
        <span className="ml-[calc(min(10rem,40%)+0.75rem)]">0:00</span>
        <span>{clock(length)}</span>
      </p>
    </div>
  )
}

/** Sharing and deleting, as plain forms: they work before the page's JavaScript has loaded. */
function ManageRecording({ recording, result, busy }: { recording: TalkRecording; result?: RecordingFormResult; busy: boolean }) {
  const shareError = result?.fieldErrors.share
  const confirmError = result?.fieldErrors.confirm
  const shareId = `share-${recording.id}`
  const confirmId = `confirm-${recording.id}`
  return (
    <div className="space-y-4 rounded-lg border border-slate-200 bg-slate-50 p-4">
      <Form method="post" className="flex flex-wrap items-end gap-2" data-testid="recording-share">
        <input type="hidden" name="intent" value="share-recording" />
        <input type="hidden" name="recordingId" value={recording.id} />
        <div>
          <label htmlFor={shareId} className="block text-sm font-medium text-slate-800">
            Who may listen
          </label>
          <select
            id={shareId}
            name="share"
            defaultValue={recording.share}
            aria-invalid={shareError ? true : undefined}
            aria-describedby={shareError ? `${shareId}-error` : undefined}
            className="mt-1 rounded-md border border-slate-300 bg-white px-3 py-2 text-slate-900"
          >
            {shareOrder.map((share) => (
              <option key={share} value={share}>
                {shareLabel[share]}
              </option>
            ))}
          </select>
        </div>
        <button
          type="submit"
          disabled={busy}
          className="rounded-md border border-slate-300 bg-white px-4 py-2 font-semibold text-slate-800 hover:bg-slate-50 disabled:opacity-60"
        >
          Save sharing
        </button>
        {shareError ? (
          <p id={`${shareId}-error`} role="alert" className="w-full text-sm text-red-700">
            {shareError.join(' ')}
          </p>
        ) : null}
      </Form>

      <details open={Boolean(confirmError)}>
        <summary className="cursor-pointer text-sm font-semibold text-red-800">Delete this recording</summary>
        <Form method="post" className="mt-2 space-y-2 rounded-md border border-red-200 bg-white p-3" data-testid="recording-delete">
          <input type="hidden" name="intent" value="delete-recording" />
          <input type="hidden" name="recordingId" value={recording.id} />
          <p className="text-sm text-slate-700">Deleting removes the recording for everyone. It cannot be undone.</p>
          <label className="flex items-start gap-2 text-sm">
            <input
              id={confirmId}
              type="checkbox"
              name="confirm"
              className="mt-0.5 size-4"
              aria-invalid={confirmError ? true : undefined}
              aria-describedby={confirmError ? `${confirmId}-error` : undefined}
            />
            <span>Yes, delete this recording</span>
          </label>
          {confirmError ? (
            <p id={`${confirmId}-error`} role="alert" className="text-sm text-red-700">
              {confirmError.join(' ')}
            </p>
          ) : null}
          <button type="submit" disabled={busy} className="rounded-md bg-red-700 px-4 py-2 font-semibold text-white hover:bg-red-800 disabled:opacity-60">
            Delete recording
          </button>
        </Form>
      </details>
      {result?.message ? (
        <p role={result.ok ? 'status' : 'alert'} className={`text-sm ${result.ok ? 'text-brand-900' : 'text-red-700'}`}>
          {result.message}
        </p>
      ) : null}
    </div>
  )
}
