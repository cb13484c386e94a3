import { Form, useFetcher, useLocation, useNavigate, useSearchParams } from '@remix-run/react'
import { useEffect, useId, useState, type KeyboardEvent } from 'react'
import type { loader as suggestLoader } from '~/routes/api.search-suggest'
import { Marked, clubHref, doctorHref, groupLabel, talkHref } from './search-results'
import type { Segment } from '#server/search/types'

// Kept in step with app/routes/api.search-suggest.tsx and server/search/query.ts.
const MIN_SUGGEST_CHARS = 2
const MAX_QUERY_CHARS = 200
const DEBOUNCE_MS = 150

type Option = { id: string; href: string; label: string; segments?: Segment[]; detail?: string; group: string }

/**
 * The header's search: a plain GET form to /search (it works without
 * JavaScript), and with it a combobox of suggestions grouped as doctors, clubs
 * and talks, fetched as the person types (WAI-ARIA combobox pattern).
 */
export function SearchBar() {
  const location = useLocation()
  const [params] = useSearchParams()
  const onSearchPage = location.pathname === '/search'
  const [value, setValue] = useState(onSearchPage ? (params.get('q') ?? '') : '')
  const [open, setOpen] = useState(false)
  const [active, setActive] = useState(-1)
  const fetcher = useFetcher<typeof suggestLoader>()
  const navigate = useNavigate()
  const id = useId()
  const listId = `${id}-suggestions`
  const load = fetcher.load

  // Close and forget the highlighted option whenever the page changes.
  useEffect(() => {
    setOpen(false)
    setActive(-1)
  }, [location.key])

  const typed = value.trim()
  useEffect(() => {
    if (typed.length < MIN_SUGGEST_CHARS) return
    const timer = setTimeout(() => load(`/api/search-suggest?q=${encodeURIComponent(typed)}`), DEBOUNCE_MS)
    return () => clearTimeout(timer)
  }, [typed, load])

  const data = typed.length >= MIN_SUGGEST_CHARS ? fetcher.data : undefined
  const options: Option[] = []
  if (data?.ok) {
    const g = data.groups
    for (const d of g.doctors?.hits ?? []) {
      options.push({ id: `${listId}-d-${d.handle}`, href: doctorHref(d), label: d.name, segments: d.highlight.name, detail: d.speciality ?? undefined, group: 'doctors' })
    }
    for (const c of g.clubs?.hits ?? []) {
      options.push({ id: `${listId}-c-${c.slug}`, href: clubHref(c), label: c.name, segments: c.highlight.name, detail: c.specialities.join(', ') || undefined, group: 'clubs' })
    }
    for (const t of g.talks?.hits ?? []) {
      options.push({ id: `${listId}-t-${t.id}`, href: talkHref(t), label: t.title, segments: t.highlight.title, detail: t.club.name, group: 'talks' })
    }
  }
  if (typed.length >= MIN_SUGGEST_CHARS) {
    options.push({ id: `${listId}-all`, href: `/search?q=${encodeURIComponent(typed)}`, label: `See all results for “${typed}”`, group: 'all' })
  }
  const showList = open && typed.length >= MIN_SUGGEST_CHARS
  const activeOption = showList && active >= 0 ? options[active] : undefined

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (options.length === 0) return
      event.preventDefault()
      setOpen(true)
      const step = event.key === 'ArrowDown' ? 1 : -1
      setActive((i) => (i + step + options.length) % options.length)
    } else if (event.key === 'Enter' && activeOption) {
      event.preventDefault()
      setOpen(false)
      navigate(activeOption.href)
    } else if (event.key === 'Escape') {
      setOpen(false)
      setActive(-1)
    }
  }

  let lastGroup = ''
  return (
    <Form method="get" action="/search" role="search" className="relative w-full sm:w-72" onSubmit={() => setOpen(false)}>
      <label htmlFor={`${id}-q`} className="sr-only">
        Search doctors, clubs and talks
      </label>
      <input
        id={`${id}-q`}
        type="search"
        name="q"
        value={value}
        maxLength={MAX_QUERY_CHARS}
        autoComplete="off"
        placeholder="Search doctors, clubs, talks"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={showList}
        aria-controls={listId}
        aria-activedescendant={activeOption?.id}
        onChange={(e) => {
          setValue(e.target.value)
          setOpen(true)
          setActive(-1)
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
        className="block w-full rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-900 shadow-sm"
      />
      <ul
        id={listId}
        role="listbox"
        aria-label="Suggestions"
        hidden={!showList}
        // Keep focus in the input while a suggestion is clicked.
        onMouseDown={(e) => e.preventDefault()}
        className="absolute left-0 right-0 z-20 mt-1 max-h-[70vh] overflow-y-auto rounded-md border border-slate-200 bg-white py-1 text-sm shadow-lg"
      >
        {data && !data.ok ? (
          <li role="presentation" className="px-3 py-2 text-red-700">
            {data.error}
          </li>
        ) : null}
        {data?.ok && data.degraded ? (
          <li role="presentation" className="px-3 py-1 text-xs text-slate-500">
            Search is in basic mode for the moment.
          </li>
        ) : null}
        {data?.ok && options.length === 1 && fetcher.state === 'idle' ? (
          <li role="presentation" className="px-3 py-2 text-slate-500">
            No matches yet. Try a name, speciality, city or topic.
          </li>
        ) : null}
        {options.map((o, i) => {
          const heading = o.group !== lastGroup && o.group !== 'all' ? groupLabel[o.group as keyof typeof groupLabel] : null
          lastGroup = o.group
          return [
            heading ? (
              <li key={`${o.group}-heading`} role="presentation" className="px-3 pb-1 pt-2 text-xs font-semibold uppercase tracking-wide text-slate-500">
                {heading}
              </li>
            ) : null,
            <li
              key={o.id}
              id={o.id}
              role="option"
              aria-selected={i === active}
              // An option is not a link inside an option (no nested interactive element): choosing
              // it, by click or by Enter in the input, goes to its page.
              onClick={() => {
                setOpen(false)
                navigate(o.href)
              }}
              className={`cursor-pointer px-3 py-1.5 hover:bg-brand-50 ${i === active ? 'bg-brand-50' : ''} ${o.group === 'all' ? 'border-t border-slate-100' : ''}`}
            >
              <span className={o.group === 'all' ? 'font-medium text-brand-700' : 'font-medium text-slate-900'}>
                <Marked text={o.label} segments={o.segments} />
              </span>
              {o.detail ? <span className="block truncate text-xs text-slate-600">{o.detail}</span> : null}
            </li>,
          ]
        })}
      </ul>
    </Form>
  )
}
