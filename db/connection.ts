import { db } from './client'
import { enqueueJob, type JobInput } from './jobs'
import { seedDemoData, seedPolicyVersions } from './seed'

// What the processes that run Rounds (the server, the export worker) do with the database as a
// whole: open it, seed it, put jobs on its queue from outside a transaction, close it. They reach
// the database through these and the db/<domain> functions only, never drizzle itself.

export { StartupError, closeDatabase, isDatabaseOpen, openDatabase } from './client'

/** The privacy policy versions every database has, then the demo data if asked and it is empty. */
export async function seedAtStart(options: { demoData: boolean; hashPassword: (password: string) => Promise<string> }) {
  await seedPolicyVersions(db)
  return options.demoData ? seedDemoData(db, { hashPassword: options.hashPassword }) : { seeded: false }
}

/** Queues a job on its own, outside any transaction (db/jobs.ts). */
export function scheduleJob(input: JobInput) {
  return enqueueJob(db, input)
}
