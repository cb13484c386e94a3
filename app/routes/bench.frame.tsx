import { requireBenchRoutes } from '~/utils/bench.server'

// An empty page in the site's frame (session, page chrome, header and footer): the baseline
// `npm run bench:http` judges the profile page against.
export async function loader() {
  requireBenchRoutes()
  return null
}

export default function BenchFrame() {
  return <p>Rounds</p>
}
