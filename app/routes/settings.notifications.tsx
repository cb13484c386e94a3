import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { PublicError } from '#db/errors'
import { getCommunicationPreferences, updateCommunicationPreferences, type CommunicationChoices } from '#db/privacy/index'
import { CHANNELS, OPTIONAL_KINDS, type Channel, type MessageKind } from '#db/privacy-choices'
import { deliverableChannels } from '#server/notifications/channels'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { SettingsNav } from '~/components/settings-nav'
import { requireUser } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'

export const meta: MetaFunction = () => [{ title: 'Notifications — Rounds' }]

const fieldName = (channel: Channel, kind: MessageKind) => `${channel}-${kind}`

const ticked = z.literal('on', { errorMap: () => ({ message: 'Tick the boxes or leave them empty.' }) }).optional()

/** One checkbox per channel and optional kind; service messages are not a choice. */
const Choices = z.object(
  Object.fromEntries(CHANNELS.flatMap((channel) => OPTIONAL_KINDS.map((kind) => [fieldName(channel, kind), ticked]))),
)

const channelLabels: Record<Channel, string> = { email: 'Email', sms: 'SMS', whatsapp: 'WhatsApp', push: 'Push' }
const kindLabels: Record<MessageKind, { label: string; hint: string }> = {
  service: { label: 'Service', hint: 'Sign-in codes, security and policy notices. Always on.' },
  engagement: { label: 'Activity', hint: 'Talk reminders, follows and replies.' },
  promotional: { label: 'News and offers', hint: 'New features, events and partner offers.' },
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { userId } = requireUser(context, request)
  // Only channels Rounds can deliver on are offered: a switch for the others would do nothing.
  return json({ prefs: await getCommunicationPreferences(userId), channels: deliverableChannels() })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { userId } = requireUser(context, request)
  const parsed = Choices.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) return json({ ok: false, message: parsed.error.issues[0].message }, { status: 400 })
  // A channel not offered keeps what is stored, so the choice applies again once it can be delivered.
  const offered = new Set(deliverableChannels())
  const stored = await getCommunicationPreferences(userId)
  const choices = Object.fromEntries(
    CHANNELS.map((channel) => [
      channel,
      Object.fromEntries(OPTIONAL_KINDS.map((kind) => [kind, offered.has(channel) ? parsed.data[fieldName(channel, kind)] === 'on' : stored[channel][kind]])),
    ]),
  ) as CommunicationChoices
  try {
    await updateCommunicationPreferences(userId, choices)
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ ok: false, message: error.message }, { status: error.status })
  }
  return json({ ok: true, message: 'Notification choices saved.' })
}

export default function NotificationSettingsRoute() {
  const { prefs, channels } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  return (
    <div className="mx-auto max-w-2xl">
      <SettingsNav />
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-2xl font-semibold">Notifications</h1>
        <p className="mt-2 text-slate-600">
          Choose what we send you, and how. Every email other than a service message has an unsubscribe link. Everything also appears in your{' '}
          <Link to="/notifications" className="font-medium text-brand-700 underline">
            notifications
          </Link>
          .
        </p>
        {result ? (
          <p role={result.ok ? 'status' : 'alert'} className={`mt-4 rounded-md p-3 ${result.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
            {result.message}
          </p>
        ) : null}
        <Form method="post" className="mt-4 space-y-4" key={JSON.stringify(prefs)}>
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">Messages by kind and channel</caption>
              <thead>
                <tr>
                  <th scope="col" className="py-2 pr-4 font-medium">
                    Kind
                  </th>
                  <th scope="col" className="px-2 py-2 text-center font-medium">
                    In Rounds
                  </th>
                  {channels.map((channel) => (
                    <th key={channel} scope="col" className="px-2 py-2 text-center font-medium">
                      {channelLabels[channel]}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200">
                {(['service', ...OPTIONAL_KINDS] as const).map((kind) => (
                  <tr key={kind}>
                    <th scope="row" className="py-3 pr-4 font-normal">
                      <span className="font-medium">{kindLabels[kind].label}</span>
                      <span className="block text-xs text-slate-500">{kindLabels[kind].hint}</span>
                    </th>
                    <td className="px-2 py-3 text-center text-slate-600">{kind === 'promotional' ? '—' : 'Always'}</td>
                    {channels.map((channel) => (
                      <td key={channel} className="px-2 py-3 text-center">
                        <input
                          type="checkbox"
                          aria-label={`${kindLabels[kind].label} by ${channelLabels[channel]}`}
                          {...(kind === 'service'
                            ? { checked: true, disabled: true, readOnly: true }
                            : { name: fieldName(channel, kind), defaultChecked: prefs[channel][kind] })}
                        />
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
            Save notification choices
          </button>
        </Form>
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
