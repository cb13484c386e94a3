import type { AddressInfo } from 'node:net'
import express from 'express'
import { describe, expect, it } from 'vitest'
import { cspNonce, liveKitConnectSources, securityHeaders } from '../../server/http/security'

async function policyOf(options: Parameters<typeof securityHeaders>[0]) {
  const app = express()
  app.use(cspNonce)
  app.use(securityHeaders(options))
  app.get('/', (_req, res) => res.send('ok'))
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)
    const policy = res.headers.get('content-security-policy') ?? ''
    return Object.fromEntries(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]))
  } finally {
    server.close()
  }
}

describe('content security policy', () => {
  it("lets the browser reach LiveKit's signalling socket and its HTTP address, and nothing else new", async () => {
    expect(liveKitConnectSources('wss://livekit.example.org')).toEqual(['wss://livekit.example.org', 'https://livekit.example.org'])
    expect(liveKitConnectSources('http://127.0.0.1:7880')).toEqual(['ws://127.0.0.1:7880', 'http://127.0.0.1:7880'])
    expect(liveKitConnectSources(undefined)).toEqual([])
    const policy = await policyOf({ dev: false, secure: false, connectSources: liveKitConnectSources('wss://livekit.example.org') })
    expect(policy['connect-src']).toEqual(["'self'", 'ws:', 'wss:', 'wss://livekit.example.org', 'https://livekit.example.org'])
    expect(policy['media-src']).toEqual(["'self'", 'blob:'])
    expect(policy['script-src']?.[1]).toMatch(/^'nonce-.+'$/)
  })

  it('plays recordings from the S3 host it signs links for', async () => {
    const policy = await policyOf({ dev: false, secure: true, mediaSources: ['https://rounds.s3.eu-west-1.amazonaws.com'] })
    expect(policy['media-src']).toEqual(["'self'", 'blob:', 'https://rounds.s3.eu-west-1.amazonaws.com'])
    expect(policy['connect-src']).toEqual(["'self'", 'ws:', 'wss:'])
  })
})
