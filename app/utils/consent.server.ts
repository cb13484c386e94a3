import { randomBytes } from 'node:crypto'
import { config } from '#server/config'

/*
 * The anonymous consent id: a strictly necessary cookie (it only remembers the
 * cookie choice itself), set when a visitor first saves a choice — never
 * before. It lets a visitor's choice be stored and proved without an account.
 */

export const CONSENT_COOKIE = 'rounds_consent'
const CONSENT_ID = /^[A-Za-z0-9_-]{22,64}$/
const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60

/** The consent id this browser sent, or null when it sent none (or a malformed one). */
export function readConsentId(request: Request): string | null {
  for (const item of (request.headers.get('cookie') ?? '').split(';')) {
    const separator = item.indexOf('=')
    if (separator === -1 || item.slice(0, separator).trim() !== CONSENT_COOKIE) continue
    const value = item.slice(separator + 1).trim()
    return CONSENT_ID.test(value) ? value : null
  }
  return null
}

export function newConsentId() {
  return randomBytes(18).toString('base64url')
}

export function consentCookie(consentId: string) {
  const secure = config().secureCookies ? '; Secure' : ''
  return `${CONSENT_COOKIE}=${consentId}; Path=/; Max-Age=${ONE_YEAR_SECONDS}; HttpOnly; SameSite=Lax${secure}`
}
