import { NavLink } from '@remix-run/react'

const tabClass = ({ isActive }: { isActive: boolean }) =>
  `rounded-md px-3 py-2 text-sm font-medium ${isActive ? 'bg-white text-brand-700 shadow-sm' : 'text-slate-600 hover:text-slate-900'}`

export function SettingsNav() {
  return (
    <nav aria-label="Settings" className="mb-6 flex gap-1 rounded-lg bg-slate-100 p-1">
      <NavLink to="/settings/profile" className={tabClass}>
        Profile
      </NavLink>
      <NavLink to="/settings/sessions" className={tabClass}>
        Devices and sessions
      </NavLink>
    </nav>
  )
}
