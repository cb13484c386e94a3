import { getInputProps, type FieldMetadata, type SubmissionResult } from '@conform-to/react'
import { Form, useActionData, useSearchParams } from '@remix-run/react'
import type { ReactNode } from 'react'
import { FieldErrors, inputClass } from './forms'

export const smallButton = 'rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-50 disabled:opacity-60'
export const dangerButton = 'rounded-md border border-red-300 bg-white px-3 py-1.5 text-sm text-red-800 hover:bg-red-50 disabled:opacity-60'
export const primaryButton = 'rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60'

/** One part of a club admin section: a card with a heading, and an anchor (`#id`) old links still reach. */
export function AdminSection({ id, title, intro, children }: { id: string; title: ReactNode; intro?: ReactNode; children: ReactNode }) {
  return (
    <section id={id} aria-labelledby={`${id}-title`} className="scroll-mt-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-6">
      <h2 id={`${id}-title`} className="text-xl font-semibold">
        {title}
      </h2>
      {intro ? <p className="mt-1 text-sm text-slate-600">{intro}</p> : null}
      <div className="mt-4">{children}</div>
    </section>
  )
}

/** What the last action did (`ok`) or why it was refused. */
export function AdminNotice({ message, ok }: { message: string | null | undefined; ok: boolean }) {
  if (!message) return null
  return (
    <p role={ok ? 'status' : 'alert'} className={`mb-4 rounded-md p-3 text-sm ${ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
      {message}
    </p>
  )
}

type Reply = SubmissionResult<string[]> | undefined

/** The reply to the form whose hidden `intent` is one of `intents`, so each form shows only its own. */
export function replyTo(result: Reply, ...intents: string[]): Reply {
  const intent = result?.initialValue?.intent
  return typeof intent === 'string' && intents.includes(intent) ? result : undefined
}

/**
 * The refusal to show at the top of the part of the page that holds the forms of `intents`: the
 * reply's first error that is not already shown beside one of the form's `fields`.
 */
export function refusalFor(result: Reply, intents: readonly string[], fields: readonly string[] = []) {
  const mine = replyTo(result, ...intents)
  for (const [name, errors] of Object.entries(mine?.error ?? {})) {
    if (!fields.includes(name) && errors?.length) return errors[0]
  }
  return null
}

/** The refusal of a form the page does not have (an unknown `intent`), for the top of the page. */
export function strayRefusal(result: Reply, intents: readonly string[]) {
  const intent = result?.initialValue?.intent
  if (!result?.error || (typeof intent === 'string' && intents.includes(intent))) return null
  return Object.values(result.error).find((errors) => errors?.length)?.[0] ?? null
}

const handlePattern = /^[a-z0-9-]{1,60}$/

/**
 * The notice a section's action redirected with (`?notice=…&handle=…`), worded by `messages`.
 * Only the wording comes from the page: a handle that is not a handle shows nothing.
 */
export function useActionNotice<K extends string>(messages: Record<K, (q: { handle: string; role: string }) => string>) {
  const [searchParams] = useSearchParams()
  // A form sent since the notice was written answers for itself.
  const sentSince = useActionData() !== undefined
  const notice = searchParams.get('notice')
  const handle = searchParams.get('handle') ?? ''
  if (sentSince || !notice || !Object.hasOwn(messages, notice)) return null
  if (searchParams.has('handle') && !handlePattern.test(handle)) return null
  const key = notice as K
  const message = messages[key]({ handle, role: searchParams.get('role') ?? '' })
  /** The notice when it answers one of these forms' `notices`, for that part of the page. */
  return { key, message, of: (...keys: K[]) => (keys.includes(key) ? message : null) }
}

/** Changes after each successful action, so a section's forms start empty again. */
export function useFormGeneration() {
  const [searchParams] = useSearchParams()
  return searchParams.get('at') ?? 'new'
}

/** A doctor's handle, typed; its error shows beside it. */
export function HandleInput({ field, list }: { field: FieldMetadata<string>; list?: string }) {
  return (
    <>
      <input
        {...getInputProps(field, { type: 'text' })}
        autoCapitalize="none"
        spellCheck={false}
        placeholder="asha-rao"
        list={list}
        className={inputClass}
      />
      <FieldErrors id={field.errorId} errors={field.errors} />
    </>
  )
}

/** One button that sends one action about one row (a member, a ban, an invitation, a link). */
export function RowAction({
  intent,
  fields,
  label,
  ariaLabel,
  danger,
  pending,
}: {
  intent: string
  fields: Record<string, string>
  label: string
  ariaLabel?: string
  danger?: boolean
  pending: boolean
}) {
  return (
    <Form method="post">
      <input type="hidden" name="intent" value={intent} />
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" className={danger ? dangerButton : smallButton} disabled={pending} aria-label={ariaLabel}>
        {label}
      </button>
    </Form>
  )
}
