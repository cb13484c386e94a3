import { Form, Link } from '@remix-run/react'
import { inputClass } from '~/components/forms'
import type { RetentionAction } from '#db/retention-schedule'

/*
 * Two parts of /privacy: how long Rounds keeps each kind of data (the schedule of
 * db/retention-schedule.ts, the same one the daily job applies), and whom to complain to.
 */

export type RetentionRow = {
  id: string
  data: string
  period: string
  action: RetentionAction
  rule: string
  result: string | null
  why: string
  law: string | null
}

const actionLabels: Record<RetentionAction, string> = { delete: 'Deleted', anonymise: 'Anonymised', aggregate: 'Summarised' }

export function RetentionTable({ rows }: { rows: RetentionRow[] }) {
  return (
    <section id="retention" aria-labelledby="retention-title" className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 id="retention-title" className="text-lg font-semibold">
        How long we keep data
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        What you put on Rounds (profile, posts, memberships) stays until you delete it or erase your account. Everything else follows this
        schedule, applied every night.
      </p>
      {/* Phones: one card per rule; wider screens: the table. */}
      <ul className="mt-4 divide-y divide-slate-100 text-sm sm:hidden">
        {rows.map((r) => (
          <li key={r.id} className="py-3">
            <p className="font-medium text-slate-900">{r.data}</p>
            <p className="mt-1">
              {r.rule}
              {r.result ? ` ${r.result}` : ''}
            </p>
            <p className="mt-1 text-slate-600">{r.why}</p>
            {r.law ? <p className="mt-1 text-xs text-slate-500">At least as long as required by: {r.law}</p> : null}
          </li>
        ))}
      </ul>
      <div className="mt-4 hidden sm:block">
        <table className="w-full text-left text-sm" data-testid="retention-schedule">
          <thead className="border-b border-slate-200 text-slate-600">
            <tr>
              <th scope="col" className="py-2 pr-3 font-medium">
                Data
              </th>
              <th scope="col" className="py-2 pr-3 font-medium">
                Kept
              </th>
              <th scope="col" className="py-2 pr-3 font-medium">
                Then
              </th>
              <th scope="col" className="py-2 font-medium">
                Why
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 align-top">
            {rows.map((r) => (
              <tr key={r.id} data-rule={r.id}>
                <th scope="row" className="py-2 pr-3 font-medium text-slate-900">
                  {r.data}
                </th>
                <td className="whitespace-nowrap py-2 pr-3">{r.period}</td>
                <td className="py-2 pr-3">
                  {actionLabels[r.action]}
                  <span className="block text-xs text-slate-500">{r.rule}</span>
                  {r.result ? <span className="block text-xs text-slate-500">{r.result}</span> : null}
                </td>
                <td className="py-2 text-slate-700">
                  {r.why}
                  {r.law ? <span className="mt-1 block text-xs text-slate-500">At least as long as required by: {r.law}</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}

export type GrievanceOfficer = { name: string; email: string; answerDays: number }
export type GrievanceTopicOption = { value: string; label: string }

export function GrievanceContact({
  officer,
  signedIn,
  topics,
  error,
}: {
  officer: GrievanceOfficer
  signedIn: boolean
  topics: GrievanceTopicOption[]
  error?: { message: string; field?: string } | null
}) {
  return (
    <section id="grievance" aria-labelledby="grievance-title" className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 id="grievance-title" className="text-lg font-semibold">
        Complaints about your data
      </h2>
      <p className="mt-1 text-slate-700" data-testid="grievance-officer">
        Our grievance officer, who is also our data protection officer: <strong>{officer.name}</strong>,{' '}
        <a href={`mailto:${officer.email}`} className="font-medium text-brand-700 underline">
          {officer.email}
        </a>
        .
      </p>
      <p className="mt-1 text-sm text-slate-600">
        We answer within {officer.answerDays} days. If you are not satisfied with the answer, you can complain to the Data Protection Board of
        India (or your own country’s data protection authority).
      </p>
      {signedIn ? (
        <Form method="post" action="/privacy/grievance" className="mt-4 space-y-3">
          {error ? (
            <p role="alert" className="rounded-md bg-red-50 p-3 text-red-800">
              {error.message}
            </p>
          ) : null}
          <label className="block text-sm font-medium text-slate-800">
            What it is about
            <select name="topic" className={inputClass} defaultValue={topics[0]?.value} aria-invalid={error?.field === 'topic' || undefined}>
              {topics.map((t) => (
                <option key={t.value} value={t.value}>
                  {t.label}
                </option>
              ))}
            </select>
          </label>
          <label className="block text-sm font-medium text-slate-800">
            Your grievance
            <textarea name="message" rows={5} required maxLength={4000} className={inputClass} aria-invalid={error?.field === 'message' || undefined} />
          </label>
          <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
            Send to the grievance officer
          </button>
          <p className="text-sm text-slate-600">
            You can follow it, and read the answer, in{' '}
            <Link to="/settings/data" className="font-medium text-brand-700 underline">
              Your data
            </Link>
            .
          </p>
        </Form>
      ) : (
        <p className="mt-3 text-sm text-slate-700">
          <Link to="/login?redirectTo=%2Fprivacy" className="font-medium text-brand-700 underline">
            Sign in
          </Link>{' '}
          to send a grievance we track for you, or email the address above.
        </p>
      )}
    </section>
  )
}
