import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { PublicError } from '#db/errors'
import { getReminderOffsets, setReminderOffsets } from '#db/notifications/reminders'
import { DIGEST_HOUR, getDailyDigest, setDailyDigest } from '#db/notifications/digest'
import { getTimeZonePreference } from '#db/time-zone-preference'
import { REMINDER_OFFSETS, type ReminderOffset } from '#db/notifications/reminder-offsets'
import { getCommunicationPreferences, updateCommunicationPreferences, type CommunicationChoices } from '#db/privacy/index'
import { CHANNELS, OPTIONAL_KINDS, type Channel, type MessageKind } from '#db/privacy-choices'
import { deliverableChannels } from '#server/notifications/channels'
import { sendTextMessage, textChannelsConfigured } from '#server/notifications/sms'
import { PHONE_CODE_MINUTES, confirmPhoneNumber, getPhoneNumber, removePhoneNumber, startPhoneConfirmation } from '#db/phone-numbers'
import { listPushSubscriptions } from '#db/notifications/push-subscriptions'
import { vapidKeys } from '#server/notifications/push'
import { BrowserNotifications } from '~/components/browser-notifications'
import { deviceName } from '~/utils/device-name.server'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { SettingsNav } from '~/components/settings-nav'
import { requireUser } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'
import { ActionMessage, useSettledActionData } from '~/utils/action-message'

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

const reminderField = (offset: number) => `remind-${offset}`
const reminderLabel = (offset: number) => (offset >= 120 ? `${offset / 60} hours before` : offset === 60 ? '1 hour before' : `${offset} minutes before`)

/** Talk reminders: one checkbox per offered time; none ticked means no reminders. Built in the action, so the list stays on the server. */
const reminderChoices = () =>
  z.object({
    intent: z.literal('reminders'),
    ...Object.fromEntries(REMINDER_OFFSETS.map((offset) => [reminderField(offset), ticked])),
  })

/** Texts carry only the notices that cannot wait (db/notifications/kinds.ts, `text`): activity, never news or service. */
const TEXT_CHANNELS: readonly Channel[] = ['sms', 'whatsapp']
const textCell = (channel: Channel, kind: MessageKind) => TEXT_CHANNELS.includes(channel) && kind !== 'engagement'

/** The member's phone for texts, where this server can send them; null where it cannot (then nothing about texts is shown). */
async function textPhone(userId: string) {
  const channels = textChannelsConfigured()
  if (channels.length === 0) return null
  const phone = await getPhoneNumber(userId)
  return {
    channels,
    number: phone.number,
    verifiedAt: phone.verifiedAt?.toISOString() ?? null,
    pending: phone.pending ? { number: phone.pending.number, expiresAt: phone.pending.expiresAt.toISOString() } : null,
  }
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { userId, viewer } = requireUser(context, request)
  const phone = await textPhone(userId)
  // Only channels Rounds can deliver on are offered: a switch for the others would do nothing.
  return json({
    prefs: await getCommunicationPreferences(userId),
    channels: deliverableChannels({ phoneNumber: phone?.number }),
    phone,
    // The times on offer come with the page: the list lives beside the queries, not in the browser bundle.
    reminders: { offered: [...REMINDER_OFFSETS] as number[], chosen: (await getReminderOffsets(viewer)) as number[] },
    push: await browserPush(userId),
    digest: { daily: await getDailyDigest(viewer), hour: DIGEST_HOUR, timeZone: await getTimeZonePreference(userId) },
  })
}

const DigestChoice = z.object({
  intent: z.literal('digest'),
  digest: z.enum(['each', 'daily'], { errorMap: () => ({ message: 'Choose “as they happen” or “once a day”.' }) }),
})

async function saveDigest(viewer: ReturnType<typeof requireUser>['viewer'], form: Record<string, unknown>) {
  const parsed = DigestChoice.safeParse(form)
  if (!parsed.success) return json({ ok: false, message: parsed.error.issues[0].message }, { status: 400 })
  await setDailyDigest(viewer, parsed.data.digest === 'daily')
  return json({
    ok: true,
    message: parsed.data.digest === 'daily' ? 'Saved: follows and invitations come in one email a day.' : 'Saved: activity emails come as they happen.',
  })
}

/** The browsers subscribed to push, and the key a new one subscribes with; null where push is not set up. */
async function browserPush(userId: string) {
  const keys = vapidKeys()
  if (!keys) return null
  const devices = await listPushSubscriptions(userId)
  return {
    publicKey: keys.publicKey,
    devices: devices.map((d) => ({ id: d.id, device: deviceName(d.userAgent), createdAt: d.createdAt.toISOString(), endpointTag: d.endpointTag })),
  }
}

async function saveReminders(viewer: ReturnType<typeof requireUser>['viewer'], form: Record<string, unknown>) {
  const parsed = reminderChoices().safeParse(form)
  if (!parsed.success) return json({ ok: false, message: parsed.error.issues[0].message }, { status: 400 })
  const data = parsed.data as Record<string, unknown>
  const chosen = await setReminderOffsets(
    viewer,
    REMINDER_OFFSETS.filter((offset: ReminderOffset) => data[reminderField(offset)] === 'on'),
  )
  return json({ ok: true, message: chosen.length > 0 ? 'Reminder times saved.' : 'Saved: you will get no talk reminders.' })
}

const textChannelName = (channel: 'sms' | 'whatsapp') => (channel === 'sms' ? 'SMS' : 'WhatsApp')

/** Adding, confirming and removing the phone number texts go to. */
async function savePhone(userId: string, form: Record<string, unknown>) {
  const channels = textChannelsConfigured()
  if (channels.length === 0) return json({ where: 'phone' as const, ok: false, message: 'Text messages are not available here.' }, { status: 404 })
  try {
    if (form.intent === 'phone-remove') {
      await removePhoneNumber(userId)
      return json({ where: 'phone' as const, ok: true, message: 'Phone number removed: no more text messages.' })
    }
    if (form.intent === 'phone-confirm') {
      const { number } = await confirmPhoneNumber(userId, form.code)
      return json({ where: 'phone' as const, ok: true, message: `${number} is confirmed. Choose below what comes by text.` })
    }
    const { number, code } = await startPhoneConfirmation(userId, form.phone)
    const channel = channels[0]
    try {
      await sendTextMessage({
        channel,
        to: number,
        text: `Rounds: your code is ${code}. It works for ${PHONE_CODE_MINUTES} minutes. If you did not ask for it, ignore this message.`,
        reference: `phone-code:${userId}:${Date.now()}`,
      })
    } catch (error) {
      console.error('[rounds] A phone confirmation code could not be sent.', error)
      return json({ where: 'phone' as const, ok: false, message: `We could not send a code to ${number} just now. Check the number and try again in a few minutes.` }, { status: 422 })
    }
    return json({ where: 'phone' as const, ok: true, message: `We sent a code by ${textChannelName(channel)} to ${number}. Enter it below.` })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ where: 'phone' as const, ok: false, message: error.message }, { status: error.status })
  }
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { userId, viewer } = requireUser(context, request)
  const form = Object.fromEntries(await readForm(request))
  if (form.intent === 'reminders') return saveReminders(viewer, form)
  if (form.intent === 'digest') return saveDigest(viewer, form)
  if (form.intent === 'phone-send' || form.intent === 'phone-confirm' || form.intent === 'phone-remove') return savePhone(userId, form)
  const parsed = Choices.safeParse(form)
  if (!parsed.success) return json({ ok: false, message: parsed.error.issues[0].message }, { status: 400 })
  // A channel not offered keeps what is stored, so the choice applies again once it can be delivered.
  const offered = new Set(deliverableChannels({ phoneNumber: (await getPhoneNumber(userId)).number }))
  const stored = await getCommunicationPreferences(userId)
  const choices = Object.fromEntries(
    CHANNELS.map((channel) => [
      channel,
      Object.fromEntries(
        OPTIONAL_KINDS.map((kind) => [
          kind,
          offered.has(channel) && !textCell(channel, kind) ? parsed.data[fieldName(channel, kind)] === 'on' : stored[channel][kind],
        ]),
      ),
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
  const { prefs, channels, reminders, push, digest, phone } = useLoaderData<typeof loader>()
  const result = useSettledActionData<typeof action>()
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
        <ActionMessage result={result && !('where' in result) ? result : undefined} className="mt-4" />
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
                    {channels.map((channel) =>
                      textCell(channel, kind) ? (
                        <td key={channel} className="px-2 py-3 text-center text-slate-600">
                          —
                        </td>
                      ) : (
                      <td key={channel} className="px-2 py-3 text-center">
                        <input
                          type="checkbox"
                          aria-label={`${kindLabels[kind].label} by ${channelLabels[channel]}`}
                          {...(kind === 'service'
                            ? { checked: true, disabled: true, readOnly: true }
                            : { name: fieldName(channel, kind), defaultChecked: prefs[channel][kind] })}
                        />
                      </td>
                      ),
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {channels.some((channel) => TEXT_CHANNELS.includes(channel)) ? (
            <p className="text-xs text-slate-500">
              By text, only what cannot wait: talk reminders, a talk going live, and changes to talks you are going to.
            </p>
          ) : null}
          <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
            Save notification choices
          </button>
        </Form>
      </section>
      {phone ? <TextMessagesPhone phone={phone} result={result && 'where' in result ? result : null} /> : null}
      {prefs.email.engagement ? (
        <section className="mt-6 rounded-xl border border-slate-200 bg-white p-6 shadow-sm" aria-labelledby="email-digest">
          <h2 id="email-digest" className="text-xl font-semibold">
            Activity emails
          </h2>
          <p className="mt-2 text-slate-600">
            Follows, follow requests and club invitations can come one email each, or together in one email a day, after {digest.hour}:00 your time (
            {digest.timeZone ?? 'UTC'} —{' '}
            <Link to="/settings/time-zone" className="font-medium text-brand-700 underline">
              change
            </Link>
            ). Talk reminders, talk changes and security messages always come when they happen.
          </p>
          <Form method="post" className="mt-4 space-y-4" key={String(digest.daily)}>
            <input type="hidden" name="intent" value="digest" />
            <fieldset>
              <legend className="text-sm font-medium">Send them</legend>
              <div className="mt-2 flex flex-wrap gap-x-6 gap-y-2">
                <label className="flex items-center gap-2">
                  <input type="radio" name="digest" value="each" defaultChecked={!digest.daily} />
                  As they happen
                </label>
                <label className="flex items-center gap-2">
                  <input type="radio" name="digest" value="daily" defaultChecked={digest.daily} />
                  Once a day, in a digest
                </label>
              </div>
            </fieldset>
            <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
              Save
            </button>
          </Form>
        </section>
      ) : null}
      {push ? <BrowserNotifications publicKey={push.publicKey} devices={push.devices} /> : null}
      <section className="mt-6 rounded-xl border border-slate-200 bg-white p-6 shadow-sm" aria-labelledby="talk-reminders">
        <h2 id="talk-reminders" className="text-xl font-semibold">
          Talk reminders
        </h2>
        <p className="mt-2 text-slate-600">
          Before a talk you are going to or hosting, we remind you in Rounds and on each channel ticked for Activity above. Calendar files you
          download carry the same reminders.
        </p>
        <Form method="post" className="mt-4 space-y-4" key={reminders.chosen.join(',')}>
          <input type="hidden" name="intent" value="reminders" />
          <fieldset>
            <legend className="text-sm font-medium">Remind me</legend>
            <div className="mt-2 flex flex-wrap gap-x-6 gap-y-2">
              {reminders.offered.map((offset) => (
                <label key={offset} className="flex items-center gap-2">
                  <input type="checkbox" name={reminderField(offset)} defaultChecked={reminders.chosen.includes(offset)} />
                  {reminderLabel(offset)}
                </label>
              ))}
            </div>
            <p className="mt-2 text-xs text-slate-500">Untick all for no reminders.</p>
          </fieldset>
          <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
            Save reminder times
          </button>
        </Form>
      </section>
    </div>
  )
}

type TextPhone = NonNullable<ReturnType<typeof useLoaderData<typeof loader>>['phone']>

const submitClass = 'rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700'
const secondaryClass = 'rounded-md border border-slate-300 bg-white px-4 py-2 font-semibold text-slate-800 hover:bg-slate-50'

/** The number texts go to: add one, confirm it with the code texted to it, change or remove it. */
function TextMessagesPhone({ phone, result }: { phone: TextPhone; result: { ok: boolean; message: string } | null }) {
  const names = phone.channels.map((channel) => (channel === 'sms' ? 'SMS' : 'WhatsApp')).join(' and ')
  return (
    <section className="mt-6 rounded-xl border border-slate-200 bg-white p-6 shadow-sm" aria-labelledby="text-messages">
      <h2 id="text-messages" className="text-xl font-semibold">
        Text messages
      </h2>
      {phone.number ? (
        <p className="mt-2 text-slate-600">
          {names} messages go to <span className="font-semibold text-slate-900">{phone.number}</span>, as you choose above. Only you see this number.
        </p>
      ) : (
        <p className="mt-2 text-slate-600">
          Get talk reminders by {names}: add your mobile number and confirm it with the code we text you. Only you see it.
        </p>
      )}
      <ActionMessage result={result ?? undefined} className="mt-4" />
      {phone.pending ? (
        <Form method="post" className="mt-4 space-y-3" key={`confirm-${phone.pending.number}`}>
          <input type="hidden" name="intent" value="phone-confirm" />
          <label className="block text-sm font-medium" htmlFor="phone-code">
            Code sent to {phone.pending.number}
          </label>
          <input
            id="phone-code"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9 ]*"
            maxLength={7}
            required
            className="block w-40 rounded-md border border-slate-300 px-3 py-2 tracking-widest"
          />
          <button type="submit" className={submitClass}>
            Confirm number
          </button>
        </Form>
      ) : null}
      <Form method="post" className="mt-4 space-y-3" key={`send-${phone.number ?? ''}-${phone.pending?.number ?? ''}`}>
        <input type="hidden" name="intent" value="phone-send" />
        <label className="block text-sm font-medium" htmlFor="phone-number">
          {phone.number ? 'Change to another number' : phone.pending ? 'Use another number' : 'Mobile number'}
        </label>
        <input
          id="phone-number"
          name="phone"
          type="tel"
          autoComplete="tel"
          placeholder="+447700900123"
          maxLength={24}
          required
          aria-describedby="phone-number-hint"
          className="block w-full max-w-xs rounded-md border border-slate-300 px-3 py-2"
        />
        <p id="phone-number-hint" className="text-xs text-slate-500">
          With its country code. We text a code to it; texts go to it only once you confirm.
        </p>
        <button type="submit" className={phone.pending ? secondaryClass : submitClass}>
          {phone.pending ? 'Send a new code' : 'Send code'}
        </button>
      </Form>
      {phone.number || phone.pending ? (
        <Form method="post" className="mt-4">
          <input type="hidden" name="intent" value="phone-remove" />
          <button type="submit" className={secondaryClass}>
            Remove phone number
          </button>
        </Form>
      ) : null}
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
