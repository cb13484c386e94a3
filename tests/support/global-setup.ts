import type { TestProject } from 'vitest/node'
import { createDatabase, dropDatabase, migrateDatabase, startTestPostgres } from './postgres'

declare module 'vitest' {
  export interface ProvidedContext {
    pgServerUrl: string
    pgTemplate: string
  }
}

// One migrated template per run; each test file clones it (tests/support/setup-db.ts),
// so files run in parallel on their own databases.
export default async function setup(project: TestProject) {
  const pg = await startTestPostgres()
  const template = `rounds_template_${process.pid}`
  const url = await createDatabase(pg.serverUrl, template)
  await migrateDatabase(url)
  project.provide('pgServerUrl', pg.serverUrl.toString())
  project.provide('pgTemplate', template)
  return async () => {
    await dropDatabase(pg.serverUrl, template)
    await pg.stop()
  }
}
