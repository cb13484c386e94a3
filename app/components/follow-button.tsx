import { Form, Link, useNavigation } from '@remix-run/react'

export type FollowButtonState = 'self' | 'none' | 'pending' | 'following'

const primary = 'rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60'
const secondary = 'rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50 disabled:opacity-60'

/**
 * Follow, Requested (withdraw) or Unfollow, as a plain POST to the profile's
 * own action, so it works without JavaScript. Signed-out visitors get a link
 * to sign in that comes back to the profile.
 */
export function FollowButton({
  handle,
  name,
  state,
  signedIn,
  isPrivate,
}: {
  handle: string
  name: string
  state: FollowButtonState
  signedIn: boolean
  /** A private profile takes a request rather than a follow. */
  isPrivate: boolean
}) {
  const navigation = useNavigation()
  const action = `/u/${handle}`
  const busy = navigation.state === 'submitting' && navigation.formAction === action
  if (state === 'self') return null
  if (!signedIn) {
    return (
      <Link to={`/login?redirectTo=${encodeURIComponent(action)}`} className={primary}>
        Sign in to follow
      </Link>
    )
  }
  const intent = state === 'none' ? 'follow' : 'unfollow'
  const label =
    state === 'following' ? 'Unfollow' : state === 'pending' ? 'Withdraw request' : isPrivate ? 'Request to follow' : 'Follow'
  return (
    <Form method="post" action={action} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="intent" value={intent} />
      {state === 'pending' ? (
        <span className="rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-700" data-testid="follow-requested">
          Requested
        </span>
      ) : null}
      {state === 'following' ? (
        <span className="rounded-md bg-brand-50 px-3 py-2 text-sm text-brand-900" data-testid="follow-following">
          Following
        </span>
      ) : null}
      <button
        type="submit"
        disabled={busy}
        className={state === 'none' ? primary : secondary}
        aria-label={state === 'none' ? `${label} ${name}` : state === 'pending' ? `Withdraw request to follow ${name}` : `Unfollow ${name}`}
      >
        {label}
      </button>
    </Form>
  )
}
