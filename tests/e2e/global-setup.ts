import { accessSync, constants } from 'node:fs'
import type { TestProject } from 'vitest/node'
import { startAppServer } from '../support/app-server'

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string
    chromiumPath: string
    /** The server's database, for tests that set up what no page can (such as past attendance). */
    databaseUrl: string
  }
}

// One real server (built app, demo data, fresh database) for the whole e2e run.
export default async function setup(project: TestProject) {
  const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
  // A missing browser must fail the run, not skip it: these are the acceptance tests.
  try {
    accessSync(chromiumPath, constants.X_OK)
  } catch {
    throw new Error(
      `No Chromium at ${chromiumPath}. Install it (apt-get install chromium) or set CHROMIUM_PATH; the e2e tests need a real browser.`,
    )
  }
  let server: Awaited<ReturnType<typeof startAppServer>>
  try {
    server = await startAppServer()
  } catch (error) {
    // startAppServer's own errors carry the server output; a build failure carries the build's.
    console.error('[e2e] The app server did not start.')
    throw error
  }
  project.provide('baseUrl', server.baseUrl)
  project.provide('chromiumPath', chromiumPath)
  project.provide('databaseUrl', server.databaseUrl)
  return async () => {
    await server.stop()
  }
}
