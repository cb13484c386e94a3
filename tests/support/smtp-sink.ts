import { once } from 'node:events'
import { afterAll, beforeAll, vi } from 'vitest'
import net, { type AddressInfo } from 'node:net'

export type ReceivedMail = { from: string; to: string[]; data: string }

/**
 * A small SMTP server (RFC 5321, no extensions) that keeps what it accepts, to see what
 * nodemailer sends. `refuseNext` makes it answer the next messages' end of data with a
 * temporary failure (451), as a provider having trouble would: those are not accepted.
 */
export function smtpSink() {
  const received: ReceivedMail[] = []
  const state = { refuseNext: 0, refused: 0 }
  const server = net.createServer((socket) => {
    socket.setEncoding('utf8')
    let buffer = ''
    let inData = false
    let current: ReceivedMail = { from: '', to: [], data: '' }
    const reply = (line: string) => socket.write(`${line}\r\n`)
    reply('220 sink.test ESMTP')
    socket.on('data', (chunk: string) => {
      buffer += chunk
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n')
          if (end === -1) return
          current.data = buffer.slice(0, end)
          buffer = buffer.slice(end + 5)
          inData = false
          if (state.refuseNext > 0) {
            state.refuseNext--
            state.refused++
            reply('451 4.3.0 Temporary failure, try again later')
          } else {
            received.push(current)
            reply('250 2.0.0 queued')
          }
          current = { from: '', to: [], data: '' }
          continue
        }
        const lineEnd = buffer.indexOf('\r\n')
        if (lineEnd === -1) return
        const line = buffer.slice(0, lineEnd)
        buffer = buffer.slice(lineEnd + 2)
        const verb = line.slice(0, 4).toUpperCase()
        if (verb === 'EHLO' || verb === 'HELO') reply('250 sink.test')
        else if (verb === 'MAIL') {
          current.from = line
          reply('250 2.1.0 ok')
        } else if (verb === 'RCPT') {
          current.to.push(line)
          reply('250 2.1.5 ok')
        } else if (verb === 'DATA') {
          inData = true
          reply('354 go ahead')
        } else if (verb === 'QUIT') {
          reply('221 bye')
          socket.end()
        } else if (verb === 'RSET' || verb === 'NOOP') reply('250 ok')
        else reply('502 not here')
      }
    })
  })
  return {
    received,
    state,
    async start() {
      server.listen(0, '127.0.0.1')
      await once(server, 'listening')
      return `smtp://127.0.0.1:${(server.address() as AddressInfo).port}`
    },
    async stop() {
      server.close()
      await once(server, 'close')
    },
  }
}

/**
 * A sink for the whole test file: SMTP_URL points at it, and the modules that read the
 * configuration (read once per process) are loaded afresh, so import them inside the tests.
 */
export function smtpSinkForFile() {
  const sink = smtpSink()
  beforeAll(async () => {
    vi.stubEnv('SMTP_URL', await sink.start())
    vi.stubEnv('MAIL_FROM', 'Rounds <no-reply@rounds.test>')
    vi.resetModules()
  })
  afterAll(async () => {
    vi.unstubAllEnvs()
    await sink.stop()
  })
  return sink
}
