// Remix options shared by the Vite plugin (vite.config.ts) and anything else
// that needs to know where the app lives. See docs/decisions/001-remix-config.md.
/** @type {import('@remix-run/dev').VitePluginConfig} */
export const remixOptions = {
  appDirectory: 'app',
  buildDirectory: 'build',
  serverModuleFormat: 'esm',
  ignoredRouteFiles: ['**/.*', '**/*.test.{ts,tsx}'],
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    // Off: the whole route manifest is one cached asset here, cheaper than matching a partial
    // manifest on every page render (docs/decisions/010-page-rendering-cost.md).
    v3_lazyRouteDiscovery: false,
  },
}

export default remixOptions
