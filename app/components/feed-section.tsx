import type { ReactNode } from 'react'

/** A home-page section: a heading, a line on what is in it, then its cards or an empty state that says what to do. */
export function FeedSection({
  id,
  title,
  intro,
  empty,
  children,
}: {
  id: string
  title: string
  intro?: ReactNode
  /** Shown instead of the list when there is nothing in it. */
  empty: ReactNode | null
  children: ReactNode
}) {
  return (
    <section aria-labelledby={id} data-testid={`feed-${id}`}>
      <h2 id={id} className="text-xl font-semibold">
        {title}
      </h2>
      {intro ? <p className="mt-1 text-sm text-slate-600">{intro}</p> : null}
      {empty ? <div className="mt-4 rounded-lg border border-dashed border-slate-300 bg-white p-5 text-slate-700">{empty}</div> : children}
    </section>
  )
}
