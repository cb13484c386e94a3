import net, { type AddressInfo } from 'node:net'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { finishUnreadBodies } from '../../server/http/bad-input'
import { MAX_BODY_BYTES, bodyLimit } from '../../server/http/security'

// Answers sent before a request's body was read: the client gets the answer, the server reads at
// most a little more of the body, and the connection neither hangs nor is reset under the answer.

let base = ''
let close = () => {}
const MB = 1024 * 1024

beforeAll(async () => {
  const app = express()
  app.use(finishUnreadBodies())
  app.use(bodyLimit(MAX_BODY_BYTES))
  // Like a Remix action that redirects before reading the form: the body is half-consumed and paused.
  app.post('/early', (req, res) => {
    req.on('data', () => req.pause())
    res.redirect(302, '/login')
  })
  app.post('/read', (req, res) => {
    let size = 0
    req.on('data', (chunk: Buffer) => (size += chunk.byteLength))
    req.on('end', () => res.type('text/plain').send(String(size)))
  })
  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  close = () => server.close()
})

afterAll(() => close())

describe('answers sent before the body was read', () => {
  it('keep the connection usable after a redirect that left a 200 KB body unread', async () => {
    for (let n = 0; n < 5; n++) {
      const early = await fetch(`${base}/early`, { method: 'POST', body: 'x'.repeat(200 * 1024), redirect: 'manual' })
      expect(early.status).toBe(302)
      await early.text()
      const read = await fetch(`${base}/read`, { method: 'POST', body: 'hello' })
      expect(await read.text()).toBe('5')
    }
  })

  it('answer a 7 MB body with 413 before it is read, through fetch as well', async () => {
    const res = await fetch(`${base}/read`, {
      method: 'POST',
      body: 'x'.repeat(7 * MB),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(res.status).toBe(413)
    expect(await res.text()).toBe('That upload is too large. Photos can be up to 5 MB.')
  })

  it('close the connection after a little more of a declared 100 MB body, instead of reading it all', async () => {
    const url = new URL(base)
    const socket = net.connect(Number(url.port), url.hostname)
    await new Promise((resolve) => socket.once('connect', resolve))
    let answer = ''
    socket.on('data', (data: Buffer) => (answer += data.toString()))
    socket.on('error', () => {})
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
    socket.write(`POST /read HTTP/1.1\r\nHost: ${url.host}\r\nContent-Length: ${100 * MB}\r\n\r\n`)
    // Keep sending, as a client that ignores early answers does, until the server hangs up.
    let written = 0
    const chunk = Buffer.alloc(64 * 1024, 'x')
    const deadline = Date.now() + 5000
    while (!socket.destroyed && written < 100 * MB && Date.now() < deadline) {
      if (!socket.write(chunk)) await Promise.race([new Promise((r) => socket.once('drain', r)), closed])
      written += chunk.byteLength
    }
    await Promise.race([closed, new Promise((r) => setTimeout(r, 3000))])
    expect(answer).toMatch(/^HTTP\/1\.1 413/)
    expect(socket.destroyed || socket.readableEnded).toBe(true)
    // Socket buffers take a few MB; Node reading the whole body would have taken all 100.
    expect(written).toBeLessThan(30 * MB)
    socket.destroy()
  })
})
