import { readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib'
import { vitePlugin as remix } from '@remix-run/dev'
import tailwindcss from '@tailwindcss/vite'
import { defineConfig, type Plugin } from 'vite'
import tsconfigPaths from 'vite-tsconfig-paths'
import { remixOptions } from './remix.config.js'

// Modules of db/ and server/ that hold no queries or secrets and may reach the browser.
const browserSafe = new Set([
  'db/specialities.ts',
  'db/interests.ts',
  'db/errors.ts',
  'db/access/club-permissions.ts',
  'db/club-permissions.ts',
  'db/viewer.ts',
  'db/privacy-choices.ts',
  'db/recording-policy.ts',
  'db/moderation/reasons.ts',
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

/**
 * Keeps the project's own server modules (`#db/*`, `#server/*`) out of the server build: the built
 * routes import them from source, so they get the very modules `server/index.ts` loaded (one
 * database pool, one `PublicError` class). The server process runs with tsx, which loads them.
 * See docs/decisions/020-one-module-graph.md.
 */
function sharedServerModules(): Plugin {
  return {
    name: 'rounds:shared-server-modules',
    apply: 'build',
    enforce: 'pre',
    resolveId(source, _importer, options) {
      if (options?.ssr && /^#(db|server)\//.test(source)) return { id: source, external: true }
      return null
    },
  }
}

const brotli = promisify(brotliCompress)
const gzipAsync = promisify(gzip)

/**
 * Writes a `.br` and a `.gz` copy beside each text asset of the browser build, at the strongest
 * settings (they are made once), for server/http/static-files.ts to send to browsers that accept
 * them: the home page's JavaScript goes out at about a third of its size. It runs when the server
 * build closes, the last step of `remix vite:build`: Remix writes the route manifest
 * (`assets/manifest-*.js`) and moves server-emitted assets into the client folder during it.
 */
function precompressAssets(): Plugin {
  let ssr = false
  let assetsDir = ''
  return {
    name: 'rounds:precompress-assets',
    apply: 'build',
    configResolved(resolved) {
      ssr = Boolean(resolved.build.ssr)
      assetsDir = path.resolve(resolved.root, remixOptions.buildDirectory ?? 'build', 'client', resolved.build.assetsDir)
    },
    closeBundle: {
      order: 'post',
      sequential: true,
      async handler() {
        if (!ssr) return
        const names = (await readdir(assetsDir, { recursive: true })).filter((name) => /\.(js|mjs|css|svg|json|txt|html|map)$/.test(name))
        await Promise.all(
          names.map(async (name) => {
            const file = path.join(assetsDir, name)
            const content = await readFile(file)
            if (content.length < 1024) return
            const [br, gz] = await Promise.all([
              brotli(content, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: content.length } }),
              gzipAsync(content, { level: 9 }),
            ])
            // A copy that saves nothing is left out; the original is sent instead.
            if (br.length < content.length) await writeFile(`${file}.br`, br)
            if (gz.length < content.length) await writeFile(`${file}.gz`, gz)
          }),
        )
      },
    },
  }
}

export default defineConfig({
  plugins: [sharedServerModules(), tailwindcss(), remix(remixOptions), tsconfigPaths(), serverOnlyData(), precompressAssets()],
  build: { target: 'es2022' },
  server: { hmr: { port: 24678 } },
})
