import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { PublicError } from '#db/errors'
import { addWatchedWord, listWatchedWords, removeWatchedWord, requireWatchedWordsKeeper } from '#db/moderation/watched-words'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { inputClass } from '~/components/forms'
import { readForm } from '~/utils/form.server'
import { LocalTime } from '~/utils/time-zone'
import { orErrorPage } from '~/utils/error-page'

export const meta: MetaFunction = () => [{ title: 'Watched words — Rounds' }, { name: 'robots', content: 'noindex' }]

const WordsAction = z.discriminatedUnion(
  'intent',
  [
    // The pattern and the action are checked by addWatchedWord, which says what is wrong with them.
    z.object({ intent: z.literal('add'), pattern: z.string().max(1000), action: z.string().max(20) }),
    z.object({ intent: z.literal('remove'), id: z.string().max(100) }),
  ],
  { errorMap: () => ({ message: 'That request was not understood. Reload the page and try again.' }) },
)

const actionLabel = {
  block: 'Block: refused, nothing is posted',
  hold: 'Hold: posted, hidden from others until a moderator decides',
  flag: 'Flag: posted and shown, and sent to the moderation queue',
} as const

export async function loader({ context }: LoaderFunctionArgs) {
  await orErrorPage(requireWatchedWordsKeeper(context.viewer))
  const words = await listWatchedWords(context.viewer)
  return json({ words: words.map((w) => ({ ...w, createdAt: w.createdAt.toISOString() })) })
}

export async function action({ request, context }: ActionFunctionArgs) {
  // Someone without the duty learns nothing more from the action than from the page.
  await orErrorPage(requireWatchedWordsKeeper(context.viewer))
  const parsed = WordsAction.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) return json({ ok: false as const, message: parsed.error.issues[0].message }, { status: 400 })
  const input = parsed.data
  try {
    if (input.intent === 'add') {
      const added = await addWatchedWord(context.viewer, { pattern: input.pattern, action: input.action })
      return json({ ok: true as const, message: `Added “${added.pattern}”.` })
    }
    const removed = await removeWatchedWord(context.viewer, input.id)
    return json({ ok: true as const, message: `Removed “${removed.pattern}”.` })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ ok: false as const, message: error.message }, { status: error.status })
  }
}


export default function WatchedWordsRoute() {
  const { words } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const busy = useNavigation().state === 'submitting'
  return (
    <div className="mx-auto max-w-4xl space-y-4">
      <h1 className="text-2xl font-semibold">Watched words</h1>
      <p className="text-slate-600">
        Checked in comments, questions, bios, club descriptions and talk titles, as whole words, ignoring case and accents, in any script.
        Use * for any run of letters: <code>scam*</code> also catches “scammer”. A pattern needs at least 2 letters besides *. Changes
        apply everywhere within a few seconds.
      </p>
      {result ? (
        <p role={result.ok ? 'status' : 'alert'} className={result.ok ? 'rounded-md bg-green-50 p-3 text-green-800' : 'rounded-md bg-red-50 p-3 text-red-800'}>
          {result.message}
        </p>
      ) : null}
      <Form method="post" className="flex flex-wrap items-end gap-2 rounded-xl border border-slate-200 bg-white p-4">
        <input type="hidden" name="intent" value="add" />
        <label className="flex-1">
          <span className="text-sm text-slate-600">Word or pattern</span>
          <input name="pattern" required maxLength={100} className={inputClass} />
        </label>
        <label>
          <span className="text-sm text-slate-600">On a match</span>
          <select name="action" defaultValue="hold" className={inputClass}>
            {(['block', 'hold', 'flag'] as const).map((a) => (
              <option key={a} value={a}>
                {actionLabel[a]}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy} className="rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700">
          Add
        </button>
      </Form>
      {words.length === 0 ? (
        <p className="rounded-md bg-slate-50 p-3">No words are watched.</p>
      ) : (
        <ul className="divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white" data-testid="watched-words">
          {words.map((w) => (
            <li key={w.id} className="flex items-center justify-between gap-3 p-3">
              <span>
                <span className="font-medium">{w.pattern}</span> <span className="text-sm text-slate-600">— {w.action}</span>
              </span>
              <span className="flex items-center gap-3 text-sm text-slate-600">
                <span>
                  added <LocalTime at={w.createdAt} style="day" />
                  {w.addedBy ? ` by @${w.addedBy}` : ''}
                </span>
                <Form method="post">
                  <input type="hidden" name="intent" value="remove" />
                  <input type="hidden" name="id" value={w.id} />
                  <button type="submit" disabled={busy} className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-50">
                    Remove
                  </button>
                </Form>
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
