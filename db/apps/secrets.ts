import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/*
 * An app's client secret is derived, not stored: HMAC(server secret, client id + salt). The
 * database holds only the salt, so a copy of it cannot act as any app; rotating replaces the salt,
 * which makes the old secret stop working at once.
 */

export function newSecretSalt(): string {
  return randomBytes(16).toString('base64url')
}

export function newClientId(): string {
  return `rounds_${randomBytes(12).toString('base64url')}`
}

export function clientSecretFor(clientId: string, salt: string, serverSecret: string): string {
  return `rsec_${createHmac('sha256', serverSecret).update(`app-client-secret:${clientId}:${salt}`).digest('base64url')}`
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
