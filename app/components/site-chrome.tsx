import { Form, Link, NavLink } from '@remix-run/react'
import { Avatar } from './avatar'
import { SearchBar } from './search-bar'

type Me = { handle: string; name: string; photoUrl: string | null } | null

const navClass = ({ isActive }: { isActive: boolean }) =>
  `rounded-md px-3 py-2 text-sm font-medium ${isActive ? 'bg-brand-50 text-brand-700' : 'text-slate-600 hover:text-slate-900'}`

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

export function SiteHeader({ me, requestCount = 0, isStaff = false }: { me: Me; requestCount?: number; isStaff?: boolean }) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:p-2">
        Skip to content
      </a>
      <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-3 px-4 py-3">
        <Link to="/" className="flex items-center gap-2 text-lg font-semibold text-brand-700">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          Rounds
        </Link>
        <SearchBar />
        <nav aria-label="Main" className="flex flex-wrap items-center gap-1">
          <NavLink to="/" end className={navClass}>
            Home
          </NavLink>
          <NavLink to="/clubs" className={navClass}>
            Clubs
          </NavLink>
          {me ? (
            <>
              <NavLink to={`/u/${me.handle}`} className={navClass}>
                <span className="flex items-center gap-2">
                  <Avatar name={me.name} photoUrl={me.photoUrl} size={24} />
                  My profile
                </span>
              </NavLink>
              {requestCount > 0 ? (
                <NavLink to="/settings/requests" className={navClass} data-testid="header-requests">
                  <span className="flex items-center gap-2">
                    Follow requests
                    <CountBadge count={requestCount} label="waiting" />
                  </span>
                </NavLink>
              ) : null}
              {isStaff ? (
                <NavLink to="/staff/privacy" className={navClass}>
                  Privacy console
                </NavLink>
              ) : null}
              <NavLink to="/settings/profile" className={navClass}>
                Settings
              </NavLink>
              <Form method="post" action="/logout">
                <button type="submit" className="rounded-md px-3 py-2 text-sm font-medium text-slate-600 hover:text-slate-900">
                  Sign out
                </button>
              </Form>
            </>
          ) : (
            <>
              <NavLink to="/login" className={navClass}>
                Sign in
              </NavLink>
              <Link to="/signup" className="rounded-md bg-brand-600 px-3 py-2 text-sm font-semibold text-white hover:bg-brand-700">
                Join Rounds
              </Link>
            </>
          )}
        </nav>
      </div>
    </header>
  )
}

export function SiteFooter({ devMailbox }: { devMailbox: boolean }) {
  return (
    <footer className="border-t border-slate-200 bg-white">
      <div className="mx-auto flex max-w-5xl flex-wrap justify-between gap-2 px-4 py-4 text-sm text-slate-500">
        <span>Rounds — live learning for doctors</span>
        <nav aria-label="Legal" className="flex flex-wrap gap-3">
          <Link to="/privacy" className="underline">
            Privacy
          </Link>
          <Link to="/cookies" className="underline">
            Cookie settings
          </Link>
        </nav>
        {devMailbox ? (
          <Link to="/dev/mailbox" className="underline">
            Dev mailbox (emails are not sent on this server)
          </Link>
        ) : null}
      </div>
    </footer>
  )
}
