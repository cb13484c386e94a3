/** Ids are UUIDs everywhere in Rounds; anything else is refused before a query. */
export const isId = (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f-]{36}$/i.test(value)
