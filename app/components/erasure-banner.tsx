import { Link } from '@remix-run/react'

const when = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' })

/** Above every page while an erasure waits out its grace period. */
export function ErasureBanner({ erasure }: { erasure: { scheduledFor: string } | null }) {
  if (!erasure) return null
  return (
    <p role="status" data-testid="erasure-banner" className="mb-6 rounded-md border border-red-300 bg-red-50 p-3 text-red-900">
      Your account will be erased on {when.format(new Date(erasure.scheduledFor))} UTC.{' '}
      <Link to="/settings/erase" className="font-medium underline">
        Cancel the erasure
      </Link>
    </p>
  )
}
