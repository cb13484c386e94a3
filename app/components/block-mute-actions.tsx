import { Form, useNavigation } from '@remix-run/react'

const quiet = 'rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-50 disabled:opacity-60'

/**
 * Mute or Unmute, and Block behind a confirmation, for a signed-in doctor on someone else's
 * profile. Plain POSTs to the profile's own action; the confirmation is a <details>, so both
 * work without JavaScript.
 */
export function BlockMuteActions({ handle, name, muted }: { handle: string; name: string; muted: boolean }) {
  const navigation = useNavigation()
  const action = `/u/${handle}`
  const busy = navigation.state === 'submitting' && navigation.formAction === action
  return (
    <div className="mt-4 flex flex-wrap items-start gap-2" data-testid="block-mute-actions">
      <Form method="post" action={action}>
        <input type="hidden" name="intent" value={muted ? 'unmute' : 'mute'} />
        <button type="submit" disabled={busy} className={quiet} aria-label={`${muted ? 'Unmute' : 'Mute'} ${name}`}>
          {muted ? 'Unmute' : 'Mute'}
        </button>
      </Form>
      <details className="min-w-0 max-w-full">
        <summary className={`${quiet} inline-block cursor-pointer list-none`}>Block</summary>
        <Form method="post" action={action} className="mt-2 max-w-sm rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-900">
          <input type="hidden" name="intent" value="block" />
          <p className="break-words">
            Block {name}? Neither of you will see the other on Rounds, follows between you end, and they are not told.
          </p>
          <button
            type="submit"
            disabled={busy}
            className="mt-2 rounded-md bg-red-700 px-3 py-1.5 font-semibold text-white hover:bg-red-800 disabled:opacity-60"
            aria-label={`Block ${name}`}
          >
            Block
          </button>
        </Form>
      </details>
    </div>
  )
}
