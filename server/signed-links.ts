import { createHmac, timingSafeEqual } from 'node:crypto'
import { config } from './config'

/*
 * Links that carry their own proof: an HMAC of what the link opens (purpose, id,
 * expiry) with the server secret. A changed id or expiry no longer matches, so a
 * link cannot be bent into another person's download or receipt.
 */

function signature(purpose: string, id: string, expires: number) {
  return createHmac('sha256', config().secret).update(`${purpose}\n${id}\n${expires}`).digest('base64url')
}

/** `/path/<id>?expires=<ms>&sig=<hmac>`. */
export function signedPath(basePath: string, purpose: string, id: string, expiresAt: Date) {
  const expires = expiresAt.getTime()
  return `${basePath}/${encodeURIComponent(id)}?expires=${expires}&sig=${signature(purpose, id, expires)}`
}

export type LinkCheck = 'valid' | 'expired' | 'invalid'

/** 'invalid' for a missing or wrong signature; 'expired' only for a genuine link past its time. */
export function checkSignedLink(url: URL, purpose: string, id: string, now = new Date()): LinkCheck {
  const expiresText = url.searchParams.get('expires') ?? ''
  const given = url.searchParams.get('sig') ?? ''
  if (!/^\d{1,15}$/.test(expiresText) || !/^[\w-]{43}$/.test(given)) return 'invalid'
  const expires = Number(expiresText)
  const expected = Buffer.from(signature(purpose, id, expires))
  const actual = Buffer.from(given)
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return 'invalid'
  return expires <= now.getTime() ? 'expired' : 'valid'
}
