import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { useLoaderData, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { getCookieConsent, saveCookieConsent } from '#db/privacy/index'
import { CookieChoicesForm } from '~/components/cookie-banner'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { safeRedirectPath } from '~/utils/auth.server'
import { consentCookie, newConsentId, readConsentId } from '~/utils/consent.server'
import { readForm } from '~/utils/form.server'
import { LocalTime } from '~/utils/time-zone'

export const meta: MetaFunction = () => [{ title: 'Cookie settings — Rounds' }]

const ticked = z.literal('on', { errorMap: () => ({ message: 'Tick the box or leave it empty.' }) }).optional()

const CookieChoices = z.object({
  intent: z.enum(['save', 'accept-all', 'reject-all'], { errorMap: () => ({ message: 'Choose which cookies to allow.' }) }),
  performance: ticked,
  functionality: ticked,
  targeting: ticked,
  redirectTo: z.string().max(2000).optional(),
})

export async function loader({ request, context }: LoaderFunctionArgs) {
  const consent = await getCookieConsent({ userId: context.viewer?.userId, consentId: readConsentId(request) })
  return json({
    consent: consent
      ? {
          performance: consent.performance,
          functionality: consent.functionality,
          targeting: consent.targeting,
          savedAt: consent.createdAt.toISOString(),
          current: consent.current,
        }
      : null,
  })
}

/** Saves a choice, from the banner or this page, as a plain form post (no JavaScript needed). */
export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = CookieChoices.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) return json({ ok: false, message: parsed.error.issues[0].message }, { status: 400 })
  const { intent, redirectTo } = parsed.data
  const choices =
    intent === 'accept-all'
      ? { performance: true, functionality: true, targeting: true }
      : intent === 'reject-all'
        ? { performance: false, functionality: false, targeting: false }
        : {
            performance: parsed.data.performance === 'on',
            functionality: parsed.data.functionality === 'on',
            targeting: parsed.data.targeting === 'on',
          }
  const consentId = readConsentId(request) ?? newConsentId()
  await saveCookieConsent({ userId: context.viewer?.userId ?? null, consentId }, choices)
  const back = safeRedirectPath(redirectTo, '/cookies', context.publicUrl)
  const to = back === '/cookies' || back.startsWith('/cookies?') ? '/cookies?saved=1' : back
  return redirect(to, { headers: { 'Set-Cookie': consentCookie(consentId) } })
}

export default function CookieSettingsRoute() {
  const { consent } = useLoaderData<typeof loader>()
  const [searchParams] = useSearchParams()
  return (
    <section className="mx-auto max-w-2xl rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h1 className="text-2xl font-semibold">Cookie settings</h1>
      <p className="mt-2 text-slate-600">
        Choose which cookies Rounds may use. You can change this at any time; withdrawing a choice stops that use at once.
      </p>
      {searchParams.get('saved') ? (
        <p role="status" className="mt-4 rounded-md bg-brand-50 p-3 text-brand-900">
          Your cookie choices are saved.
        </p>
      ) : null}
      {consent ? (
        <p className="mt-2 text-sm text-slate-500">Last saved <LocalTime at={consent.savedAt} style="dateTime" />.</p>
      ) : (
        <p className="mt-2 text-sm text-slate-500">You have not chosen yet, so only strictly necessary cookies are used.</p>
      )}
      <div className="mt-4">
        <CookieChoicesForm key={consent?.savedAt ?? 'none'} value={consent} redirectTo="/cookies" />
      </div>
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
