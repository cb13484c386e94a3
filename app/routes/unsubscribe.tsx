import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { PublicError } from '#db/errors'
import { unsubscribeByToken, unsubscribeTokenUsed, type Channel, type MessageKind } from '#db/privacy/index'
import { UNSUBSCRIBE_TOKEN_MAX_LENGTH, verifyUnsubscribeToken, type VerifiedToken } from '#server/mail/unsubscribe'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { readForm } from '~/utils/form.server'

/*
 * One-click unsubscribe (RFC 8058). GET shows a confirmation, because mail
 * scanners open links; POST — from that page or straight from a mail client's
 * "Unsubscribe" button, with no cookie and no Origin — does it. The signed
 * token is the only authority: a post from another site is taken when the token is in the
 * address, as in every link Rounds sends (server/http/security.ts, originCheck's tokenPaths).
 */

export const meta: MetaFunction = () => [{ title: 'Unsubscribe — Rounds' }, { name: 'robots', content: 'noindex' }]

const INVALID = 'This unsubscribe link is not valid. You can change what we send in Settings → Notifications.'
const EXPIRED = 'This unsubscribe link has expired. You can change what we send in Settings → Notifications.'

const what: Record<Exclude<MessageKind, 'service'>, string> = {
  engagement: 'activity updates (talk reminders, follows and replies)',
  promotional: 'news and offers',
}
const channelName: Record<Channel, string> = { email: 'email', sms: 'SMS', whatsapp: 'WhatsApp', push: 'push notifications' }

function describe(kind: MessageKind, channel: Channel) {
  return kind === 'service' ? '' : `${what[kind]} by ${channelName[channel]}`
}

function failure(verified: Extract<VerifiedToken, { ok: false }>) {
  return verified.reason === 'expired' ? { status: 410, message: EXPIRED } : { status: 400, message: INVALID }
}

export async function loader({ request }: LoaderFunctionArgs) {
  const token = new URL(request.url).searchParams.get('token')
  const verified = verifyUnsubscribeToken(token)
  if (!verified.ok) {
    const { status, message } = failure(verified)
    throw new Response(message, { status })
  }
  const { claims } = verified
  return json({
    token: token!,
    description: describe(claims.kind, claims.channel),
    already: await unsubscribeTokenUsed(claims.tokenId),
  })
}

export async function action({ request }: ActionFunctionArgs) {
  const fromUrl = new URL(request.url).searchParams.get('token')
  const form = await readForm(request)
  const fromForm = form.get('token')
  const token = fromUrl ?? (typeof fromForm === 'string' && fromForm.length <= UNSUBSCRIBE_TOKEN_MAX_LENGTH ? fromForm : null)
  const verified = verifyUnsubscribeToken(token)
  if (!verified.ok) {
    const { status, message } = failure(verified)
    return json({ ok: false as const, message }, { status })
  }
  const description = describe(verified.claims.kind, verified.claims.channel)
  try {
    const outcome = await unsubscribeByToken(verified.claims)
    return json({
      ok: true as const,
      outcome,
      message: outcome === 'unsubscribed' ? `Done: we will not send you ${description} any more.` : `You are already unsubscribed from ${description}.`,
    })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ ok: false as const, message: error.message }, { status: error.status })
  }
}

export default function UnsubscribeRoute() {
  const { token, description, already } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  return (
    <section className="mx-auto max-w-md rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
      <h1 className="text-2xl font-semibold">Unsubscribe</h1>
      {result ? (
        <p role={result.ok ? 'status' : 'alert'} className={`mt-4 rounded-md p-3 ${result.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
          {result.message}
        </p>
      ) : already ? (
        <p className="mt-4 text-slate-700">You are already unsubscribed from {description}.</p>
      ) : (
        <Form method="post" className="mt-4 space-y-4">
          <p className="text-slate-700">Stop sending me {description}?</p>
          <input type="hidden" name="token" value={token} />
          <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
            Unsubscribe
          </button>
        </Form>
      )}
      <p className="mt-6 text-sm text-slate-600">
        Service messages, such as sign-in codes, are always sent.{' '}
        <Link to="/settings/notifications" className="font-medium text-brand-700 underline">
          All notification settings
        </Link>
      </p>
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
