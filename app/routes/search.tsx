import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { specialities } from '#db/specialities'
import { parseSearchInput, runSearch, type SearchGroup } from '#server/search/index'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { inputClass } from '~/components/forms'
import { ClubResult, DoctorResult, TalkResult, countLabel, groupLabel } from '~/components/search-results'
import { talkTypeLabel } from '~/components/talk-card'

export const meta: MetaFunction = () => [{ title: 'Search — Rounds' }]

// The form's limit; server/search/query.ts refuses longer queries with a message (server code stays out of the browser).
const MAX_QUERY_CHARS = 200
const PER_GROUP_IN_ALL = 5
const PER_PAGE = 10
const FORM_FIELDS = ['q', 'in', 'speciality', 'city', 'verified', 'type', 'when', 'from', 'to', 'sort'] as const
type FormValues = Record<(typeof FORM_FIELDS)[number], string>

/** What the form shows back: the URL's own values, trimmed to what the fields accept. */
function formValues(url: URL): FormValues {
  const values = {} as FormValues
  for (const key of FORM_FIELDS) values[key] = (url.searchParams.get(key) ?? '').slice(0, key === 'q' ? MAX_QUERY_CHARS : 80)
  return values
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url)
  const form = formValues(url)
  const signedIn = Boolean(context.viewer)
  const parsed = parseSearchInput(url.searchParams, { perPage: PER_PAGE })
  if (!parsed.ok) {
    return json({ ok: false as const, form, signedIn, message: parsed.message, field: parsed.field }, { status: 400 })
  }
  const { params, request: search } = parsed
  // One group (chosen, or the only one the filters leave) pages; "all" shows the top of each.
  const single: SearchGroup | null = params.in !== 'all' ? params.in : search.groups.length === 1 ? search.groups[0] : null
  const result = await runSearch(context.viewer, single ? search : { ...search, page: 1, perPage: PER_GROUP_IN_ALL })
  return json({
    ok: true as const,
    form,
    signedIn,
    single,
    page: single ? search.page : 1,
    perPage: single ? PER_PAGE : PER_GROUP_IN_ALL,
    groups: search.groups,
    result,
    query: search.text,
  })
}

function hrefWith(form: FormValues, changes: Partial<Record<keyof FormValues | 'page', string | null>>) {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries({ ...form, ...changes })) if (value) params.set(key, value)
  return `/search?${params.toString()}`
}

const selectClass = `${inputClass} py-1.5 text-sm`

export default function SearchRoute() {
  const data = useLoaderData<typeof loader>()
  const { form } = data
  const filtered = Boolean(form.speciality || form.city || form.verified || form.type || form.when || form.from || form.to)
  return (
    <div className="space-y-6">
      <header>
        <h1 className="text-3xl font-semibold">Search</h1>
        <p className="mt-1 text-slate-600">Find doctors, clubs and talks by name, speciality, city or topic.</p>
      </header>

      <Form method="get" action="/search" className="space-y-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
        {form.in && form.in !== 'all' ? <input type="hidden" name="in" value={form.in} /> : null}
        <div className="flex gap-2">
          <label className="sr-only" htmlFor="search-q">
            Search words
          </label>
          <input
            id="search-q"
            type="search"
            name="q"
            defaultValue={form.q}
            maxLength={MAX_QUERY_CHARS}
            placeholder="Name, speciality, city or topic"
            className={`${inputClass} mt-0`}
            aria-invalid={!data.ok && data.field === 'q' ? true : undefined}
            aria-describedby={!data.ok ? 'search-message' : undefined}
          />
          <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
            Search
          </button>
        </div>
        <details open={filtered} className="text-sm">
          <summary className="cursor-pointer font-medium text-slate-700">Filters</summary>
          <div className="mt-3 grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
            <label className="block font-medium text-slate-800">
              Speciality
              <select name="speciality" defaultValue={form.speciality} className={selectClass}>
                <option value="">Any speciality</option>
                {specialities.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
            <label className="block font-medium text-slate-800">
              City <span className="font-normal text-slate-500">(doctors)</span>
              <input name="city" defaultValue={form.city} maxLength={80} className={selectClass} />
            </label>
            <label className="flex items-center gap-2 self-end pb-2 font-medium text-slate-800">
              <input type="checkbox" name="verified" value="1" defaultChecked={Boolean(form.verified)} className="h-4 w-4" />
              Verified doctors only
            </label>
            <label className="block font-medium text-slate-800">
              Talk type
              <select name="type" defaultValue={form.type} className={selectClass}>
                <option value="">Any type</option>
                {Object.entries(talkTypeLabel).map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
            </label>
            <label className="block font-medium text-slate-800">
              When
              <select name="when" defaultValue={form.when} className={selectClass}>
                <option value="">Upcoming and past</option>
                <option value="upcoming">Upcoming</option>
                <option value="past">Past</option>
              </select>
            </label>
            <label className="block font-medium text-slate-800">
              Starting from
              <input type="date" name="from" defaultValue={form.from} className={selectClass} />
            </label>
            <label className="block font-medium text-slate-800">
              Until
              <input type="date" name="to" defaultValue={form.to} className={selectClass} />
            </label>
            <label className="block font-medium text-slate-800">
              Order
              <select name="sort" defaultValue={form.sort} className={selectClass}>
                <option value="relevance">Best match</option>
                <option value="date">Date</option>
              </select>
            </label>
            <div className="flex items-end gap-3">
              <button type="submit" className="rounded-md border border-slate-300 bg-white px-3 py-2 font-medium hover:bg-slate-50">
                Apply
              </button>
              {filtered ? (
                <Link to={hrefWith(form, { speciality: null, city: null, verified: null, type: null, when: null, from: null, to: null })} className="text-brand-700 underline">
                  Clear filters
                </Link>
              ) : null}
            </div>
          </div>
          <p className="mt-2 text-xs text-slate-500">City applies to doctors; talk type and dates apply to talks.</p>
        </details>
      </Form>

      {!data.ok ? (
        <p id="search-message" role="alert" className="rounded-md bg-red-50 p-3 text-red-800">
          {data.message}
        </p>
      ) : (
        <Results data={data} />
      )}
    </div>
  )
}

type Loaded = Extract<ReturnType<typeof useLoaderData<typeof loader>>, { ok: true }>

function Results({ data }: { data: Loaded }) {
  const { result, form, single } = data
  if (result.blank) {
    return <p className="rounded-md bg-slate-100 p-4 text-slate-700">Type a name, speciality, city or topic — or choose a filter.</p>
  }
  if (data.groups.length === 0) {
    return (
      <p className="rounded-md bg-slate-100 p-4 text-slate-700">
        No group has all those filters: city and “verified doctors only” apply to doctors, talk type and dates to talks. Remove one of them.
      </p>
    )
  }
  const tabs: ('all' | SearchGroup)[] = ['all', 'doctors', 'clubs', 'talks']
  const current = form.in || 'all'
  const groups = result.groups
  const total = Object.values(groups).reduce((n, g) => n + (g?.total ?? 0), 0)
  return (
    <div className="space-y-6">
      <nav aria-label="Result groups" className="flex flex-wrap gap-1 border-b border-slate-200">
        {tabs.map((t) => {
          const g = t === 'all' ? null : groups[t]
          return (
            <Link
              key={t}
              to={hrefWith(form, { in: t === 'all' ? null : t, page: null })}
              aria-current={current === t ? 'page' : undefined}
              className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium ${current === t ? 'border-brand-600 text-brand-700' : 'border-transparent text-slate-600 hover:text-slate-900'}`}
            >
              {t === 'all' ? 'All' : groupLabel[t]}
              {g ? <span className="ml-1 text-slate-500">({countLabel(g)})</span> : null}
            </Link>
          )
        })}
      </nav>
      {result.degraded ? (
        <p role="status" className="rounded-md bg-amber-50 p-3 text-sm text-amber-900">
          Search is in basic mode for the moment: results may be less forgiving of typos.
        </p>
      ) : null}
      {!data.signedIn ? (
        <p className="text-sm text-slate-600">
          <Link to={`/login?redirectTo=${encodeURIComponent(hrefWith(form, {}))}`} className="text-brand-700 underline">
            Sign in
          </Link>{' '}
          to search doctors’ cities and interests and your private clubs.
        </p>
      ) : null}
      {total === 0 ? (
        <p className="rounded-md bg-slate-100 p-4 text-slate-700">
          Nothing matches{data.query ? ` “${data.query}”` : ''}. Check the spelling, try fewer words or remove a filter.
        </p>
      ) : null}
      {(['doctors', 'clubs', 'talks'] as const).map((g) => {
        const group = groups[g]
        if (!group || (!single && group.total === 0)) return null
        return (
          <section key={g} aria-labelledby={`results-${g}`}>
            <h2 id={`results-${g}`} className="text-xl font-semibold">
              {groupLabel[g]} <span className="text-base font-normal text-slate-500">({countLabel(group)})</span>
            </h2>
            <ul className="mt-2 divide-y divide-slate-100">
              {g === 'doctors' && groups.doctors ? groups.doctors.hits.map((d) => <DoctorResult key={d.handle} doctor={d} />) : null}
              {g === 'clubs' && groups.clubs ? groups.clubs.hits.map((c) => <ClubResult key={c.slug} club={c} />) : null}
              {g === 'talks' && groups.talks ? groups.talks.hits.map((t) => <TalkResult key={t.id} talk={t} />) : null}
            </ul>
            {single ? (
              <Pager form={form} page={data.page} perPage={data.perPage} total={group.total} shown={group.hits.length} />
            ) : group.total > group.hits.length ? (
              <Link to={hrefWith(form, { in: g, page: null })} className="mt-2 inline-block text-sm font-medium text-brand-700 underline">
                See all {countLabel(group)} {groupLabel[g].toLowerCase()}
              </Link>
            ) : null}
          </section>
        )
      })}
    </div>
  )
}

function Pager({ form, page, perPage, total, shown }: { form: FormValues; page: number; perPage: number; total: number; shown: number }) {
  const pages = Math.max(1, Math.ceil(total / perPage))
  if (pages <= 1 && page === 1) return null
  return (
    <nav aria-label="Pages" className="mt-4 flex items-center justify-between text-sm">
      {page > 1 ? (
        <Link to={hrefWith(form, { page: String(page - 1) })} rel="prev" className="rounded-md border border-slate-300 px-3 py-1.5 hover:bg-slate-50">
          Previous
        </Link>
      ) : (
        <span />
      )}
      <span className="text-slate-600">
        {shown === 0 ? `Page ${page} has no results` : `Page ${page} of ${pages}`}
      </span>
      {page < pages && page < 100 ? (
        <Link to={hrefWith(form, { page: String(page + 1) })} rel="next" className="rounded-md border border-slate-300 px-3 py-1.5 hover:bg-slate-50">
          Next
        </Link>
      ) : (
        <span />
      )}
    </nav>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
