import type { AppLoadContext } from '@remix-run/node'
import { passwordHashOf } from '#db/privacy/index'
import { verifyPassword } from '#server/passwords'
import { resetTries, spendTry } from '~/utils/rate-limit.server'

export type ReauthRefusal = { status: 400 | 429; message: string; field?: 'password' }

/**
 * Asks a signed-in person for their password again before a sensitive change (a new password or
 * email, deactivation, erasure). Returns null when it is right, or why not. The check guesses at
 * the password, so it shares the sign-in limit, counted per address and account.
 */
export async function checkPasswordAgain(context: AppLoadContext, userId: string, password: string): Promise<ReauthRefusal | null> {
  const limitKey = `${context.clientAddress ?? 'unknown'}:reauth:${userId}`
  const wait = await spendTry('signIn', limitKey)
  if (wait) return { status: 429, message: `Too many tries. Try again in ${wait} minutes.` }
  if (!(await verifyPassword(await passwordHashOf(userId), password))) {
    return { status: 400, message: 'That password is not right.', field: 'password' }
  }
  await resetTries('signIn', limitKey)
  return null
}
