import { createHash, randomUUID } from 'node:crypto'
import { and, count, eq, isNull, sql } from 'drizzle-orm'
import { db } from './client'
import { notify } from './notifications'
import { removeAllPushSubscriptions } from './notifications/push-subscriptions'
import { signInDevices, users } from './schema/index'
import { endSessionsIn } from './sessions'

/*
 * New-device sign-in notices (decision 033). Every sign-in names its device by browser and
 * system ("Chrome on Android"); the first device of an account is simply remembered (signing up
 * is not news), and a sign-in from one the account has not used before sends the person a
 * `new_device_sign_in` security notice, in the app and by email: what signed in, when, roughly
 * where when a GeoIP database is configured, and a link "This wasn't me — sign out everywhere".
 *
 * That link names the device's row and the moment it was (re)armed, signed by the server: used
 * once, it sets `disowned_at`, so a replay or an older link changes nothing. A disowned device
 * that signs in again is news again, with a fresh link.
 */

/** The same browser on the same system is one device, whatever its version. */
export function deviceKeyOf(deviceName: string) {
  return createHash('sha256').update(deviceName.trim().toLowerCase()).digest('hex')
}

export type SignInInput = {
  userId: string
  /** "Chrome on Android", as the devices page names it. */
  deviceName: string
  at: Date
  /** "Leeds, United Kingdom", only where a GeoIP database is configured. */
  place: string | null
  /** The signed "This wasn't me" link for a device row armed at a moment (made by the server, which holds the key). */
  notMeLink: (device: { id: string; armedAt: Date }) => string
}

export type SignInOutcome = { deviceId: string; notified: boolean }

/** Records a sign-in's device, and tells the person when it is a new one. One transaction. */
export async function recordSignInDevice(input: SignInInput): Promise<SignInOutcome> {
  const deviceName = input.deviceName.slice(0, 120)
  const deviceKey = deviceKeyOf(deviceName)
  // JS dates, so the stored time round-trips exactly (the link signs it to the millisecond).
  const at = new Date(input.at.getTime())
  return db.transaction(async (tx) => {
    // One sign-in per account at a time decides what is new: two at once would both be "first".
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`sign-in-devices:${input.userId}`}))`)
    const [known] = await tx
      .select({ id: signInDevices.id, disownedAt: signInDevices.disownedAt })
      .from(signInDevices)
      .where(and(eq(signInDevices.userId, input.userId), eq(signInDevices.deviceKey, deviceKey)))
    if (known && !known.disownedAt) {
      await tx.update(signInDevices).set({ lastSeenAt: at }).where(eq(signInDevices.id, known.id))
      return { deviceId: known.id, notified: false }
    }
    const [{ devices }] = await tx.select({ devices: count() }).from(signInDevices).where(eq(signInDevices.userId, input.userId))
    let deviceId: string
    if (known) {
      deviceId = known.id
      await tx.update(signInDevices).set({ firstSeenAt: at, lastSeenAt: at, disownedAt: null, deviceName }).where(eq(signInDevices.id, known.id))
    } else {
      deviceId = randomUUID()
      await tx.insert(signInDevices).values({ id: deviceId, userId: input.userId, deviceKey, deviceName, firstSeenAt: at, lastSeenAt: at })
    }
    // The account's first device: the sign-in that follows signing up (or the first since devices were kept).
    if (devices === 0) return { deviceId, notified: false }
    const told = await notify(tx, {
      recipientId: input.userId,
      kind: 'new_device_sign_in',
      data: { device: deviceName, at: at.toISOString(), ...(input.place ? { place: input.place } : {}) },
      link: input.notMeLink({ id: deviceId, armedAt: at }),
      now: at,
    })
    return { deviceId, notified: told !== null }
  })
}

export type DisownOutcome =
  | { status: 'done'; userId: string; email: string; endedSessionIds: string[]; removedPushSubscriptions: number }
  | { status: 'used' }

/**
 * "This wasn't me": ends every session of the account (their sockets follow through the access
 * change outbox), removes every browser subscribed to push, and marks the device disowned, in one
 * transaction. A link used before, or for a device re-armed since, answers 'used' and changes nothing.
 */
export async function disownSignInDevice(device: { id: string; armedAt: Date }, now = new Date()): Promise<DisownOutcome> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(signInDevices)
      .set({ disownedAt: now })
      .where(and(eq(signInDevices.id, device.id), isNull(signInDevices.disownedAt), sql`${signInDevices.firstSeenAt} = ${device.armedAt.toISOString()}::timestamptz`))
      .returning({ userId: signInDevices.userId })
    if (!row) return { status: 'used' as const }
    const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, row.userId))
    const endedSessionIds = await endSessionsIn(tx, row.userId)
    const removedPushSubscriptions = await removeAllPushSubscriptions(tx, row.userId)
    return { status: 'done' as const, userId: row.userId, email: user?.email ?? '', endedSessionIds, removedPushSubscriptions }
  })
}

/** Whether a "This wasn't me" link still has something to do (for the page before the button). */
export async function signInDeviceArmed(device: { id: string; armedAt: Date }) {
  const [row] = await db
    .select({ id: signInDevices.id })
    .from(signInDevices)
    .where(and(eq(signInDevices.id, device.id), isNull(signInDevices.disownedAt), sql`${signInDevices.firstSeenAt} = ${device.armedAt.toISOString()}::timestamptz`))
  return Boolean(row)
}
