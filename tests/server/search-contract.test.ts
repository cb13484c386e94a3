import { describe, expect, it } from 'vitest'
import { createMeiliEngine } from '../../server/search/meili-engine'
import { createPostgresEngine } from '../../server/search/postgres-engine'
import { runSearchContract } from './search-contract'

// The embedded engine always; Meilisearch only where one is configured (no skipped block otherwise).
// The contract's assertions live in ./search-contract.ts so both engines share them.
runSearchContract({ name: 'postgres', create: async () => createPostgresEngine() })

describe('the engines under contract', () => {
  it('always includes the Postgres engine, the default without MEILI_HOST', () => {
    expect(createPostgresEngine().name).toBe('postgres')
  })
})

const { MEILI_HOST, MEILI_API_KEY } = process.env
if (MEILI_HOST) {
  runSearchContract({
    name: 'meilisearch',
    create: async () => {
      const engine = createMeiliEngine({
        host: MEILI_HOST,
        apiKey: MEILI_API_KEY ?? '',
        indexPrefix: `rounds_test_${process.pid}_${Date.now().toString(36)}`,
      })
      await engine.ensureSettings()
      return engine
    },
    cleanup: async (engine) => {
      await (engine as ReturnType<typeof createMeiliEngine>).dropIndexes()
    },
  })
}
