import type { LoaderFunctionArgs } from '@remix-run/node'
import { json } from '@remix-run/node'
import { SUGGEST_PER_GROUP, parseSearchInput, runSearch, type SearchResponse } from '#server/search/index'

/*
 * As-you-type suggestions for the header's search bar: up to five doctors, clubs
 * and talks for the words typed so far, as the viewer may see them. Only `q` is
 * read; filters belong to the search page.
 */

// The same as the search bar's: one letter matches too much to be useful.
const MIN_SUGGEST_CHARS = 2

const headers = { 'Cache-Control': 'private, no-store' }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const typed = new URL(request.url).searchParams.get('q') ?? ''
  const parsed = parseSearchInput(new URLSearchParams({ q: typed }), { perPage: SUGGEST_PER_GROUP })
  if (!parsed.ok) return json({ ok: false as const, error: parsed.message }, { status: 400, headers })
  const { request: search } = parsed
  if (search.text.length < MIN_SUGGEST_CHARS || search.tokens.length === 0) {
    const none: SearchResponse['groups'] = {}
    return json({ ok: true as const, query: search.text, groups: none, degraded: false }, { headers })
  }
  const result = await runSearch(context.viewer, search)
  return json({ ok: true as const, query: search.text, groups: result.groups, degraded: result.degraded }, { headers })
}
