import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, useActionData, useLoaderData, type ShouldRevalidateFunction } from '@remix-run/react'
import { openReceipt, receiptState } from '#db/data-rights/index'
import { checkSignedLink } from '#server/signed-links'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { LocalTime } from '~/utils/time-zone'
import { orErrorPage } from '~/utils/error-page'

export const meta: MetaFunction = () => [{ title: 'Erasure receipt — Rounds' }, { name: 'robots', content: 'noindex' }]

// The receipt link was mailed to the address the account had; the account is gone, so the
// signed link is the only key. Opening it takes a button press (a POST), so a mail scanner
// that follows links does not spend the one view.

const GONE = 'This receipt has already been opened, or its link has expired. The email we sent has the same details.'

async function check(request: Request, id: string) {
  if (!/^[0-9a-f-]{36}$/.test(id)) throw new Response('We could not find that receipt.', { status: 404 })
  const link = checkSignedLink(new URL(request.url), 'receipt', id)
  if (link === 'invalid') throw new Response('We could not find that receipt.', { status: 404 })
  const state = await receiptState(id)
  if (!state) throw new Response('We could not find that receipt.', { status: 404 })
  if (link === 'expired' || state.state !== 'ready') throw new Response(GONE, { status: 410 })
}

// After the one view the loader answers 410; re-running it would replace the receipt just shown.
export const shouldRevalidate: ShouldRevalidateFunction = () => false

export async function loader({ request, params }: LoaderFunctionArgs) {
  await check(request, params.id ?? '')
  return json({ ready: true })
}

export async function action({ request, params }: ActionFunctionArgs) {
  const id = params.id ?? ''
  await check(request, id)
  return json({ receipt: await orErrorPage(openReceipt(id)) })
}

function Counts({ counts }: { counts: Record<string, number> }) {
  const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b))
  if (!entries.length) return <p className="text-sm text-slate-600">None.</p>
  return (
    <table className="mt-2 w-full text-sm">
      <tbody>
        {entries.map(([table, n]) => (
          <tr key={table} className="border-b border-slate-100">
            <td className="py-1 font-mono">{table}</td>
            <td className="py-1 text-right">{n}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

export default function ReceiptRoute() {
  useLoaderData<typeof loader>()
  const opened = useActionData<typeof action>()
  const receipt = opened?.receipt
  return (
    <section className="mx-auto max-w-2xl rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h1 className="text-2xl font-semibold">Erasure receipt</h1>
      {!receipt ? (
        <>
          <p className="mt-2 text-slate-600">This receipt can be shown once. Save or print it when it opens.</p>
          <Form method="post" className="mt-4">
            <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
              Show my receipt
            </button>
          </Form>
        </>
      ) : (
        <div data-testid="receipt">
          <p className="mt-2 text-slate-600">Your account was erased on <LocalTime at={receipt.erasedAt} style="dateTime" />.</p>
          <h2 className="mt-6 font-semibold">Removed (table: rows)</h2>
          <Counts counts={receipt.removed} />
          <h2 className="mt-6 font-semibold">Unlinked from you (rows that stay, without your name)</h2>
          <Counts counts={receipt.unlinked} />
          <h2 className="mt-6 font-semibold">Also done</h2>
          <ul className="mt-2 list-disc pl-5 text-sm">
            {receipt.also.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
          <h2 className="mt-6 font-semibold">Kept, and why</h2>
          <ul className="mt-2 space-y-2 text-sm">
            {receipt.kept.map((k, i) => (
              <li key={i}>
                <span className="font-mono">{k.table}</span>: {k.what} <span className="text-slate-600">{k.why}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
