import type { MetaFunction } from '@remix-run/node'
import { Outlet, useMatches } from '@remix-run/react'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { WELCOME_STEPS, type WelcomeStep } from '~/components/welcome-step'

export const meta: MetaFunction = () => [{ title: 'Welcome to Rounds' }]

export default function WelcomeLayout() {
  const step = useMatches()
    .map((m) => (m.handle as Partial<WelcomeStep> | undefined)?.step)
    .find(Boolean)
  return (
    <div className="mx-auto max-w-2xl">
      {step ? <p className="mb-2 text-sm font-medium text-slate-600">{`Step ${step} of ${WELCOME_STEPS}`}</p> : null}
      <Outlet />
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
