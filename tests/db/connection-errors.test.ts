import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import { describe, expect, it } from 'vitest'
import { db } from '../../db/client'
import { isConnectionError } from '../../db/health'

// Pages and live-room events say "temporarily unavailable" instead of "something went wrong" when
// the database cannot be reached, which drizzle reports wrapped in its own error.

describe('isConnectionError', () => {
  it('recognises an unreachable database behind drizzle’s query error', async () => {
    const client = postgres('postgres://postgres@127.0.0.1:1/nowhere', { max: 1, connect_timeout: 1, onnotice: () => {} })
    try {
      const error = await drizzle(client)
        .execute(sql`select 1`)
        .then(
          () => null,
          (e: unknown) => e,
        )
      expect(error).toBeInstanceOf(Error)
      expect(isConnectionError(error)).toBe(true)
    } finally {
      await client.end({ timeout: 1 })
    }
  })

  it('does not take a failing query for an outage', async () => {
    const error = await db.execute(sql`select * from no_such_table`).then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(Error)
    expect(isConnectionError(error)).toBe(false)
  })
})
