// An empty page in the site's frame (session, page chrome, header and footer), used by
// `npm run bench:http` to tell the cost every page shares from a page's own part.
export default function BenchFrame() {
  return <p>Rounds</p>
}
