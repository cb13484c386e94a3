import type { ActionFunctionArgs, AppLoadContext, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation, useRouteLoaderData, useSearchParams } from '@remix-run/react'
import type { ReactNode } from 'react'
import { z } from 'zod'
import { recordActivity } from '#db/activity'
import { PublicError } from '#db/errors'
import { getTalkArchive } from '#db/live/archive'
import { listTalkQuizResults } from '#db/quizzes/listings'
import { listTalkRecordings, recordingShares, shareRecording, type RecordingShare } from '#db/recordings'
import { getTalkForViewer, getTalkShareInfo, listTalkRoles, mayEditTalk, setRsvp } from '#db/talks'
import { deleteRecordingAndFile } from '#server/livekit/recording-files'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { TalkQuizResults } from '~/components/quiz-lists'
import { ReportControl } from '~/components/report-control'
import { TalkArchiveView } from '~/components/talk-archive'
import { ShareBox, absoluteUrl } from '~/components/share'
import { TalkStatusBadge, talkTypeLabel, type TalkStatus } from '~/components/talk-card'
import { TalkRecordings, shareLabel, type RecordingFormResult } from '~/components/talk-recordings'
import { RecordedNotice } from '~/live/recording'
import { requireUser } from '~/utils/auth.server'
import { readConsentId } from '~/utils/consent.server'
import { shareMeta } from '~/utils/share-meta'
import type { loader as rootLoader } from '~/root'
import { readForm } from '~/utils/form.server'
import { formatTime, UTC } from '~/utils/time'
import { LocalTime } from '~/utils/time-zone'
import { myPendingText } from '#db/moderation/index'
import { PendingReviewNotice } from '~/components/pending-review'

const NOT_FOUND = 'We could not find that talk. It may be in a private club, or the link may be wrong.'

const RsvpAction = z.object({
  intent: z.enum(['going', 'not-going'], { errorMap: () => ({ message: 'Choose Going or Not going.' }) }),
})

const recordingId = z.string({ required_error: 'Say which recording.' }).uuid('We could not find that recording.')
const RecordingAction = z.discriminatedUnion('intent', [
  z.object({
    intent: z.literal('share-recording'),
    recordingId,
    share: z.enum(recordingShares as [RecordingShare, ...RecordingShare[]], { errorMap: () => ({ message: 'Choose who may listen.' }) }),
  }),
  z.object({
    intent: z.literal('delete-recording'),
    recordingId,
    confirm: z.literal('on', { errorMap: () => ({ message: 'Tick “Yes, delete this recording” to confirm.' }) }),
  }),
])

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const id = params.id ?? ''
  // Share tags come from the public view only, whoever is asking (crawlers are never signed in),
  // and name the start in UTC: whoever reads a shared link may be anywhere.
  const [talk, shareInfo] = await Promise.all([getTalkForViewer(context.viewer, id), getTalkShareInfo(id)])
  if (!talk) throw new Response(NOT_FOUND, { status: 404 })
  await recordActivity(context.viewer, 'talk.view', talk.id, readConsentId(request))
  const [roles, recordings, mayEdit, pendingTitle, quizzes, archive] = await Promise.all([
    listTalkRoles(talk.id),
    listTalkRecordings(context.viewer, talk.id),
    mayEditTalk(context.viewer, talk.id),
    myPendingText(context.viewer?.userId, 'talk', talk.id),
    listTalkQuizResults(context.viewer, talk.id),
    // Null until the talk ends, and for anyone who may not enter it.
    talk.status === 'ended' && !talk.cancelled ? getTalkArchive(context.viewer, talk.id) : Promise.resolve(null),
  ])
  const url = absoluteUrl(context.publicUrl, `/t/${talk.id}`)
  const share = shareInfo
    ? {
        title: shareInfo.title,
        description: `${shareInfo.clubName} · ${formatTime(shareInfo.startsAt, UTC)}${shareInfo.description ? ` — ${shareInfo.description.replace(/\s+/g, ' ')}` : ''}`,
        url,
        type: 'article' as const,
      }
    : null
  return json({ talk, roles, share, shareUrl: url, signedIn: Boolean(context.viewer), recorded: talk.recorded, recordings, mayEdit, pendingTitle, quizzes, archive })
}

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? shareMeta(data.share) : [{ title: 'Talk not found — Rounds' }])

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const form = Object.fromEntries(await readForm(request))
  if (form.intent === 'share-recording' || form.intent === 'delete-recording') return recordingAction(viewer, form, context.media)
  const parsed = RsvpAction.safeParse(form)
  if (!parsed.success) return json({ ok: false, message: parsed.error.issues[0].message }, { status: 400 })
  const going = parsed.data.intent === 'going'
  try {
    await setRsvp(viewer, params.id ?? '', going)
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ ok: false, message: error.message }, { status: error.status })
  }
  return json({ ok: true, message: going ? 'You are going. Add it to your calendar so you do not miss it.' : 'You are no longer going.' })
}

/** Sharing or deleting a recording: errors go beside the field they are about. */
async function recordingAction(
  viewer: Parameters<typeof shareRecording>[0],
  form: Record<string, FormDataEntryValue>,
  media: AppLoadContext['media'],
) {
  const id = typeof form.recordingId === 'string' ? form.recordingId : ''
  const reply = (status: number, result: Omit<RecordingFormResult, 'recordingId'>) => json({ recording: { recordingId: id, ...result } }, { status })
  const parsed = RecordingAction.safeParse(form)
  if (!parsed.success) {
    const fieldErrors: RecordingFormResult['fieldErrors'] = {}
    let message: string | undefined
    for (const issue of parsed.error.issues) {
      const field = issue.path[0]
      if (field === 'share' || field === 'confirm') (fieldErrors[field] ??= []).push(issue.message)
      else message ??= issue.message
    }
    return reply(400, { ok: false, fieldErrors, message })
  }
  try {
    if (parsed.data.intent === 'share-recording') {
      const { share } = await shareRecording(viewer, parsed.data.recordingId, parsed.data.share)
      return reply(200, { ok: true, fieldErrors: {}, message: `Saved: ${shareLabel[share].toLowerCase()} may listen.` })
    }
    // Also removes the file from storage and stops the recorder if it still ran.
    await deleteRecordingAndFile(viewer, parsed.data.recordingId, media)
    return json({ recording: { recordingId: id, ok: true, fieldErrors: {}, message: 'The recording is deleted.' }, deleted: true as const })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return reply(error.status, { ok: false, fieldErrors: {}, message: error.message })
  }
}

function PeopleLine({ label, people, testId }: { label: string; people: { handle: string; name: string }[]; testId: string }) {
  return (
    <p className="mt-1 text-sm text-slate-700" data-testid={testId}>
      {label}:{' '}
      {people.map((p, i) => (
        <span key={p.handle}>
          {i > 0 ? ', ' : ''}
          <Link to={`/u/${p.handle}`} className="text-brand-700 underline">
            {p.name}
          </Link>
        </span>
      ))}
    </p>
  )
}

const roomButton = 'inline-flex items-center gap-2 rounded-md px-4 py-2 font-semibold'

/** The way into the live room: hosts open it, everyone joins while it is live, and may send questions ahead. */
function RoomLink({ talkId, status, presenter, signedIn }: { talkId: string; status: TalkStatus; presenter: boolean; signedIn: boolean }) {
  const room = `/t/${talkId}/live`
  const liveDot = <span aria-hidden="true" className="size-2 rounded-full bg-white motion-safe:animate-pulse" />
  let link: ReactNode = null
  if (status === 'ended') {
    link = presenter ? (
      <Link to={`/t/${talkId}/report`} className={`${roomButton} border border-slate-300 bg-white text-slate-800 hover:bg-slate-50`}>
        Attendance report
      </Link>
    ) : null
  } else if (!signedIn) {
    link =
      status === 'live' ? (
        <Link to={`/login?redirectTo=${encodeURIComponent(room)}`} className={`${roomButton} bg-red-600 text-white hover:bg-red-700`}>
          {liveDot}
          Sign in to join the live room
        </Link>
      ) : null
  } else if (presenter) {
    link = (
      <Link to={room} className={`${roomButton} ${status === 'live' ? 'bg-red-600 hover:bg-red-700' : 'bg-brand-600 hover:bg-brand-700'} text-white`}>
        {status === 'live' ? liveDot : null}
        {status === 'live' ? 'Go to the live room' : 'Open the room'}
      </Link>
    )
  } else if (status === 'live') {
    link = (
      <Link to={room} className={`${roomButton} bg-red-600 text-white hover:bg-red-700`}>
        {liveDot}
        Join the live room
      </Link>
    )
  } else {
    link = (
      <Link to={room} className={`${roomButton} border border-slate-300 bg-white text-slate-800 hover:bg-slate-50`}>
        Send questions ahead
      </Link>
    )
  }
  return link ? <div className="mt-6 flex flex-wrap items-center gap-3">{link}</div> : null
}

export default function TalkRoute() {
  const { talk, roles, share, shareUrl, signedIn, recorded, recordings, mayEdit, pendingTitle, quizzes, archive } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const result = actionData && 'message' in actionData ? actionData : undefined
  const recordingResult = actionData && 'recording' in actionData ? actionData.recording : undefined
  const deleted = actionData && 'deleted' in actionData
  const [searchParams] = useSearchParams()
  const myHandle = useRouteLoaderData<typeof rootLoader>('root')?.me?.handle
  // The talk's own host and co-hosts open the room (club moderators also may, from inside it).
  const presenter = roles.some((r) => r.handle === myHandle && r.role !== 'speaker')
  const cohosts = roles.filter((r) => r.role === 'cohost')
  const speakers = roles.filter((r) => r.role === 'speaker')
  const navigation = useNavigation()
  const busy = navigation.state === 'submitting'
  const ended = talk.status === 'ended'
  return (
    <div className="mx-auto max-w-3xl space-y-4">
      {searchParams.get('scheduled') === '1' ? (
        <p role="status" className="rounded-md bg-brand-50 p-3 text-brand-900">
          Your talk is scheduled. The club’s members can see it now; open the room from here when it is time.
        </p>
      ) : null}
      <PendingReviewNotice pending={pendingTitle} what="title" />
      <article className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <p className="flex flex-wrap items-center gap-2 text-xs font-semibold uppercase tracking-wide text-brand-700">
          <span>{talkTypeLabel[talk.type]}</span>
          <span aria-hidden="true">·</span>
          <Link to={`/c/${talk.club.slug}`} className="underline">
            {talk.club.name}
          </Link>
          {talk.club.visibility === 'private' ? <span className="normal-case text-slate-500">(private club)</span> : null}
          {talk.cancelled ? (
            <span className="rounded bg-red-100 px-2 py-0.5 text-xs font-medium text-red-800">Cancelled</span>
          ) : (
            <TalkStatusBadge status={talk.status} />
          )}
        </p>
        <h1 className="mt-2 text-2xl font-semibold sm:text-3xl">{talk.title}</h1>
        <p className="mt-2 text-slate-700">
          Hosted by{' '}
          <Link to={`/u/${talk.host.handle}`} className="font-medium text-brand-700 underline">
            {talk.host.name}
          </Link>
        </p>
        {cohosts.length ? <PeopleLine label="Co-hosts" people={cohosts} testId="talk-cohosts" /> : null}
        {speakers.length ? <PeopleLine label="Speakers" people={speakers} testId="talk-speakers" /> : null}

        <dl className="mt-5 grid gap-3 sm:grid-cols-3">
          <div>
            <dt className="text-xs font-semibold uppercase tracking-wide text-slate-500">When</dt>
            <dd>
              <LocalTime at={talk.startsAt} />
            </dd>
          </div>
          <div>
            <dt className="text-xs font-semibold uppercase tracking-wide text-slate-500">Duration</dt>
            <dd>{talk.durationMinutes} minutes</dd>
          </div>
          <div>
            <dt className="text-xs font-semibold uppercase tracking-wide text-slate-500">Going</dt>
            <dd data-testid="rsvp-count">
              {talk.rsvpCount} {talk.rsvpCount === 1 ? 'doctor' : 'doctors'}
              {talk.going ? ' (including you)' : ''}
            </dd>
          </div>
        </dl>

        <RecordedNotice recorded={recorded} ended={talk.status === 'ended'} replay={recordings.some((r) => r.status === 'complete') ? true : presenter ? false : undefined} className="mt-5">
          Speakers agree to the recording before they go on stage; the audience is not recorded. The host chooses who may listen
          afterwards.
        </RecordedNotice>

        {talk.description ? <p className="mt-6 whitespace-pre-line text-slate-800">{talk.description}</p> : null}

        {talk.cancelled ? (
          <p role="status" className="mt-6 rounded-md bg-red-50 p-3 text-red-900" data-testid="talk-cancelled">
            Cancelled by the host.{talk.cancelReason ? <span className="block whitespace-pre-line">{talk.cancelReason}</span> : null}
          </p>
        ) : (
          <RoomLink talkId={talk.id} status={talk.status} presenter={presenter} signedIn={signedIn} />
        )}
        {mayEdit && talk.status === 'scheduled' ? (
          <p className="mt-4">
            <Link to={`/t/${talk.id}/edit`} className="text-sm font-medium text-brand-700 underline">
              Change, reschedule or cancel this talk
            </Link>
          </p>
        ) : null}

        {result ? (
          <p role={result.ok ? 'status' : 'alert'} className={`mt-6 rounded-md p-3 ${result.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
            {result.message}
          </p>
        ) : null}

        <div className="mt-6 flex flex-wrap items-center gap-3">
          {talk.cancelled ? null : ended ? (
            <p className="text-slate-600">This talk has ended.</p>
          ) : !signedIn ? (
            <Link
              to={`/login?redirectTo=${encodeURIComponent(`/t/${talk.id}`)}`}
              className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700"
            >
              Sign in to say you are going
            </Link>
          ) : (
            <Form method="post">
              <fieldset className="flex flex-wrap items-center gap-2" disabled={busy}>
                <legend className="sr-only">Are you going?</legend>
                <button
                  type="submit"
                  name="intent"
                  value="going"
                  aria-pressed={talk.going}
                  className={`rounded-md px-4 py-2 font-semibold ${talk.going ? 'bg-brand-600 text-white' : 'border border-slate-300 bg-white text-slate-800 hover:bg-slate-50'}`}
                >
                  Going
                </button>
                <button
                  type="submit"
                  name="intent"
                  value="not-going"
                  aria-pressed={!talk.going}
                  className={`rounded-md px-4 py-2 font-semibold ${!talk.going ? 'bg-slate-700 text-white' : 'border border-slate-300 bg-white text-slate-800 hover:bg-slate-50'}`}
                >
                  Not going
                </button>
              </fieldset>
            </Form>
          )}
          {ended && !talk.cancelled ? null : (
            <a
              href={`/t/${talk.id}.ics`}
              download={`rounds-talk-${talk.id.slice(0, 8)}.ics`}
              className="rounded-md border border-slate-300 px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50"
            >
              Add to calendar (.ics)
            </a>
          )}
        </div>
      </article>
      {deleted && recordingResult?.message ? (
        <p role="status" className="rounded-md bg-brand-50 p-3 text-brand-900">
          {recordingResult.message}
        </p>
      ) : null}
      <TalkRecordings recordings={recordings} result={deleted ? undefined : recordingResult} busy={busy} />
      <TalkQuizResults quizzes={quizzes} />
      {archive ? <TalkArchiveView archive={archive} /> : null}
      {talk.club.visibility === 'private' ? (
        <p className="text-sm text-slate-600">This talk is in a private club: only its members can open this link.</p>
      ) : null}
      <ShareBox url={shareUrl} text={share ? `${share.title} on Rounds` : 'A talk on Rounds'} />
      {signedIn && !mayEdit ? <ReportControl kind="talk" id={talk.id} back={`/t/${talk.id}`} label="Report talk" /> : null}
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
