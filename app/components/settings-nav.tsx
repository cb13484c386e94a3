import { NavLink, useRouteLoaderData } from '@remix-run/react'
import type { loader as rootLoader } from '~/root'
import { CountBadge } from './site-chrome'

const tabClass = ({ isActive }: { isActive: boolean }) =>
  `flex items-center gap-2 rounded-md px-3 py-2 text-sm font-medium ${isActive ? 'bg-white text-brand-700 shadow-sm' : 'text-slate-600 hover:text-slate-900'}`

export function SettingsNav() {
  const requestCount = useRouteLoaderData<typeof rootLoader>('root')?.requestCount ?? 0
  return (
    <nav aria-label="Settings" className="mb-6 flex flex-wrap gap-1 rounded-lg bg-slate-100 p-1">
      <NavLink to="/settings/profile" className={tabClass}>
        Profile
      </NavLink>
      <NavLink to="/settings/email" className={tabClass}>
        Email
      </NavLink>
      <NavLink to="/settings/password" className={tabClass}>
        Password
      </NavLink>
      <NavLink to="/settings/sign-in" className={tabClass}>
        Sign-in methods
      </NavLink>
      <NavLink to="/settings/requests" className={tabClass}>
        Follow requests
        <CountBadge count={requestCount} label="waiting" />
      </NavLink>
      <NavLink to="/settings/blocked" className={tabClass}>
        Blocked and muted
      </NavLink>
      <NavLink to="/settings/moderation" className={tabClass}>
        Reports and moderation
      </NavLink>
      <NavLink to="/settings/sessions" className={tabClass}>
        Devices and sessions
      </NavLink>
      <NavLink to="/settings/apps" className={tabClass}>
        Connected apps
      </NavLink>
      <NavLink to="/settings/time-zone" className={tabClass}>
        Time zone
      </NavLink>
      <NavLink to="/settings/verification" className={tabClass}>
        Verification
      </NavLink>
      <NavLink to="/settings/privacy" className={tabClass}>
        Privacy
      </NavLink>
      <NavLink to="/settings/notifications" className={tabClass}>
        Notifications
      </NavLink>
      <NavLink to="/settings/ads" className={tabClass}>
        Ads
      </NavLink>
      <NavLink to="/settings/nominee" className={tabClass}>
        Nominee
      </NavLink>
      <NavLink to="/settings/deactivate" className={tabClass}>
        Deactivate
      </NavLink>
      <NavLink to="/settings/data" className={tabClass}>
        Your data
      </NavLink>
      <NavLink to="/settings/erase" className={tabClass}>
        Erase account
      </NavLink>
    </nav>
  )
}
