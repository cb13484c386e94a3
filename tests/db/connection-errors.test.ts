import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import { describe, expect, it } from 'vitest'
import { db, rawSql } from '../../db/client'
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

// The driver is patched (patches/postgres+3.4.9.patch) so that a connection the server closes in
// the middle of a query leaves nothing behind for the next one on the same pool slot.
describe('a connection the server ends during a query', () => {
  it('fails that query only: the next query on the same pool slot gets its own answer', async () => {
    const { host, port, database, user, pass } = rawSql().options
    const client = postgres({ host: host[0], port: port[0], database, username: user, password: typeof pass === 'string' ? pass : undefined, max: 1, onnotice: () => {} })
    try {
      const ended = await client`select pg_terminate_backend(pg_backend_pid())`.then(
        () => null,
        (e: unknown) => e,
      )
      expect(isConnectionError(ended)).toBe(true)
      for (let i = 1; i <= 3; i++) {
        const [row] = await client<{ n: number }[]>`select ${i}::int as n`
        expect(row.n).toBe(i)
      }
    } finally {
      await client.end({ timeout: 1 })
    }
  })
})
