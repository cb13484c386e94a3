import path from 'node:path'
import { vitePlugin as remix } from '@remix-run/dev'
import tailwindcss from '@tailwindcss/vite'
import { defineConfig, type Plugin } from 'vite'
import tsconfigPaths from 'vite-tsconfig-paths'
import { remixOptions } from './remix.config.js'

// Modules of db/ and server/ that hold no queries or secrets and may reach the browser.
const browserSafe = new Set([
  'db/specialities.ts',
  'db/errors.ts',
  'db/club-permissions.ts',
  'db/viewer.ts',
  'db/privacy-choices.ts',
  'db/recording-policy.ts',
])

/** Fails the browser build, with the importer's name, when server code is pulled into it. */
function serverOnlyData(): Plugin {
  const root = path.resolve(import.meta.dirname)
  return {
    name: 'rounds:server-only-data',
    enforce: 'post',
    load(id, options) {
      if (options?.ssr) return null
      const relative = path.relative(root, id.split('?')[0]).split(path.sep).join('/')
      if ((relative.startsWith('db/') || relative.startsWith('server/')) && !browserSafe.has(relative)) {
        throw new Error(
          `${relative} is server-only but a browser module imports it. Import types with "import type", ` +
            'use it only in a loader or action, or move the constant to a browser-safe module.',
        )
      }
      return null
    },
  }
}

export default defineConfig({
  plugins: [tailwindcss(), remix(remixOptions), tsconfigPaths(), serverOnlyData()],
  build: { target: 'es2022' },
  server: { hmr: { port: 24678 } },
})
