import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto'
import { config } from './config'

/*
 * Everything Rounds signs so that a link can carry its own proof: downloads of an export, erasure
 * receipts, one-click unsubscribe tokens, email-change undo links. Each purpose signs with its own
 * key, derived from the server secret with HKDF (RFC 5869, the purpose as `info`), so a signature
 * made for one purpose is never valid for another, whatever the signed text.
 */

export const LINK_PURPOSES = ['export', 'receipt', 'unsubscribe', 'email-change-undo', 'not-me'] as const
export type LinkPurpose = (typeof LINK_PURPOSES)[number]

/** A signature in base64url: HMAC-SHA256 is 32 bytes, 43 characters. */
const SIGNATURE_RE = /^[\w-]{43}$/

const keys = new Map<string, Buffer>()

function keyFor(purpose: LinkPurpose): Buffer {
  const secret = config().secret
  const cacheKey = `${purpose}\n${secret}`
  let key = keys.get(cacheKey)
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secret, 'rounds signed links', purpose, 32))
    keys.set(cacheKey, key)
  }
  return key
}

const hmac = (key: Buffer | string, text: string) => createHmac('sha256', key).update(text).digest()

/** The signature of `text` for `purpose`, in base64url. */
export function signFor(purpose: LinkPurpose, text: string): string {
  return hmac(keyFor(purpose), text).toString('base64url')
}

/**
 * Whether `signature` is `purpose`'s signature of `text`, compared in constant time.
 * `legacyText`: what the same link signed before keys were per purpose (the secret itself, the
 * purpose inside the text). Such links are honoured until they expire by their own dates, the
 * last by 2027-03-03 (unsubscribe tokens live 90 days); then the parameter can go.
 */
export function isSignedFor(purpose: LinkPurpose, text: string, signature: string, legacyText?: string): boolean {
  if (!SIGNATURE_RE.test(signature)) return false
  const given = Buffer.from(signature, 'base64url')
  // One spelling per signature: the last character's spare bits must be zero.
  if (given.toString('base64url') !== signature) return false
  if (timingSafeEqual(hmac(keyFor(purpose), text), given)) return true
  return legacyText !== undefined && timingSafeEqual(hmac(config().secret, legacyText), given)
}

/** `/path/<id>?expires=<ms>&sig=<hmac>`: the signature covers the id and the expiry. */
export function signedPath(basePath: string, purpose: LinkPurpose, id: string, expiresAt: Date) {
  const expires = expiresAt.getTime()
  return `${basePath}/${encodeURIComponent(id)}?expires=${expires}&sig=${signFor(purpose, `${id}\n${expires}`)}`
}

export type LinkCheck = 'valid' | 'expired' | 'invalid'

/** 'invalid' for a missing or wrong signature; 'expired' only for a genuine link past its time. */
export function checkSignedLink(url: URL, purpose: LinkPurpose, id: string, now = new Date()): LinkCheck {
  const expiresText = url.searchParams.get('expires') ?? ''
  const given = url.searchParams.get('sig') ?? ''
  if (!/^\d{1,15}$/.test(expiresText)) return 'invalid'
  const expires = Number(expiresText)
  if (!isSignedFor(purpose, `${id}\n${expires}`, given, `${purpose}\n${id}\n${expires}`)) return 'invalid'
  return expires <= now.getTime() ? 'expired' : 'valid'
}
