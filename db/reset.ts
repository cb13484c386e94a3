// `npm run db:reset`: drops everything, migrates and seeds the demo data again.
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { config } from '../server/config'
import { hashPassword } from '../server/passwords'
import { closeDatabase, db, openDatabase } from './client'
import { seedDemoData, seedPolicyVersions } from './seed'

const cfg = config()
await openDatabase({ dataDir: path.resolve(cfg.DATA_DIR, 'postgres'), embeddedPort: cfg.EMBEDDED_PG_PORT, runMigrations: false })
await db.execute(sql`drop schema if exists public cascade`)
await db.execute(sql`drop schema if exists drizzle cascade`)
await db.execute(sql`create schema public`)
await closeDatabase()
await openDatabase({ dataDir: path.resolve(cfg.DATA_DIR, 'postgres'), embeddedPort: cfg.EMBEDDED_PG_PORT })
await seedPolicyVersions(db)
await seedDemoData(db, { hashPassword })
await closeDatabase()
console.log('[rounds] Database reset: migrated and seeded with demo data.')
