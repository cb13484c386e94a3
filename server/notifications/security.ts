import { recordSignInDevice } from '../../db/security-notices'
import { deviceName } from '../../app/utils/device-name.server'
import { approximatePlace } from '../geoip'
import { checkSignedLink, signedPath, type LinkCheck } from '../signed-links'

/*
 * The server's side of new-device sign-in notices (db/security-notices.ts): naming the device,
 * the approximate place (only with a MaxMind City database at GEOIP_DB_PATH, read locally, never
 * a web service), and the signed single-use "This wasn't me" link.
 */

/** How long a "This wasn't me" link works. */
export const NOT_ME_LINK_DAYS = 7

const NOT_ME_PATH = '/security/not-me'

/** The link's id: the device row and the moment it was armed, in milliseconds. */
const linkId = (device: { id: string; armedAt: Date }) => `${device.id}.${device.armedAt.getTime()}`

export function notMeLink(device: { id: string; armedAt: Date }) {
  const expires = new Date(device.armedAt.getTime() + NOT_ME_LINK_DAYS * 24 * 60 * 60 * 1000)
  return signedPath(NOT_ME_PATH, 'not-me', linkId(device), expires)
}

/** Reads and checks a "This wasn't me" link's address: the device it names, or why not. */
export function readNotMeLink(url: URL, id: string, now = new Date()): { check: Exclude<LinkCheck, 'valid'> } | { check: 'valid'; device: { id: string; armedAt: Date } } {
  const match = /^([0-9a-f-]{36})\.(\d{13})$/.exec(id)
  if (!match) return { check: 'invalid' }
  const check = checkSignedLink(url, 'not-me', id, now)
  if (check !== 'valid') return { check }
  return { check, device: { id: match[1], armedAt: new Date(Number(match[2])) } }
}

/**
 * Called on every sign-in (server/auth.ts `startSession`): remembers the device and, when it is
 * new to the account, sends the security notice. A failure here is logged and never stops the
 * sign-in itself.
 */
export async function noteSignIn(input: { userId: string; userAgent: string | null; ipAddress: string | null; at?: Date }) {
  try {
    return await recordSignInDevice({
      userId: input.userId,
      deviceName: deviceName(input.userAgent),
      at: input.at ?? new Date(),
      place: await approximatePlace(input.ipAddress),
      notMeLink,
    })
  } catch (error) {
    console.error('[rounds] The sign-in device could not be recorded.', error)
    return null
  }
}
