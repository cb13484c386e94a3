import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, isRouteErrorResponse, useActionData, useLoaderData, useRouteError } from '@remix-run/react'
import { z } from 'zod'
import { APP_SCOPES, findAppForConsent, isAppScope, listMyPrivateClubs, mayAuthorise, recordAuthorisation } from '#db/apps/index'
import { approveInteraction, consentInteraction, refuseInteraction } from '#server/apps/provider'
import { requireUser } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'

export const meta: MetaFunction = () => [{ title: 'Connect an app — Rounds' }]

const ConsentForm = z.object({
  intent: z.enum(['allow', 'deny']),
  club: z.array(z.string().uuid()).max(500).default([]),
})

const EXPIRED = 'This link has expired or was opened in another browser. Go back to the app and start again.'

async function loadConsent(request: Request, uid: string, userId: string) {
  const interaction = await consentInteraction(request, uid)
  if (!interaction) throw json({ message: EXPIRED }, { status: 400 })
  const clientId = String(interaction.params.client_id)
  const app = await findAppForConsent(clientId)
  if (!app) throw json({ message: 'This app is not registered with Rounds.' }, { status: 404 })
  const scopes = String(interaction.params.scope ?? '')
    .split(' ')
    .filter(isAppScope)
  return { clientId, app, scopes, allowed: await mayAuthorise(userId, clientId) }
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { userId, viewer } = requireUser(context, request)
  const { app, scopes, allowed } = await loadConsent(request, params.uid ?? '', userId)
  const clubs = allowed && scopes.includes('clubs:read') ? await listMyPrivateClubs(viewer) : []
  return json(
    {
      app: { name: app.name, description: app.description, homepageUrl: app.homepageUrl, privacyUrl: app.privacyUrl, logoUrl: app.logoUrl, developer: app.developer, status: app.status },
      permissions: scopes.filter((s) => s !== 'openid').map((s) => ({ scope: s, text: APP_SCOPES[s] })),
      clubs,
      allowed,
    },
    { status: allowed ? 200 : 403, headers: { 'Cache-Control': 'no-store' } },
  )
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { userId, viewer } = requireUser(context, request)
  const uid = params.uid ?? ''
  const form = await readForm(request)
  const parsed = ConsentForm.safeParse({ intent: form.get('intent'), club: form.getAll('club') })
  if (!parsed.success) return json({ message: 'Choose Allow or Cancel.' }, { status: 400 })
  const { clientId, scopes, allowed } = await loadConsent(request, uid, userId)
  if (parsed.data.intent === 'deny' || !allowed) {
    const returnTo = await refuseInteraction(
      request,
      uid,
      'access_denied',
      allowed ? 'The member did not allow access.' : 'This app is in development; only its developer and testers may authorise it.',
    )
    if (!returnTo) return json({ message: EXPIRED }, { status: 400 })
    return continueTo(returnTo)
  }
  const approved = await approveInteraction(request, uid, userId, scopes)
  if (!approved) return json({ message: EXPIRED }, { status: 400 })
  await recordAuthorisation(viewer, clientId, { scopes, sharedClubIds: parsed.data.club, grantId: approved.grantId })
  return continueTo(approved.returnTo)
}

/**
 * The way back to the app is a page that moves on by itself (a Refresh header, and a link),
 * not a redirect: the Content-Security-Policy's form-action 'self' also covers the redirects
 * after a form post, and the last of them leads to the app's own site.
 */
function continueTo(url: string) {
  return json({ continueTo: url }, { headers: { Refresh: `0; url=${url}`, 'Cache-Control': 'no-store' } })
}

export const headers: HeadersFunction = ({ actionHeaders, loaderHeaders }) => {
  const headers = new Headers({ 'Cache-Control': loaderHeaders.get('Cache-Control') ?? 'no-store' })
  const refresh = actionHeaders.get('Refresh')
  if (refresh) headers.set('Refresh', refresh)
  return headers
}

// Plain document posts: the answer redirects on to the authorisation server and then to the
// app's own site, which a client-side fetch would neither follow nor be allowed to (CSP).
const linkClass = 'text-brand-700 underline hover:text-brand-900'

export default function ConsentRoute() {
  const { app, permissions, clubs, allowed } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  if (result && 'continueTo' in result) {
    return (
      <div className="mx-auto max-w-lg rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <p role="status">
          Taking you back to {app.name}…{' '}
          <a className={linkClass} href={result.continueTo} data-testid="consent-continue">
            Continue
          </a>
        </p>
      </div>
    )
  }
  return (
    <div className="mx-auto max-w-lg">
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <div className="flex items-center gap-3">
          {app.logoUrl ? <img src={app.logoUrl} alt="" width={48} height={48} className="h-12 w-12 rounded-lg object-cover" /> : null}
          <div>
            <h1 className="text-2xl font-semibold" data-testid="consent-app-name">
              {app.name}
            </h1>
            <p className="text-sm text-slate-600">
              by {app.developer.name} (@{app.developer.handle}) · not made by Rounds
            </p>
          </div>
        </div>
        <p className="mt-3 text-slate-700">{app.description}</p>
        <p className="mt-2 text-sm">
          <a className={linkClass} href={app.homepageUrl} rel="noopener noreferrer" target="_blank">
            Website
          </a>{' '}
          ·{' '}
          <a className={linkClass} href={app.privacyUrl} rel="noopener noreferrer" target="_blank">
            Privacy policy
          </a>
        </p>
        {allowed ? (
          <Form method="post" reloadDocument className="mt-5 space-y-4">
            <div>
              <h2 className="font-semibold">{app.name} wants to:</h2>
              <ul className="mt-2 list-disc space-y-1 pl-5 text-slate-800" data-testid="consent-permissions">
                {permissions.map((p) => (
                  <li key={p.scope}>{p.text}</li>
                ))}
              </ul>
              <p className="mt-2 text-sm text-slate-600">It never sees your registration number, your messages, or anyone’s private data.</p>
            </div>
            {clubs.length > 0 ? (
              <fieldset className="rounded-md border border-slate-200 p-3">
                <legend className="px-1 text-sm font-semibold">Private clubs to share (none unless you tick them)</legend>
                {clubs.map((c) => (
                  <label key={c.id} className="flex items-center gap-2 py-1 text-sm">
                    <input type="checkbox" name="club" value={c.id} /> {c.name}
                  </label>
                ))}
              </fieldset>
            ) : null}
            {app.status === 'development' ? (
              <p className="rounded-md bg-amber-50 p-3 text-sm text-amber-900">This app is still being tested and has not been reviewed by Rounds.</p>
            ) : null}
            <p className="text-sm text-slate-600">You can revoke access at any time in Settings → Connected apps.</p>
            <div className="flex flex-wrap gap-3">
              <button type="submit" name="intent" value="allow" className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
                Allow
              </button>
              <button type="submit" name="intent" value="deny" className="rounded-md border border-slate-300 px-4 py-2 hover:bg-slate-50">
                Cancel
              </button>
            </div>
          </Form>
        ) : (
          <Form method="post" reloadDocument className="mt-5 space-y-3">
            <p role="alert" className="rounded-md bg-red-50 p-3 text-red-800">
              {app.status === 'suspended'
                ? 'Rounds has suspended this app. It cannot be connected.'
                : 'This app is still being tested by its developer. Only its testers can connect it for now.'}
            </p>
            <button type="submit" name="intent" value="deny" className="rounded-md border border-slate-300 px-4 py-2 hover:bg-slate-50">
              Back to the app
            </button>
          </Form>
        )}
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  const error = useRouteError()
  const message = isRouteErrorResponse(error) && typeof (error.data as { message?: unknown })?.message === 'string' ? (error.data as { message: string }).message : EXPIRED
  return (
    <div className="mx-auto max-w-lg rounded-xl border border-slate-200 bg-white p-6">
      <h1 className="text-xl font-semibold">Could not connect the app</h1>
      <p className="mt-2 text-slate-700">{message}</p>
    </div>
  )
}
