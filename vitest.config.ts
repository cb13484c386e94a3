import { defineConfig } from 'vitest/config'
import tsconfigPaths from 'vite-tsconfig-paths'

// Kept apart from vite.config.ts: tests load modules directly, without the Remix plugin.
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/db/**/*.test.ts', 'tests/server/**/*.test.ts'],
          globalSetup: ['tests/support/global-setup.ts'],
          setupFiles: ['tests/support/setup-db.ts'],
          pool: 'forks',
          testTimeout: 20_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          // The real server as a child process with its own Redis and Postgres, which the tests
          // kill, stop and restart (tests/support/faults.ts). One file at a time: they are heavy.
          name: 'faults',
          include: ['tests/faults/**/*.test.ts'],
          pool: 'forks',
          testTimeout: 90_000,
          hookTimeout: 120_000,
          poolOptions: { forks: { singleFork: true } },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.e2e.ts'],
          globalSetup: ['tests/e2e/global-setup.ts'],
          pool: 'forks',
          testTimeout: 90_000,
          hookTimeout: 180_000,
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
})
