import { Link } from '@remix-run/react'
import type { ReactNode } from 'react'

/** What each onboarding step's route puts in its `handle`: which step it is of three. */
export type WelcomeStep = { step: 1 | 2 | 3 }

export const WELCOME_STEPS = 3

/** The frame every onboarding step shares: a title, a short intro, the step's form, and a way on without answering. */
export function StepCard({
  title,
  intro,
  skipTo,
  skipLabel = 'Skip',
  children,
}: {
  title: string
  intro: ReactNode
  skipTo: string
  skipLabel?: string
  children: ReactNode
}) {
  return (
    <section className="space-y-5 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <div>
        <h1 className="text-2xl font-semibold">{title}</h1>
        <div className="mt-2 text-slate-600">{intro}</div>
      </div>
      {children}
      <p className="border-t border-slate-100 pt-4 text-sm">
        <Link to={skipTo} className="font-medium text-brand-700 underline">
          {skipLabel}
        </Link>
      </p>
    </section>
  )
}
