/*
 * Every predicate and guard of who may see or do what, and nothing that writes. Domain modules
 * import their rules from here; docs/who-sees-what.md maps each resource to its rule and test.
 * Components import `#db/access/club-permissions` directly: it is the one part free of
 * database code.
 */
export * from './people'
export * from './clubs'
export * from './staff'
export * from './talks'
export * from './moderation'
export * from './verification'
export * from './ads'
