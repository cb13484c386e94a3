import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { CHANNELS, MESSAGE_KINDS, type Channel, type UnsubscribeClaims } from '../../db/privacy/index'
import { config } from '../config'
import { isSignedFor, signFor } from '../signed-links'

/*
 * One-click unsubscribe links (RFC 8058). A token names the person, the kind
 * of message and the channel, carries an expiry and a random id (so a used
 * link is recognised), and is signed with the unsubscribe key (server/signed-links.ts):
 * nothing in it can be changed without the signature failing.
 */

export const UNSUBSCRIBE_TOKEN_LIFETIME_MS = 90 * 24 * 60 * 60 * 1000
/** Longer than any token we issue; anything longer is refused before it is parsed. */
export const UNSUBSCRIBE_TOKEN_MAX_LENGTH = 600

const Payload = z.object({
  v: z.literal(1),
  u: z.string().min(1).max(100),
  c: z.enum(CHANNELS),
  k: z.enum(MESSAGE_KINDS).exclude(['service']),
  e: z.number().int().positive(),
  n: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
})

export function signUnsubscribeToken(
  claims: { userId: string; kind: 'engagement' | 'promotional'; channel: Channel },
  now = new Date(),
): string {
  const payload = Buffer.from(
    JSON.stringify({
      v: 1,
      u: claims.userId,
      c: claims.channel,
      k: claims.kind,
      e: Math.floor((now.getTime() + UNSUBSCRIBE_TOKEN_LIFETIME_MS) / 1000),
      n: randomBytes(16).toString('base64url'),
    }),
  ).toString('base64url')
  return `${payload}.${signFor('unsubscribe', payload)}`
}

export type VerifiedToken = { ok: true; claims: UnsubscribeClaims } | { ok: false; reason: 'invalid' | 'expired' }

export function verifyUnsubscribeToken(token: unknown, now = new Date()): VerifiedToken {
  if (typeof token !== 'string' || token.length > UNSUBSCRIBE_TOKEN_MAX_LENGTH) return { ok: false, reason: 'invalid' }
  const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(token)
  if (!match) return { ok: false, reason: 'invalid' }
  const [, payload, signature] = match
  if (!isSignedFor('unsubscribe', payload, signature, `unsubscribe:${payload}`)) return { ok: false, reason: 'invalid' }
  let parsed: z.infer<typeof Payload>
  try {
    const result = Payload.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')))
    if (!result.success) return { ok: false, reason: 'invalid' }
    parsed = result.data
  } catch {
    return { ok: false, reason: 'invalid' }
  }
  if (parsed.e * 1000 <= now.getTime()) return { ok: false, reason: 'expired' }
  return { ok: true, claims: { tokenId: parsed.n, userId: parsed.u, channel: parsed.c, kind: parsed.k } }
}

export function unsubscribeUrl(token: string) {
  return `${config().publicUrl}/unsubscribe?token=${encodeURIComponent(token)}`
}
