import { once } from 'node:events'
import net, { type AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'

type Received = { from: string; to: string[]; data: string }

/** A small SMTP server that accepts every message (RFC 5321, no extensions), to see what nodemailer sends. */
function smtpSink() {
  const received: Received[] = []
  const server = net.createServer((socket) => {
    socket.setEncoding('utf8')
    let buffer = ''
    let inData = false
    let current: Received = { from: '', to: [], data: '' }
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
          received.push(current)
          current = { from: '', to: [], data: '' }
          reply('250 2.0.0 queued')
          continue
        }
        const lineEnd = buffer.indexOf('\r\n')
        if (lineEnd === -1) return
        const line = buffer.slice(0, lineEnd)
        buffer = buffer.slice(lineEnd + 2)
        const verb = line.slice(0, 4).toUpperCase()
        if (verb === 'EHLO' || verb === 'HELO') {
          reply('250 sink.test')
        } else if (verb === 'MAIL') {
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
        } else if (verb === 'RSET' || verb === 'NOOP') {
          reply('250 ok')
        } else {
          reply('502 not here')
        }
      }
    })
  })
  return { server, received }
}

const sink = smtpSink()

beforeAll(async () => {
  sink.server.listen(0, '127.0.0.1')
  await once(sink.server, 'listening')
  const { port } = sink.server.address() as AddressInfo
  vi.stubEnv('SMTP_URL', `smtp://127.0.0.1:${port}`)
  vi.stubEnv('MAIL_FROM', 'Rounds <no-reply@rounds.test>')
  // The configuration is read once per process: load the mail module afresh with the SMTP settings.
  vi.resetModules()
})

afterAll(async () => {
  vi.unstubAllEnvs()
  sink.server.close()
  await once(sink.server, 'close')
})

describe('mail through SMTP (nodemailer)', () => {
  it('delivers a service message with its sender, recipient, subject and text', async () => {
    const { sendMail } = await import('../../server/mail/index')

    const result = await sendMail({
      kind: 'service',
      to: 'dr.ines.moreau@hospital.test',
      subject: '123456 is your Rounds code',
      text: 'Your Rounds verification code is 123456.\n\nIt works once, for 10 minutes. Ünïcode stays intact.',
    })

    expect(result).toEqual({ sent: true })
    expect(sink.received).toHaveLength(1)
    const [mail] = sink.received
    expect(mail.from).toBe('MAIL FROM:<no-reply@rounds.test>')
    expect(mail.to).toEqual(['RCPT TO:<dr.ines.moreau@hospital.test>'])
    expect(mail.data).toMatch(/^From: Rounds <no-reply@rounds\.test>$/m)
    expect(mail.data).toMatch(/^To: dr\.ines\.moreau@hospital\.test$/m)
    expect(mail.data).toMatch(/^Subject: 123456 is your Rounds code$/m)
    expect(mail.data).toContain('Your Rounds verification code is 123456.')
  })

  it('refuses a header that would smuggle a second recipient (CRLF in the subject)', async () => {
    const { sendMail } = await import('../../server/mail/index')
    const before = sink.received.length

    await sendMail({ kind: 'service', to: 'dr.ines.moreau@hospital.test', subject: 'Hello\r\nBcc: attacker@evil.example', text: 'x' })

    const mail = sink.received[before]
    expect(mail.to).toEqual(['RCPT TO:<dr.ines.moreau@hospital.test>'])
    expect(mail.data).not.toMatch(/^Bcc:/m)
  })
})
