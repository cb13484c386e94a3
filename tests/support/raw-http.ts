import net from 'node:net'

// HTTP/1.1 over a plain socket, for requests fetch will not send: a Content-Length larger than
// the body, a chunked body left open, a Host that differs from the address. The answer is read
// while the body is still being sent, so a test can tell a server that refuses early from one
// that reads everything first.

export type RawRequest = {
  method?: string
  path: string
  headers?: Record<string, string>
  /** What is sent after the headers. */
  body?: Buffer | string
  /** Content-Length to declare; defaults to the body's length. Ignored with `chunked`. */
  declaredLength?: number
  /** Send the body with Transfer-Encoding: chunked, 64 KiB a chunk. */
  chunked?: boolean
  /** Leave the body unfinished (no last chunk, or fewer bytes than declared) and wait for the answer. */
  leaveOpen?: boolean
  timeoutMs?: number
}

export type RawResponse = {
  status: number
  headers: Record<string, string>
  body: string
  /** Body bytes written to the socket before the answer came or the server closed it. */
  bytesSent: number
}

export function rawRequest(baseUrl: string, request: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl)
  const body = typeof request.body === 'string' ? Buffer.from(request.body) : (request.body ?? Buffer.alloc(0))
  const headers: Record<string, string> = { host: url.host, ...request.headers }
  if (request.chunked) headers['transfer-encoding'] = 'chunked'
  else headers['content-length'] = String(request.declaredLength ?? body.byteLength)
  const head = `${request.method ?? 'POST'} ${request.path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`

  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname)
    let received = Buffer.alloc(0)
    let answered = false
    let bytesSent = 0
    const timer = setTimeout(() => finish(new Error(`No answer to ${request.method ?? 'POST'} ${request.path} within ${request.timeoutMs ?? 10_000} ms`)), request.timeoutMs ?? 10_000)

    const finish = (error?: Error) => {
      if (answered) return
      const parsed = error ? null : parse(received)
      if (!error && !parsed) return
      answered = true
      clearTimeout(timer)
      socket.destroy()
      if (error) reject(error)
      else resolve({ ...parsed!, bytesSent })
    }
    socket.on('data', (data: Buffer) => {
      received = Buffer.concat([received, data])
      const parsed = parse(received)
      if (parsed?.complete) finish()
    })
    socket.on('end', () => finish(parse(received) ? undefined : new Error(`The server closed the connection without an answer to ${request.path}`)))
    socket.on('close', () => finish(parse(received) ? undefined : new Error(`The connection closed without an answer to ${request.path}`)))
    // Writing after the server answered and closed fails; what was sent by then is what counts.
    socket.on('error', () => {})

    socket.once('connect', () => {
      void (async () => {
        const write = (data: Buffer | string) =>
          new Promise<void>((done) => {
            if (answered || socket.destroyed || received.length > 0) return done()
            if (socket.write(data)) done()
            else {
              socket.once('drain', () => done())
              socket.once('close', () => done())
            }
          })
        await write(head)
        const step = 64 * 1024
        for (let at = 0; at < body.byteLength; at += step) {
          if (answered || socket.destroyed || received.length > 0) break
          const piece = body.subarray(at, at + step)
          await write(request.chunked ? Buffer.concat([Buffer.from(`${piece.byteLength.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece)
          bytesSent += piece.byteLength
        }
        if (request.chunked && !request.leaveOpen) await write('0\r\n\r\n')
      })()
    })
  })
}

function parse(data: Buffer): (Omit<RawResponse, 'bytesSent'> & { complete: boolean }) | null {
  const end = data.indexOf('\r\n\r\n')
  if (end === -1) return null
  const [statusLine, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n')
  const status = Number(statusLine.split(' ')[1])
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  const rest = data.subarray(end + 4)
  if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length'])
    return { status, headers, body: rest.subarray(0, length).toString('utf8'), complete: rest.byteLength >= length }
  }
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
    const { body, complete } = dechunk(rest)
    return { status, headers, body, complete }
  }
  return { status, headers, body: rest.toString('utf8'), complete: false }
}

function dechunk(data: Buffer) {
  const parts: Buffer[] = []
  let at = 0
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at)
    if (lineEnd === -1) return { body: Buffer.concat(parts).toString('utf8'), complete: false }
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16)
    if (size === 0) return { body: Buffer.concat(parts).toString('utf8'), complete: true }
    if (data.byteLength < lineEnd + 2 + size) return { body: Buffer.concat(parts).toString('utf8'), complete: false }
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size))
    at = lineEnd + 2 + size + 2
  }
}
