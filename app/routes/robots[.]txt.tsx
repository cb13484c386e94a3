import type { LoaderFunctionArgs } from '@remix-run/node'
import { privatePaths } from '~/utils/robots'

/** Keeps crawlers out of the parts of Rounds that are never public, and points them to the sitemap. */
export function loader({ context }: LoaderFunctionArgs) {
  const lines = [
    'User-agent: *',
    ...privatePaths.map((path) => `Disallow: ${path}`),
    // Page data and calendar files: the pages themselves are what may be listed.
    'Disallow: /*?_data=',
    'Disallow: /*.ics$',
    '',
    `Sitemap: ${new URL('/sitemap.xml', context.publicUrl).toString()}`,
    '',
  ]
  return new Response(lines.join('\n'), {
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'public, max-age=3600' },
  })
}
