import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { searchDatabase } from '../../db/client'

describe('the search connections', () => {
  it('are read-only, steered to the indexes and without JIT, from the first statement', async () => {
    const [settings] = await searchDatabase().execute<{ readonly: string; seqscan: string; jit: string }>(
      sql`select current_setting('default_transaction_read_only') as readonly, current_setting('enable_seqscan') as seqscan, current_setting('jit') as jit`,
    )
    expect(settings).toEqual({ readonly: 'on', seqscan: 'off', jit: 'off' })
    const failure: unknown = await searchDatabase()
      .execute(sql`create temporary table nope (id int)`)
      .catch((error: unknown) => error)
    // drizzle wraps the driver's error; Postgres's own message is the cause.
    expect(String((failure as { cause?: unknown }).cause)).toMatch(/read-only transaction/)
  })
})
