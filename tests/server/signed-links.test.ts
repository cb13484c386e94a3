import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { config } from '../../server/config'
import { signUnsubscribeToken, verifyUnsubscribeToken } from '../../server/mail/unsubscribe'
import { LINK_PURPOSES, checkSignedLink, isSignedFor, signFor, signedPath } from '../../server/signed-links'

// One signing helper, a key per purpose: a link made for one thing opens nothing else.

const url = (path: string) => new URL(path, 'http://localhost:3000')
const inADay = () => new Date(Date.now() + 24 * 60 * 60 * 1000)
const id = '7f6c3c1e-5b1a-4f3e-9a43-2d7c1e0b9a11'

describe('signed links', () => {
  it('open for their own purpose and id until they expire', () => {
    const path = signedPath('/exports', 'export', id, inADay())
    expect(path).toMatch(new RegExp(`^/exports/${id}\\?expires=\\d+&sig=[\\w-]{43}$`))
    expect(checkSignedLink(url(path), 'export', id)).toBe('valid')
    expect(checkSignedLink(url(path), 'export', id, new Date(Date.now() + 2 * 24 * 60 * 60 * 1000))).toBe('expired')
  })

  it('are refused for every other purpose, even with the same id and expiry', () => {
    for (const purpose of LINK_PURPOSES) {
      const path = signedPath('/x', purpose, id, inADay())
      for (const other of LINK_PURPOSES) {
        expect(checkSignedLink(url(path), other, id)).toBe(other === purpose ? 'valid' : 'invalid')
      }
    }
  })

  it('sign with a different key per purpose, none of them the server secret itself', () => {
    const text = `${id}\n1767225600000`
    const signatures = LINK_PURPOSES.map((purpose) => signFor(purpose, text))
    expect(new Set(signatures).size).toBe(LINK_PURPOSES.length)
    expect(signatures).not.toContain(createHmac('sha256', config().secret).update(text).digest('base64url'))
    for (const purpose of LINK_PURPOSES) {
      for (const other of LINK_PURPOSES) expect(isSignedFor(other, text, signFor(purpose, text))).toBe(other === purpose)
    }
  })

  it('are refused when the id, the expiry or the signature is changed', () => {
    const path = signedPath('/receipts', 'receipt', id, inADay())
    const link = url(path)
    expect(checkSignedLink(link, 'receipt', id.replace('7', '8'))).toBe('invalid')
    const later = url(path.replace(/expires=(\d+)/, (_m, ms: string) => `expires=${Number(ms) + 1000}`))
    expect(checkSignedLink(later, 'receipt', id)).toBe('invalid')
    const sig = link.searchParams.get('sig')!
    // The same bytes spelt differently (the last character's spare bits set) are refused too.
    const last = 'AEIMQUYcgkosw048'.indexOf(sig.at(-1)!)
    const respelt = sig.slice(0, -1) + 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[last * 4 + 1]
    for (const bad of ['', 'x', sig.slice(1), `${sig}A`, respelt]) {
      const tampered = url(path)
      tampered.searchParams.set('sig', bad)
      expect(checkSignedLink(tampered, 'receipt', id)).toBe('invalid')
    }
    const noExpiry = url(path)
    noExpiry.searchParams.delete('expires')
    expect(checkSignedLink(noExpiry, 'receipt', id)).toBe('invalid')
  })

  it('made before keys were per purpose still open for their own purpose only, until they expire', () => {
    const expires = inADay().getTime()
    const legacy = createHmac('sha256', config().secret).update(`export\n${id}\n${expires}`).digest('base64url')
    const path = `/exports/${id}?expires=${expires}&sig=${legacy}`
    expect(checkSignedLink(url(path), 'export', id)).toBe('valid')
    expect(checkSignedLink(url(path), 'receipt', id)).toBe('invalid')
    expect(checkSignedLink(url(path), 'export', id, new Date(expires))).toBe('expired')
  })
})

describe('unsubscribe tokens', () => {
  it('are signed with the unsubscribe key: its signature opens no other link, and no other purpose makes a token', () => {
    const token = signUnsubscribeToken({ userId: id, kind: 'engagement', channel: 'email' })
    expect(verifyUnsubscribeToken(token).ok).toBe(true)
    const [payload, signature] = token.split('.')
    expect(isSignedFor('unsubscribe', payload, signature)).toBe(true)
    for (const other of LINK_PURPOSES.filter((p) => p !== 'unsubscribe')) {
      expect(isSignedFor(other, payload, signature)).toBe(false)
      expect(verifyUnsubscribeToken(`${payload}.${signFor(other, payload)}`)).toEqual({ ok: false, reason: 'invalid' })
    }
  })

  it('signed the old way still work until they expire', () => {
    const token = signUnsubscribeToken({ userId: id, kind: 'promotional', channel: 'email' })
    const [payload] = token.split('.')
    const legacy = createHmac('sha256', config().secret).update(`unsubscribe:${payload}`).digest('base64url')
    expect(verifyUnsubscribeToken(`${payload}.${legacy}`)).toMatchObject({ ok: true, claims: { userId: id, kind: 'promotional' } })
    // The old way always named the purpose: an old path-link signature of the same text is refused.
    const otherOld = createHmac('sha256', config().secret).update(`export\n${payload}`).digest('base64url')
    expect(verifyUnsubscribeToken(`${payload}.${otherOld}`)).toEqual({ ok: false, reason: 'invalid' })
  })
})
