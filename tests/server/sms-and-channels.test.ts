import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listDevTextMessages } from '../../db/dev-text-messages'
import { ConfigError, parseConfig } from '../../server/config'
import { deliverableChannels } from '../../server/notifications/channels'
import { TextMessageRefused, sendTextMessage, textChannelsConfigured } from '../../server/notifications/sms'
import * as devMailboxRoute from '../../app/routes/dev.mailbox'
import { callLoader } from '../support/routes'

const VAPID = {
  VAPID_PUBLIC_KEY: 'BBp22TlLui478sQ2TvWo0jYR5sJT9h4OnI32r1fFVqTmCoFJ3HoKeRb9Pgq6QjOOR8W-uNGlJnDksPmX-nG_PiY',
  VAPID_PRIVATE_KEY: 'qkMPYigABSwU3tRQFEJrdbEg4PkTuKbiNOP8Kj1KbtM',
  VAPID_SUBJECT: 'mailto:ops@rounds.example.org',
}
const PRODUCTION = {
  APP_ENV: 'production',
  PUBLIC_URL: 'https://rounds.example.org',
  SMTP_URL: 'smtps://user:pass@smtp.example.org:465',
  SESSION_SECRET: 'x'.repeat(40),
  REGISTRATION_NUMBER_KEY: Buffer.alloc(32, 1).toString('base64'),
}
const configOf = (env: Record<string, string>) => parseConfig({ DATA_DIR: process.env.DATA_DIR ?? '.data', ...env } as Record<string, string> as NodeJS.ProcessEnv)

type Received = { headers: Record<string, string | string[] | undefined>; body: Record<string, unknown> }
const received: Received[] = []
const answers: { status: number; body: string }[] = []
let provider: Server
let providerUrl = ''

beforeAll(async () => {
  provider = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> })
      const answer = answers.shift() ?? { status: 201, body: JSON.stringify({ id: `msg-${received.length}` }) }
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body)
    })
  })
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve))
  providerUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}/v1/messages`
})
afterAll(async () => {
  await new Promise<void>((resolve) => provider.close(() => resolve()))
})

describe('channels offered', () => {
  it('offers only email in production without push keys or an SMS provider', () => {
    const cfg = configOf(PRODUCTION)
    expect(deliverableChannels({ phoneNumber: '+447700900123' }, cfg)).toEqual(['email'])
    expect(textChannelsConfigured(cfg)).toEqual([])
  })

  it('offers push where VAPID keys are set, and SMS or WhatsApp only with a provider and a phone number', () => {
    const cfg = configOf({ ...PRODUCTION, ...VAPID, SMS_PROVIDER_URL: 'https://sms.example.org/v1', SMS_PROVIDER_TOKEN: 'token-123456', SMS_PROVIDER_CHANNELS: 'sms,whatsapp' })
    expect(deliverableChannels({}, cfg)).toEqual(['email', 'push'])
    expect(deliverableChannels({ phoneNumber: null }, cfg)).toEqual(['email', 'push'])
    expect(deliverableChannels({ phoneNumber: '+447700900123' }, cfg)).toEqual(['email', 'push', 'sms', 'whatsapp'])
  })

  it('locally makes push keys once and keeps them, and offers the text sink only with a phone number', () => {
    const cfg = configOf({ APP_ENV: 'local' })
    expect(deliverableChannels({}, cfg)).toEqual(['email', 'push'])
    expect(deliverableChannels({ phoneNumber: '+447700900123' }, cfg)).toEqual(['email', 'push', 'sms', 'whatsapp'])
  })

  it('refuses half a push or SMS configuration, and bad keys, at start', () => {
    const refuse = (env: Record<string, string>, pattern: RegExp) => {
      expect(() => configOf(env)).toThrow(ConfigError)
      expect(() => configOf(env)).toThrow(pattern)
    }
    refuse({ VAPID_PUBLIC_KEY: VAPID.VAPID_PUBLIC_KEY }, /VAPID_PRIVATE_KEY: is required when VAPID_PUBLIC_KEY is set/)
    refuse({ ...VAPID, VAPID_PUBLIC_KEY: 'abc' }, /VAPID_PUBLIC_KEY: must be an uncompressed P-256 public key/)
    refuse({ ...VAPID, VAPID_SUBJECT: 'ops@rounds.example.org' }, /VAPID_SUBJECT/)
    refuse({ SMS_PROVIDER_URL: 'https://sms.example.org/v1' }, /SMS_PROVIDER_TOKEN: is required/)
    refuse({ SMS_PROVIDER_CHANNELS: 'pager' }, /SMS_PROVIDER_CHANNELS: must be sms, whatsapp or sms,whatsapp/)
    refuse({ ...PRODUCTION, SMS_PROVIDER_URL: 'http://sms.example.org/v1', SMS_PROVIDER_TOKEN: 'token-123456' }, /SMS_PROVIDER_URL: must be an https:\/\/ address/)
  })
})

describe('SMS and WhatsApp', () => {
  it('keeps messages in the local sink, shown on the dev mailbox page beside emails', async () => {
    const cfg = configOf({ APP_ENV: 'local' })
    const id = await sendTextMessage({ channel: 'whatsapp', to: '+447700900123', text: 'Your talk starts in 10 minutes.', reference: 'r-1' }, cfg)
    expect(id).toMatch(/^dev-/)
    const [stored] = await listDevTextMessages()
    expect(stored).toMatchObject({ channel: 'whatsapp', to: '+447700900123', text: 'Your talk starts in 10 minutes.' })
    const page = await callLoader(devMailboxRoute, { url: '/dev/mailbox' })
    expect(page.data).toMatchObject({ texts: [expect.objectContaining({ channel: 'whatsapp', to: '+447700900123' })] })
  })

  it('posts to the provider with its token and our reference, and returns the provider’s id', async () => {
    const cfg = configOf({ SMS_PROVIDER_URL: providerUrl, SMS_PROVIDER_TOKEN: 'token-123456' })
    const before = received.length
    const id = await sendTextMessage({ channel: 'sms', to: '+447700900123', text: 'New sign-in: Chrome on Android', reference: 'delivery-42' }, cfg)
    expect(id).toBe(`msg-${before + 1}`)
    const [request] = received.slice(before)
    expect(request.headers.authorization).toBe('Bearer token-123456')
    expect(request.headers['idempotency-key']).toBe('delivery-42')
    expect(request.body).toEqual({ channel: 'sms', to: '+447700900123', text: 'New sign-in: Chrome on Android', reference: 'delivery-42' })
  })

  it('tells a refusal for good (4xx) from one worth retrying (5xx), and checks the number and channel first', async () => {
    const cfg = configOf({ SMS_PROVIDER_URL: providerUrl, SMS_PROVIDER_TOKEN: 'token-123456' })
    answers.push({ status: 400, body: '{"error":"unknown number"}' })
    await expect(sendTextMessage({ channel: 'sms', to: '+447700900123', text: 'x', reference: 'a' }, cfg)).rejects.toBeInstanceOf(TextMessageRefused)
    answers.push({ status: 503, body: 'busy' })
    const retryable = await sendTextMessage({ channel: 'sms', to: '+447700900123', text: 'x', reference: 'b' }, cfg).catch((error: unknown) => error)
    expect(retryable).toBeInstanceOf(Error)
    expect(retryable).not.toBeInstanceOf(TextMessageRefused)
    expect(String(retryable)).toContain('503')
    answers.push({ status: 200, body: 'ok' })
    await expect(sendTextMessage({ channel: 'sms', to: '+447700900123', text: 'x', reference: 'c' }, cfg)).rejects.toThrow(/no message id/)

    const before = received.length
    await expect(sendTextMessage({ channel: 'sms', to: '07700 900123', text: 'x', reference: 'd' }, cfg)).rejects.toBeInstanceOf(TextMessageRefused)
    // WhatsApp is not among this provider's channels (SMS_PROVIDER_CHANNELS defaults to sms).
    await expect(sendTextMessage({ channel: 'whatsapp', to: '+447700900123', text: 'x', reference: 'e' }, cfg)).rejects.toBeInstanceOf(TextMessageRefused)
    expect(received.length).toBe(before)
  })
})
