import type { LoaderFunctionArgs } from '@remix-run/node'
import { listSitemapPaths } from '#db/sitemap'

const xmlEscape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')

/** The public pages search engines may list (sitemaps.org); the data layer decides which. */
export async function loader({ context }: LoaderFunctionArgs) {
  const paths = await listSitemapPaths()
  const urls = paths.map((path) => `  <url><loc>${xmlEscape(new URL(path, context.publicUrl).toString())}</loc></url>`)
  const body = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ...urls,
    '</urlset>',
    '',
  ].join('\n')
  return new Response(body, {
    headers: { 'Content-Type': 'application/xml; charset=utf-8', 'Cache-Control': 'public, max-age=600' },
  })
}
