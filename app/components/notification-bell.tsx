import { Link } from '@remix-run/react'
import { useEffect, useState } from 'react'
import { siteSocket } from '~/utils/site-socket'

/** More than this shows as "99+": the badge stays one size. */
const MAX_SHOWN = 99

/**
 * The header's bell: a link to /notifications with the number of unread notices. A plain link,
 * so it works without JavaScript; the count comes from the loader (`loadNotificationBell`).
 */
export function NotificationBell({ unread: loaded }: { unread: number }) {
  const unread = useLiveUnread(loaded)
  const label = unread === 0 ? 'Notifications' : `Notifications, ${unread} unread`
  return (
    <Link
      to="/notifications"
      aria-label={label}
      title={label}
      className="relative inline-flex h-9 w-9 items-center justify-center rounded-full text-slate-600 hover:bg-slate-100 hover:text-slate-900"
      data-testid="notification-bell"
    >
      <svg aria-hidden="true" viewBox="0 0 24 24" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
        <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
        <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
      </svg>
      {unread > 0 ? (
        <span
          className="absolute -right-0.5 -top-0.5 min-w-[1.125rem] rounded-full bg-red-600 px-1 text-center text-[0.6875rem] font-semibold leading-[1.125rem] text-white"
          data-testid="notification-count"
        >
          {unread > MAX_SHOWN ? `${MAX_SHOWN}+` : unread}
        </span>
      ) : null}
    </Link>
  )
}

/**
 * The unread count as the page loaded it, then as the site's socket says it changes: a new notice,
 * or notices read in another tab or on another device. Each page load's count starts afresh.
 */
function useLiveUnread(loaded: number) {
  const [unread, setUnread] = useState(loaded)
  useEffect(() => setUnread(loaded), [loaded])
  useEffect(() => {
    const socket = siteSocket()
    const onUnread = (payload: { unread: number }) => setUnread(payload.unread)
    socket.on('notifications:unread', onUnread)
    return () => {
      socket.off('notifications:unread', onUnread)
    }
  }, [])
  return unread
}
