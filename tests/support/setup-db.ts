import { randomBytes } from 'node:crypto'
import { afterAll, afterEach, beforeEach, expect, inject, vi } from 'vitest'
import { closeDatabase, openDatabase } from '../../db/client'
import { createDatabase, dropDatabase } from './postgres'

const serverUrl = new URL(inject('pgServerUrl'))
const name = `rounds_test_${randomBytes(6).toString('hex')}`
const url = await createDatabase(serverUrl, name, inject('pgTemplate'))
process.env.DATABASE_URL = url
process.env.DATA_DIR ??= `.data/test-${name}`
await openDatabase({ url, runMigrations: false, maxConnections: 5 })

afterAll(async () => {
  await closeDatabase()
  await dropDatabase(serverUrl, name)
})

// Tests fail on an unexpected console.error; a test that expects one calls allowConsoleError().
let allowed = false
let spy: ReturnType<typeof vi.spyOn>
export function allowConsoleError() {
  allowed = true
}
beforeEach(() => {
  allowed = false
  spy = vi.spyOn(console, 'error')
})
afterEach(() => {
  const calls = spy.mock.calls
  spy.mockRestore()
  if (!allowed) expect(calls, 'unexpected console.error').toEqual([])
})
