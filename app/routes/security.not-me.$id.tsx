import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useLoaderData, useLocation } from '@remix-run/react'
import { disownSignInDevice, signInDeviceArmed } from '#db/security-notices'
import { blankSessionCookie } from '#server/auth'
import { readNotMeLink } from '#server/notifications/security'
import { disconnectSessions } from '#server/realtime/index'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { FormCard, SubmitButton } from '~/components/forms'
import { readForm } from '~/utils/form.server'

export const meta: MetaFunction = () => [{ title: 'This wasn’t me — Rounds' }, { name: 'robots', content: 'noindex' }]

const USED = 'This link was already used, or a newer sign-in notice replaced it. If you still see sign-ins you do not recognise, choose a new password.'

/** The device this signed link names; a link changed in any way opens nothing. */
function linkedDevice(request: Request, id: string | undefined) {
  const read = readNotMeLink(new URL(request.url), id ?? '')
  if (read.check === 'valid') return read.device
  if (read.check === 'expired') throw new Response('This link has expired: it works for 7 days. To be safe, choose a new password.', { status: 410 })
  throw new Response('This link is not valid.', { status: 404 })
}

// Opening the link changes nothing (mail scanners open links); the button does.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const device = linkedDevice(request, params.id)
  if (await signInDeviceArmed(device)) return json({ status: 'open' as const })
  if (new URL(request.url).searchParams.get('done') === '1') return json({ status: 'done' as const })
  throw new Response(USED, { status: 410 })
}

export async function action({ request, params }: ActionFunctionArgs) {
  const device = linkedDevice(request, params.id)
  await readForm(request)
  const outcome = await disownSignInDevice(device)
  if (outcome.status === 'used') throw new Response(USED, { status: 410 })
  disconnectSessions(outcome.endedSessionIds)
  const url = new URL(request.url)
  url.searchParams.set('done', '1')
  return redirect(url.pathname + url.search, { headers: { 'Set-Cookie': blankSessionCookie() } })
}

export default function NotMeRoute() {
  const { status } = useLoaderData<typeof loader>()
  const location = useLocation()
  if (status === 'done') {
    return (
      <FormCard title="Every device is signed out">
        <p role="status" className="text-slate-700">
          Your Rounds account is signed out everywhere, including any browser that had push notices on. Now choose a new password, so whoever signed
          in cannot do it again.
        </p>
        <Link to="/forgot-password" className="mt-4 inline-block rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
          Choose a new password
        </Link>
      </FormCard>
    )
  }
  return (
    <FormCard title="Not you? Sign out everywhere">
      <p className="text-slate-700">
        This signs your Rounds account out on every device, this one included, and turns off push notices in every browser. Then you choose a
        new password.
      </p>
      <Form method="post" action={location.pathname + location.search} className="mt-4">
        <SubmitButton>Sign out everywhere</SubmitButton>
      </Form>
    </FormCard>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
