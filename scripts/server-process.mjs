// The one way the production server process is started: by `npm start`, and by the tests
// and benchmarks that run the real server. See docs/decisions/014-young-generation-size.md.
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')

/**
 * Node's arguments for `server/index.ts`. A live room's broadcast makes short-lived objects
 * for every socket it reaches; a 32 MiB semi-space (V8's default is 16) lets most of them
 * die young instead of being copied and promoted, which costs the server a tenth of a core
 * at 40,000 deliveries a second.
 */
export const serverNodeArgs = ['--max-semi-space-size=32', '--import', 'tsx', path.join(root, 'server/index.ts')]
