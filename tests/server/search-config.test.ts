import { afterEach, describe, expect, it } from 'vitest'
import { ConfigError, parseConfig } from '../../server/config'
import { searchEngine, useSearchEngine } from '../../server/search/index'

const parse = (env: Record<string, string>) => parseConfig(env as NodeJS.ProcessEnv)

function message(env: Record<string, string>) {
  try {
    parse(env)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as Error).message
  }
  throw new Error(`parseConfig accepted ${JSON.stringify(env)}`)
}

describe('search configuration', () => {
  afterEach(() => useSearchEngine(null))

  it('without MEILI_HOST, search uses Postgres', () => {
    expect(parse({}).MEILI_HOST).toBeUndefined()
    expect(parse({ MEILI_HOST: '', MEILI_API_KEY: '' }).MEILI_HOST).toBeUndefined()
    // The test environment sets neither.
    useSearchEngine(null)
    expect(searchEngine().name).toBe(process.env.MEILI_HOST ? 'meilisearch' : 'postgres')
  })

  it('accepts a Meilisearch host with a key', () => {
    expect(parse({ MEILI_HOST: 'http://127.0.0.1:7700', MEILI_API_KEY: 'k'.repeat(32) })).toMatchObject({
      MEILI_HOST: 'http://127.0.0.1:7700',
      MEILI_API_KEY: 'k'.repeat(32),
    })
  })

  it('stops with a message naming the variable when half or wrongly set', () => {
    expect(message({ MEILI_HOST: 'http://127.0.0.1:7700' })).toMatch(/MEILI_API_KEY: is required when MEILI_HOST is set/)
    expect(message({ MEILI_API_KEY: 'k'.repeat(32) })).toMatch(/MEILI_HOST: is required when MEILI_API_KEY is set/)
    expect(message({ MEILI_HOST: 'not a url', MEILI_API_KEY: 'k'.repeat(32) })).toMatch(/MEILI_HOST: must (be a URL|start with http)/)
    expect(message({ MEILI_HOST: 'ftp://meili', MEILI_API_KEY: 'k'.repeat(32) })).toMatch(/MEILI_HOST: must start with http:\/\/ or https:\/\//)
    expect(message({ MEILI_HOST: 'http://127.0.0.1:7700', MEILI_API_KEY: 'short' })).toMatch(/MEILI_API_KEY: must be at least 16/)
  })
})
