import { readdirSync } from 'node:fs'
import express, { type RequestHandler } from 'express'

type StaticOptions = Parameters<typeof express.static>[1]

/**
 * Serves a built directory, but only for paths whose first segment exists in it at start-up
 * (`/favicon.svg`, `/assets/…`). Every other request — every page — goes straight on instead of
 * costing a `stat` per directory; the build does not change while the server runs.
 */
export function builtFiles(dir: string, options: StaticOptions = {}): RequestHandler {
  const entries = new Set(readdirSync(dir).map((name) => `/${name}`))
  const serve = express.static(dir, options)
  return (req, res, next) => {
    const slash = req.path.indexOf('/', 1)
    const first = slash === -1 ? req.path : req.path.slice(0, slash)
    if (!entries.has(first)) {
      next()
      return
    }
    serve(req, res, next)
  }
}
