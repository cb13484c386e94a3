import { useActionData, useNavigation } from '@remix-run/react'
import type { SerializeFrom } from '@remix-run/node'

type Outcome = { ok: boolean; message: string }

/**
 * The action's answer, once the page's data has been read again after it. Remix hands a form's
 * result to the page before the loaders finish, so "You joined the club" could sit above a list
 * still offering that club; waiting for the navigation to settle keeps the message and the page in
 * agreement.
 */
export function useSettledActionData<T>(): SerializeFrom<T> | undefined {
  const result = useActionData<T>()
  const navigation = useNavigation()
  return navigation.state === 'idle' ? result : undefined
}

/** What a form on the page did, said once the page shows it: a status, or an alert when refused. */
export function ActionMessage({ result, className = '' }: { result: Outcome | undefined; className?: string }) {
  if (!result) return null
  return (
    <p
      role={result.ok ? 'status' : 'alert'}
      className={`rounded-md p-3 ${result.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'} ${className}`}
    >
      {result.message}
    </p>
  )
}
