import { NotificationBell } from './notification-bell'
import { Form, Link, useLocation } from '@remix-run/react'
import { useEffect, useRef, type ReactNode } from 'react'
import { Avatar } from './avatar'
import { zoneName } from '~/utils/time'
import { SearchBar } from './search-bar'

type Me = { handle: string; name: string; photoUrl: string | null } | null

/**
 * A link in the header's menu, marked as the current page the way NavLink marks it (the same
 * path, or a page under it unless `end`). The header reads the location once for all of them:
 * a NavLink resolves its path five times per render, and the header is on every page.
 */
function MenuLink({ to, pathname, end = false, children, ...rest }: { to: string; pathname: string; end?: boolean; children: ReactNode; 'data-testid'?: string }) {
  const here = pathname.toLowerCase()
  const target = to.toLowerCase()
  const active = here === target || (!end && here.startsWith(target) && here.charAt(target.length) === '/')
  return (
    <Link
      to={to}
      aria-current={active ? 'page' : undefined}
      className={`rounded-md px-3 py-2 text-sm font-medium ${active ? 'bg-brand-50 text-brand-700' : 'text-slate-600 hover:text-slate-900'}`}
      {...rest}
    >
      {children}
    </Link>
  )
}

/** A small count beside a link; the label is read out, such as "3 waiting". */
export function CountBadge({ count, label }: { count: number; label: string }) {
  if (count <= 0) return null
  return (
    <span className="inline-flex min-w-5 items-center justify-center rounded-full bg-red-600 px-1.5 text-xs font-semibold leading-5 text-white">
      {count > 99 ? '99+' : count}
      <span className="sr-only"> {label}</span>
    </span>
  )
}

/**
 * The site header. From 640 px up it is one row: logo, search, menu links. Below that it is the
 * logo and a Menu button (a <details> disclosure, so it works without JavaScript) that shows the
 * search and the links underneath; the panel closes again when the page changes.
 */
export function SiteHeader({
  me,
  requestCount = 0,
  unreadNotifications = 0,
  isStaff = false,
  staffModerator = false,
}: {
  me: Me
  requestCount?: number
  unreadNotifications?: number
  isStaff?: boolean
  /** Staff with the moderator duty: a link to the moderation queue. */
  staffModerator?: boolean
}) {
  const { pathname } = useLocation()
  const menu = useRef<HTMLDetailsElement>(null)
  useEffect(() => {
    if (menu.current) menu.current.open = false
  }, [pathname])
  return (
    <header className="border-b border-slate-200 bg-white">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:p-2">
        Skip to content
      </a>
      <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-x-3 gap-y-2 px-4 py-3">
        <Link to="/" className="flex items-center gap-2 text-lg font-semibold text-brand-700">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          Rounds
        </Link>
        {me ? (
          <div className="ml-auto sm:order-last sm:ml-0">
            <NotificationBell unread={unreadNotifications} />
          </div>
        ) : null}
        <details
          ref={menu}
          className="peer sm:hidden"
          data-testid="header-menu"
          onKeyDown={(e) => {
            if (e.key === 'Escape' && menu.current?.open) {
              menu.current.open = false
              menu.current.querySelector('summary')?.focus()
            }
          }}
        >
          <summary
            aria-controls="site-menu"
            className="flex cursor-pointer list-none items-center gap-2 rounded-md border border-slate-300 px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50 [&::-webkit-details-marker]:hidden"
          >
            <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4" fill="currentColor">
              <path d="M3 5h14v2H3zm0 4h14v2H3zm0 4h14v2H3z" />
            </svg>
            Menu
            <CountBadge count={requestCount} label="follow requests waiting" />
          </summary>
        </details>
        <div
          id="site-menu"
          className="hidden w-full flex-col gap-2 peer-open:flex sm:flex sm:w-auto sm:flex-1 sm:flex-row sm:flex-wrap sm:items-center sm:justify-between sm:gap-3"
        >
          <div className="sm:flex sm:flex-1 sm:justify-center">
            <SearchBar />
          </div>
          <nav aria-label="Main" className="flex flex-col gap-1 sm:flex-row sm:flex-wrap sm:items-center">
            <MenuLink to="/" pathname={pathname} end>
              Home
            </MenuLink>
            <MenuLink to="/clubs" pathname={pathname}>
              Clubs
            </MenuLink>
            {me ? (
              <>
                <MenuLink to={`/u/${me.handle}`} pathname={pathname}>
                  <span className="flex items-center gap-2">
                    <Avatar name={me.name} photoUrl={me.photoUrl} size={24} />
                    My profile
                  </span>
                </MenuLink>
                <MenuLink to="/learning" pathname={pathname}>
                  My learning
                </MenuLink>
                {requestCount > 0 ? (
                  <MenuLink to="/settings/requests" pathname={pathname} data-testid="header-requests">
                    <span className="flex items-center gap-2">
                      Follow requests
                      <CountBadge count={requestCount} label="waiting" />
                    </span>
                  </MenuLink>
                ) : null}
                {isStaff ? (
                  <MenuLink to="/staff" pathname={pathname}>
                    Staff
                  </MenuLink>
                ) : null}
                {staffModerator ? (
                  <MenuLink to="/moderation" pathname={pathname}>
                    Moderation
                  </MenuLink>
                ) : null}
                <MenuLink to="/settings/profile" pathname={pathname}>
                  Settings
                </MenuLink>
                <Form method="post" action="/logout">
                  <button type="submit" className="w-full rounded-md px-3 py-2 text-left text-sm font-medium text-slate-600 hover:text-slate-900 sm:w-auto">
                    Sign out
                  </button>
                </Form>
              </>
            ) : (
              <>
                <MenuLink to="/login" pathname={pathname}>
                  Sign in
                </MenuLink>
                <Link to="/signup" className="rounded-md bg-brand-600 px-3 py-2 text-sm font-semibold text-white hover:bg-brand-700">
                  Join Rounds
                </Link>
              </>
            )}
          </nav>
        </div>
      </div>
    </header>
  )
}

/** The footer names the zone times are shown in, and where a signed-in person changes it. */
export function SiteFooter({ devMailbox, timeZone, signedIn }: { devMailbox: boolean; timeZone: string; signedIn: boolean }) {
  return (
    <footer className="border-t border-slate-200 bg-white">
      <div className="mx-auto flex max-w-5xl flex-wrap justify-between gap-2 px-4 py-4 text-sm text-slate-500">
        <span>Rounds — live learning for doctors</span>
        <nav aria-label="About Rounds" className="flex flex-wrap gap-3">
          <Link to="/privacy" className="underline">
            Privacy
          </Link>
          <Link to="/cookies" className="underline">
            Cookie settings
          </Link>
          <Link to="/advertise" className="underline">
            Advertise
          </Link>
          <Link to="/developers" className="underline">
            Developers
          </Link>
        </nav>
        <span data-testid="footer-time-zone">
          Times in {zoneName(timeZone)}
          {signedIn ? (
            <>
              {' '}
              ·{' '}
              <Link to="/settings/time-zone" className="underline">
                change
              </Link>
            </>
          ) : null}
        </span>
        {devMailbox ? (
          <Link to="/dev/mailbox" className="underline">
            Dev mailbox (emails are not sent on this server)
          </Link>
        ) : null}
      </div>
    </footer>
  )
}
