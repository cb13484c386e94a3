import { getTableName, sql, type Column, type SQL } from 'drizzle-orm'

/**
 * A column written out as "table"."column". Drizzle leaves columns unqualified
 * in single-table queries, and inside a subquery an unqualified name binds to
 * the subquery's own table when it has a column of that name.
 */
export function qualified(column: Column | SQL): SQL {
  if (!('table' in column)) return column
  return sql.raw(`"${getTableName(column.table)}"."${column.name}"`)
}
