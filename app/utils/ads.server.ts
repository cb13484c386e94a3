import { readConsentId } from './consent.server'

/**
 * How a page asks for its ad: the browser's consent id (targeting cookies), and — on a server
 * started for benchmarks (BENCH_ROUTES=1) only — `X-Bench-Ads: off`, the baseline of
 * `npm run bench:ads` in the same run. `ADS=off` turns ads off for the whole site.
 */
export function adOptions(request: Request) {
  const benchOff = process.env.BENCH_ROUTES === '1' && request.headers.get('x-bench-ads') === 'off'
  return { consentId: readConsentId(request), enabled: !benchOff }
}
