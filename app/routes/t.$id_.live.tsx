import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { useState } from 'react'
import { canEnterTalk } from '#db/live'
import { getTalkForViewer } from '#db/talks'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { talkTypeLabel } from '~/components/talk-card'
import { Comments } from '~/live/comments'
import { HandCount, HandQueue } from '~/live/hand-queue'
import { HostControls } from '~/live/host-controls'
import { RoomMedia } from '~/live/media'
import { isModerator, type RecordingState } from '~/live/protocol'
import { Questions } from '~/live/questions'
import { QuizPanel } from '~/live/quiz-panel'
import { ReactionsBar } from '~/live/reactions-bar'
import { RecIndicator, RecordedNotice } from '~/live/recording'
import { AudienceCount, ConnectionBanner, MediaNotice, RoomStatusBadge } from '~/live/room-status'
import { Stage } from '~/live/stage'
import { StageInviteDialog } from '~/live/stage-invite'
import { useLiveRoom } from '~/live/use-live-room'
import { requireUser } from '~/utils/auth.server'

const NOT_FOUND = 'We could not find that talk. It may be in a private club, or the link may be wrong.'

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const id = params.id ?? ''
  const talk = await getTalkForViewer(viewer, id)
  if (!talk) throw new Response(NOT_FOUND, { status: 404 })
  // Removed from the talk or banned from the club: the page says so instead of connecting.
  const mayEnter = await canEnterTalk(viewer, talk.id)
  return json({
    talk: {
      id: talk.id,
      title: talk.title,
      type: talk.type,
      status: talk.status,
      club: { slug: talk.club.slug, name: talk.club.name },
      host: talk.host,
      // Told on arrival, before the room's own state comes over the socket.
      recorded: talk.recorded,
    },
    mayEnter,
    mediaEnabled: context.media.configured,
  })
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Live: ${data.talk.title} — Rounds` : 'Talk not found — Rounds' },
  { name: 'robots', content: 'noindex' },
]

export default function LiveRoomRoute() {
  const { talk, mayEnter, mediaEnabled } = useLoaderData<typeof loader>()
  return (
    <div className="space-y-3 sm:space-y-4">
      {mayEnter ? (
        <LiveRoom talk={talk} mediaEnabled={mediaEnabled} />
      ) : (
        <>
          <RoomHeader talk={talk} status={talk.status} />
          <Refusal message="You cannot enter this room: the hosts removed you from this talk, or the club’s admins removed you from the club." />
        </>
      )}
    </div>
  )
}

type TalkBasics = ReturnType<typeof useLoaderData<typeof loader>>['talk']

function RoomHeader({
  talk,
  status,
  audience,
  recording,
}: {
  talk: TalkBasics
  status: TalkBasics['status']
  audience?: number
  recording?: RecordingState
}) {
  return (
    <header className="space-y-1">
      <div className="flex flex-wrap items-center justify-between gap-x-4 gap-y-1">
        <p className="flex flex-wrap items-center gap-2 text-xs font-semibold uppercase tracking-wide text-brand-700">
          <span>{talkTypeLabel[talk.type]}</span>
          <span aria-hidden="true">·</span>
          <Link to={`/c/${talk.club.slug}`} className="underline">
            {talk.club.name}
          </Link>
        </p>
        <Link to={`/t/${talk.id}`} className="text-sm text-brand-700 underline">
          ← Talk page
        </Link>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold sm:text-3xl">{talk.title}</h1>
        <RoomStatusBadge status={status} />
        {recording ? <RecIndicator recording={recording} /> : null}
      </div>
      <p className="flex flex-wrap items-center gap-x-3 text-sm text-slate-600">
        <span>
          Hosted by{' '}
          <Link to={`/u/${talk.host.handle}`} className="font-medium text-brand-700 underline">
            {talk.host.name}
          </Link>
        </span>
        {audience !== undefined ? <AudienceCount count={audience} /> : null}
      </p>
    </header>
  )
}

function Refusal({ message }: { message: string }) {
  return (
    <div role="alert" data-testid="room-refusal" className="rounded-xl border border-red-200 bg-red-50 p-5 text-red-900">
      <p className="font-semibold">{message}</p>
      <p className="mt-1 text-sm">If you think this is a mistake, contact the talk’s host.</p>
    </div>
  )
}

function LiveRoom({ talk, mediaEnabled }: { talk: TalkBasics; mediaEnabled: boolean }) {
  const { state, connection, backOnline, refusal, muteRequests, mediaRoleChanges, actions, live } = useLiveRoom(talk.id)
  const [speaking, setSpeaking] = useState<string[]>([])
  const status = state?.talk.status ?? talk.status
  const recording = state && !refusal ? state.recording : undefined
  // On a phone the stage, the hand button and the comment box come first, within the first
  // screen: reactions follow the comments, the note that media is off moves to the end, and the
  // comment list is kept short.
  return (
    <div className="flex flex-col gap-3 sm:gap-4">
      <RoomHeader talk={talk} status={status} audience={refusal ? undefined : state?.audienceCount} recording={recording} />
      <div aria-live="polite" className="space-y-2 empty:-mb-3 sm:empty:-mb-4">
        <ConnectionBanner connection={connection} backOnline={backOnline} />
      </div>
      {refusal ? null : <RecordedNotice recorded={recording ? recording.recorded : talk.recorded} ended={status === 'ended'} />}
      {!mediaEnabled && !refusal ? (
        <div className="order-last lg:order-none">
          <MediaNotice />
        </div>
      ) : null}
      <noscript>
        <p className="rounded-md bg-amber-50 p-3 text-amber-900">The live room needs JavaScript. Turn it on, then reload this page.</p>
      </noscript>
      {refusal ? (
        <Refusal message={refusal.message} />
      ) : !state ? (
        <p role="status" className="rounded-xl border border-slate-200 bg-white p-6 text-slate-600">
          Joining the room…
        </p>
      ) : (
        <div className="flex flex-col gap-3 sm:gap-4 lg:grid lg:grid-cols-3 lg:items-start">
          <div className="space-y-3 sm:space-y-4 lg:col-span-2">
            <HostControls state={state} actions={actions} mediaEnabled={mediaEnabled} />
            <QuizPanel talkId={talk.id} host={isModerator(state.me.role)} live={live} />
            <Stage
              state={state}
              actions={actions}
              muteRequests={muteRequests}
              speaking={speaking}
              media={
                mediaEnabled ? (
                  <RoomMedia state={state} actions={actions} mediaRoleChanges={mediaRoleChanges} onSpeakingChange={setSpeaking} />
                ) : null
              }
            />
            {isModerator(state.me.role) ? <HandQueue state={state} actions={actions} /> : <HandCount state={state} />}
          </div>
          <div className="max-lg:[&_[data-testid=comments]]:max-h-24 max-lg:[&_[data-testid=comments]]:min-h-16 lg:col-start-3 lg:row-span-3 lg:row-start-1">
            <Comments state={state} actions={actions} />
          </div>
          <div className="lg:col-span-2 lg:col-start-1 lg:row-start-2">
            <ReactionsBar state={state} actions={actions} />
          </div>
          <div className="lg:col-span-2 lg:col-start-1 lg:row-start-3">
            <Questions state={state} actions={actions} />
          </div>
          <StageInviteDialog state={state} actions={actions} mediaEnabled={mediaEnabled} />
        </div>
      )}
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
