import { readdirSync } from 'node:fs'
import path from 'node:path'
import compression from 'compression'
import express, { type Request, type RequestHandler, type Response } from 'express'

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

/** The encodings the build writes beside each asset (vite.config.ts), best first. */
const PRECOMPRESSED = [
  { encoding: 'br', suffix: '.br' },
  { encoding: 'gzip', suffix: '.gz' },
] as const

/**
 * Serves built assets, sending the `.br` or `.gz` copy the build made beside a file when the
 * browser accepts it, with `Content-Encoding`, the original's type and `Vary: Accept-Encoding`.
 * The copies are listed once at start-up, so a request costs no extra `stat`.
 */
export function precompressedFiles(dir: string, options: StaticOptions = {}): RequestHandler {
  const files = new Set(readdirSync(dir, { recursive: true }).map((name) => `/${String(name).split(path.sep).join('/')}`))
  const serve = express.static(dir, options)
  return (req, res, next) => {
    let file: string
    try {
      file = decodeURIComponent(req.path)
    } catch {
      next()
      return
    }
    const variants = PRECOMPRESSED.filter((v) => files.has(file + v.suffix))
    if (variants.length > 0) {
      res.vary('Accept-Encoding')
      // Ours first: browsers list `gzip, deflate, br` with equal weight, and brotli is smaller.
      const chosen = variants.find((v) => req.acceptsEncodings(v.encoding) === v.encoding)
      if (chosen) {
        // send keeps a Content-Type already set, so the copy goes out as the original's type.
        res.type(path.extname(file))
        res.setHeader('Content-Encoding', chosen.encoding)
        const query = req.url.indexOf('?')
        req.url = `${file}${chosen.suffix}${query === -1 ? '' : req.url.slice(query)}`
      }
    }
    serve(req, res, next)
  }
}

/**
 * Compresses pages and JSON as they are sent (brotli when accepted, else gzip). Left alone:
 * Socket.io (it frames its own messages), anything already encoded (precompressed assets), and
 * types that do not shrink (images, video, ZIP downloads), which the default filter skips.
 */
export function compressResponses(): RequestHandler {
  return compression({
    filter: (req: Request, res: Response) => {
      if (req.path.startsWith('/socket.io/')) return false
      return compression.filter(req, res)
    },
  })
}
