import { request } from 'node:http'
import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAppServer, type AppServer } from '../support/app-server'

// The production server, as `npm start` runs it, without BENCH_ROUTES.
let server: AppServer
beforeAll(async () => {
  server = await startAppServer()
}, 240_000)
afterAll(async () => {
  await server?.stop()
})

type Raw = { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

/** A GET that leaves the body as it came over the wire (fetch would decode it). */
function get(pathname: string, headers: Record<string, string> = {}): Promise<Raw> {
  const url = new URL(pathname, server.baseUrl)
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

const CHROME_ENCODINGS = 'gzip, deflate, br, zstd'

/** The largest JavaScript file the home page loads. */
async function homeScript() {
  const home = await get('/')
  const scripts = [...home.body.toString().matchAll(/\/assets\/[\w.-]+\.js/g)].map((m) => m[0])
  expect(scripts.length).toBeGreaterThan(0)
  const dir = path.resolve('build/client')
  return scripts.map((s) => ({ path: s, size: statSync(path.join(dir, s)).size })).sort((a, b) => b.size - a.size)[0]
}

describe('compression', () => {
  it('sends a built asset from its brotli copy when accepted, gzip when only that is, and as it is otherwise', async () => {
    const script = await homeScript()
    const original = await get(script.path)
    expect(original.status).toBe(200)
    expect(original.headers['content-encoding']).toBeUndefined()
    expect(original.headers.vary).toMatch(/Accept-Encoding/i)
    expect(original.body.length).toBe(script.size)

    const br = await get(script.path, { 'Accept-Encoding': CHROME_ENCODINGS })
    expect(br.status).toBe(200)
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.headers['content-type']).toMatch(/^text\/javascript|^application\/javascript/)
    expect(br.headers['cache-control']).toMatch(/immutable/)
    expect(br.headers.vary).toMatch(/Accept-Encoding/i)
    expect(brotliDecompressSync(br.body).equals(original.body)).toBe(true)
    expect(br.body.length).toBeLessThan(original.body.length / 2)

    const gz = await get(script.path, { 'Accept-Encoding': 'gzip' })
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(gz.body).equals(original.body)).toBe(true)

    const refused = await get(script.path, { 'Accept-Encoding': 'br;q=0, gzip;q=0' })
    expect(refused.headers['content-encoding']).toBeUndefined()
    expect(refused.body.equals(original.body)).toBe(true)
  })

  it('the build holds a brotli and a gzip copy of every script and stylesheet worth compressing', () => {
    const dir = path.resolve('build/client/assets')
    const files = new Set(readdirSync(dir))
    const texts = [...files].filter((f) => /\.(js|css)$/.test(f) && statSync(path.join(dir, f)).size >= 1024)
    expect(texts.length).toBeGreaterThan(0)
    for (const f of texts) expect(files.has(`${f}.br`) && files.has(`${f}.gz`), f).toBe(true)
  })

  it('compresses the home page as it is sent, and leaves a client that asks for none alone', async () => {
    const plain = await get('/')
    expect(plain.status).toBe(200)
    expect(plain.headers['content-encoding']).toBeUndefined()
    const html = plain.body.toString()
    expect(html).toMatch(/<html/)

    const br = await get('/', { 'Accept-Encoding': CHROME_ENCODINGS })
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.headers.vary).toMatch(/Accept-Encoding/i)
    const decoded = brotliDecompressSync(br.body).toString()
    // The same document (its CSP nonce differs per response).
    expect(decoded.replace(/nonce="[^"]+"/g, '')).toHaveLength(html.replace(/nonce="[^"]+"/g, '').length)
    expect(br.body.length).toBeLessThan(plain.body.length / 2)
    console.log(`Home page: ${plain.body.length} bytes as HTML, ${br.body.length} with brotli.`)

    const gz = await get('/', { 'Accept-Encoding': 'gzip' })
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(gz.body).toString()).toMatch(/<html/)
  })
})

describe('benchmark pages', () => {
  it('answer 404 unless the server was started with BENCH_ROUTES=1', async () => {
    expect((await get('/bench/bare')).status).toBe(404)
    expect((await get('/bench/frame')).status).toBe(404)
  })
})
