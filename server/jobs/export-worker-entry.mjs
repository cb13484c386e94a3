// The export worker's entry point: loads the TypeScript worker through tsx, as the server itself
// is loaded (scripts/server-process.mjs), whatever loader the starting thread runs under.
import { register } from 'tsx/esm/api'

register()
await import('./export-worker.ts')
