import { loadNotificationBell } from '~/utils/notification-bell.server'
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Links, Meta, Outlet, Scripts, ScrollRestoration, useLoaderData, useLocation, useMatches, useRouteLoaderData } from '@remix-run/react'
import type { ReactNode } from 'react'
import { getPageChrome } from '#db/page-chrome'
import { isStaffModerator } from '#db/moderation/index'
import { markSessionSeen } from '#db/session-devices'
import { CookieBanner } from '~/components/cookie-banner'
import { ErasureBanner } from '~/components/erasure-banner'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { Notices } from '~/components/notices'
import { PolicyBanner } from '~/components/policy-banner'
import { SiteFooter, SiteHeader } from '~/components/site-chrome'
import { readConsentId } from '~/utils/consent.server'
import { isPrivatePath } from '~/utils/robots'
import { UTC } from '~/utils/time'
import { timeZoneOf } from '~/utils/time.server'
import { TimeZoneHintScript, useTimeZoneHint } from '~/utils/time-zone'
import styles from '~/tailwind.css?url'

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: styles },
  { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' },
]

export const meta: MetaFunction = () => [
  { title: 'Rounds — live learning for doctors' },
  { name: 'description', content: 'Clubs, live talks, case discussions and quizzes for doctors.' },
]

export async function loader({ request, context }: LoaderFunctionArgs) {
  const userId = context.viewer?.userId ?? null
  const sessionId = context.auth?.session.id
  const isStaff = context.viewer?.role === 'staff'
  const [{ me, erasure, ...privacy }, zone, bell, , staffModerator] = await Promise.all([
    getPageChrome(userId, readConsentId(request)),
    timeZoneOf(request, userId),
    context.viewer ? loadNotificationBell(context.viewer) : null,
    sessionId ? markSessionSeen(sessionId) : null,
    // Only staff are asked: everyone else's pages cost nothing more.
    isStaff ? isStaffModerator(context.viewer) : false,
  ])
  return json({
    me,
    requestCount: me?.pendingFollowRequests ?? 0,
    unreadNotifications: bell?.unread ?? 0,
    isStaff,
    staffModerator,
    devMailbox: context.devMailbox,
    nonce: context.cspNonce,
    ...privacy,
    erasure,
    timeZone: zone.timeZone,
    timeZoneSource: zone.source,
    browserTimeZone: zone.browser,
  })
}

/** A route's `handle` may ask for no site chrome (a full-screen view, such as the presenter view); its error page keeps the chrome. */
export type ChromeHandle = { chrome?: false }

function useChromeless() {
  return useMatches().some((match) => (match.handle as ChromeHandle | undefined)?.chrome === false && match.data != null)
}

export function Layout({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<typeof loader>('root')
  const { pathname } = useLocation()
  const chromeless = useChromeless()
  return (
    <html lang="en" className="h-full">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <TimeZoneHintScript nonce={data?.nonce} />
        {isPrivatePath(pathname) ? <meta name="robots" content="noindex" /> : null}
        <Meta />
        <Links />
      </head>
      {chromeless ? (
        <body className="min-h-full">
          {children}
          <ScrollRestoration nonce={data?.nonce} />
          <Scripts nonce={data?.nonce} />
        </body>
      ) : (
        <body className="flex min-h-full flex-col">
          <SiteHeader
            me={data?.me ?? null}
            requestCount={data?.requestCount ?? 0}
            unreadNotifications={data?.unreadNotifications ?? 0}
            isStaff={data?.isStaff ?? false}
            staffModerator={data?.staffModerator ?? false}
          />
          {data?.cookieBanner ? <CookieBanner /> : null}
          <main id="main" className="mx-auto w-full max-w-5xl flex-1 px-4 py-4 sm:py-8">
            <ErasureBanner erasure={data?.erasure ?? null} />
            <PolicyBanner policy={data?.policyDue ?? null} />
            <Notices notices={(data?.notices ?? []).filter((n) => !(data?.policyDue && n.kind === 'policy'))} deactivated={data?.deactivated ?? false} />
            {children}
          </main>
          <SiteFooter devMailbox={data?.devMailbox ?? false} timeZone={data?.timeZone ?? UTC} signedIn={Boolean(data?.me)} />
          <ScrollRestoration nonce={data?.nonce} />
          <Scripts nonce={data?.nonce} />
        </body>
      )}
    </html>
  )
}

export default function App() {
  const data = useLoaderData<typeof loader>()
  useTimeZoneHint({ source: data.timeZoneSource, browser: data.browserTimeZone })
  return <Outlet />
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
