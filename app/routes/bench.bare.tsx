import { requireBenchRoutes } from '~/utils/bench.server'

// A route that does no work, used by `npm run bench:http` for information (Remix's own cost).
const html = '<!doctype html><html lang="en"><head><title>Rounds</title></head><body><p>Rounds</p></body></html>'

export async function loader() {
  requireBenchRoutes()
  return new Response(html, { headers: { 'Content-Type': 'text/html; charset=utf-8' } })
}
