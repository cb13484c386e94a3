/**
 * The benchmark pages (`/bench/*`) exist only on a server started with `BENCH_ROUTES=1`, as
 * `npm run bench:http` starts it; everywhere else they answer 404 like any unknown page.
 */
export function requireBenchRoutes() {
  if (process.env.BENCH_ROUTES !== '1') throw new Response('Not found', { status: 404 })
}
