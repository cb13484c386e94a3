import type { ActionFunctionArgs } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { z } from 'zod'
import { PublicError } from '#db/errors'
import { removePushSubscription, renewPushSubscription, savePushSubscription } from '#db/notifications/push-subscriptions'
import { pushConfigured } from '#server/notifications/push'
import { requireUser } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'

/*
 * Browsers subscribed to push notices (Settings → Notifications): the page's switch posts a
 * browser's subscription here with fetch; each listed browser's Remove button is a plain form; the
 * service worker (public/sw.js) renews a subscription the browser replaced.
 */

const PushAction = z.discriminatedUnion('intent', [
  z.object({
    intent: z.literal('subscribe'),
    endpoint: z.string({ required_error: 'The browser sent no push address.' }).max(4096),
    p256dh: z.string({ required_error: 'The browser sent no encryption key.' }).max(200),
    auth: z.string({ required_error: 'The browser sent no authentication secret.' }).max(200),
  }),
  z.object({ intent: z.literal('remove'), id: z.string().uuid('Choose a browser from the list.') }),
  z.object({
    intent: z.literal('renew'),
    oldEndpoint: z.string({ required_error: 'The browser sent no old push address.' }).max(4096),
    endpoint: z.string({ required_error: 'The browser sent no push address.' }).max(4096),
    p256dh: z.string({ required_error: 'The browser sent no encryption key.' }).max(200),
    auth: z.string({ required_error: 'The browser sent no authentication secret.' }).max(200),
  }),
])

export async function action({ request, context }: ActionFunctionArgs) {
  const { userId } = requireUser(context, request)
  const parsed = PushAction.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) return json({ ok: false, message: parsed.error.issues[0].message }, { status: 400 })
  if (parsed.data.intent === 'remove') {
    await removePushSubscription(userId, parsed.data.id)
    // Removed now or already gone: either way the list shows it no more.
    return redirect('/settings/notifications#browsers')
  }
  if (!pushConfigured()) return json({ ok: false, message: 'Browser notifications are not set up on this server.' }, { status: 404 })
  const { endpoint, p256dh, auth } = parsed.data
  try {
    if (parsed.data.intent === 'renew') {
      // The service worker, after the browser replaced its subscription.
      const renewed = await renewPushSubscription(userId, parsed.data.oldEndpoint, { endpoint, keys: { p256dh, auth } })
      if (!renewed) return json({ ok: false, message: 'This browser is not among your browsers for notifications any more.' }, { status: 404 })
      return json({ ok: true, message: 'Browser notifications stay on in this browser.' })
    }
    await savePushSubscription(userId, { endpoint, keys: { p256dh, auth } }, request.headers.get('user-agent'))
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ ok: false, message: error.message }, { status: error.status })
  }
  return json({ ok: true, message: 'Browser notifications are on in this browser.' })
}
