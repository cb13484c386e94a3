import { Link } from '@remix-run/react'
import { LocalTime } from '~/utils/time-zone'

/** Above every page while an erasure waits out its grace period. */
export function ErasureBanner({ erasure }: { erasure: { scheduledFor: string } | null }) {
  if (!erasure) return null
  return (
    <p role="status" data-testid="erasure-banner" className="mb-6 rounded-md border border-red-300 bg-red-50 p-3 text-red-900">
      Your account will be erased on <LocalTime at={erasure.scheduledFor} style="longDateTime" />.{' '}
      <Link to="/settings/erase" className="font-medium underline">
        Cancel the erasure
      </Link>
    </p>
  )
}
