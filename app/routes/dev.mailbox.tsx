import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { listDevMail } from '#db/mailbox'
import { listDevTextMessages } from '#db/dev-text-messages'
import { LocalTime } from '~/utils/time-zone'

export const meta: MetaFunction = () => [{ title: 'Dev mailbox — Rounds' }, { name: 'robots', content: 'noindex' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  if (!context.devMailbox) throw new Response('Not found', { status: 404 })
  const to = new URL(request.url).searchParams.get('to')?.slice(0, 254) || undefined
  const mails = await listDevMail({ to, limit: 50 })
  // SMS and WhatsApp messages kept by the local sink (server/notifications/sms.ts), unfiltered.
  const texts = await listDevTextMessages({ limit: 50 })
  return json({
    mails: mails.map((m) => ({ ...m, sentAt: m.sentAt.toISOString() })),
    texts: texts.map((t) => ({ ...t, sentAt: t.sentAt.toISOString() })),
    to: to ?? '',
  })
}

export default function DevMailboxRoute() {
  const { mails, texts, to } = useLoaderData<typeof loader>()
  return (
    <section className="mx-auto max-w-3xl">
      <h1 className="text-2xl font-semibold">Dev mailbox</h1>
      <p className="mt-2 text-slate-600">
        This server has no SMTP_URL, so emails are kept here instead of being sent. Newest first.
      </p>
      <form method="get" className="mt-4 flex gap-2">
        <label className="sr-only" htmlFor="to">
          Recipient
        </label>
        <input id="to" name="to" type="email" defaultValue={to} placeholder="Filter by recipient" className="flex-1 rounded-md border border-slate-300 px-3 py-2" />
        <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white">
          Filter
        </button>
      </form>
      <ul className="mt-6 space-y-4">
        {mails.length === 0 ? <li className="text-slate-500">No emails yet.</li> : null}
        {mails.map((m) => (
          <li key={m.id} className="rounded-lg border border-slate-200 bg-white p-4" data-testid="mail">
            <p className="text-sm text-slate-500">
              To <span data-testid="mail-to">{m.to}</span> · <LocalTime at={m.sentAt} style="dateTime" />
            </p>
            <h2 className="mt-1 font-semibold" data-testid="mail-subject">
              {m.subject}
            </h2>
            <pre className="mt-2 whitespace-pre-wrap font-sans text-slate-800">{m.text}</pre>
          </li>
        ))}
      </ul>
      <h2 className="mt-10 text-xl font-semibold">Text messages</h2>
      <p className="mt-2 text-slate-600">SMS and WhatsApp messages, kept here because this server has no SMS_PROVIDER_URL. Newest first.</p>
      <ul className="mt-4 space-y-4">
        {texts.length === 0 ? <li className="text-slate-500">No text messages yet.</li> : null}
        {texts.map((t) => (
          <li key={t.id} className="rounded-lg border border-slate-200 bg-white p-4" data-testid="text-message">
            <p className="text-sm text-slate-500">
              {t.channel === 'whatsapp' ? 'WhatsApp' : 'SMS'} to <span data-testid="text-to">{t.to}</span> · <LocalTime at={t.sentAt} style="dateTime" />
            </p>
            <p className="mt-2 whitespace-pre-wrap text-slate-800">{t.text}</p>
          </li>
        ))}
      </ul>
    </section>
  )
}
