import { sql } from 'drizzle-orm'
import { db } from '../client'
import { columnKey, userColumns } from '../retention'
import type { Executor } from './requests'

// The catalogue: every column that points at a person, read from the database itself.

export type UserColumn = { table: string; column: string; nullable: boolean }

/**
 * Columns that refer to a person, read from the database itself: foreign keys to
 * users(id), text columns named like user references (`*user_id`, `*_by`,
 * `author_id`, `host_id`, `owner_id`, `actor_id`, `follower_id`, `followee_id`),
 * and users.id. Only tables in the public schema.
 */
export async function listUserColumns(executor: Executor = db): Promise<UserColumn[]> {
  const rows = await executor.execute<{ table: string; column: string; nullable: boolean }>(sql`
    with fk as (
      select cl.relname::text as table_name, a.attname::text as column_name
      from pg_constraint c
      join pg_class cl on cl.oid = c.conrelid
      join pg_namespace n on n.oid = cl.relnamespace
      join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any (c.conkey)
      where c.contype = 'f' and c.confrelid = 'public.users'::regclass and n.nspname = 'public'
    ),
    named as (
      select c.table_name::text, c.column_name::text
      from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
        and c.data_type in ('text', 'character varying', 'uuid')
        and (c.column_name like '%user\\_id' or c.column_name like '%\\_by'
          or c.column_name in ('author_id', 'host_id', 'owner_id', 'actor_id', 'follower_id', 'followee_id', 'target_user_id'))
    ),
    found as (select * from fk union select * from named union select 'users', 'id')
    select f.table_name as "table", f.column_name as "column", (c.is_nullable = 'YES') as nullable
    from found f
    join information_schema.columns c on c.table_schema = 'public' and c.table_name = f.table_name and c.column_name = f.column_name
    order by 1, 2`)
  return rows.map((r) => ({ table: r.table, column: r.column, nullable: r.nullable }))
}

/** Columns the catalogue shows that db/retention.ts has no rule for. Erasure refuses to run while any exist. */
export function unruledColumns(columns: UserColumn[]) {
  return columns.filter((c) => !userColumns[columnKey(c.table, c.column)])
}

export function groupByTable(columns: UserColumn[]) {
  const tables = new Map<string, UserColumn[]>()
  for (const c of columns) tables.set(c.table, [...(tables.get(c.table) ?? []), c])
  return tables
}

export const matchAny = (columns: string[], userId: string) =>
  sql.join(
    columns.map((c) => sql`${sql.identifier(c)} = ${userId}`),
    sql` or `,
  )
