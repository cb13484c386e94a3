import { hash, verify } from '@node-rs/argon2'
import { dictionary } from '@zxcvbn-ts/language-common'

// OWASP Password Storage Cheat Sheet: argon2id, 19 MiB, t=2, p=1.
const ARGON2ID = 2
const options = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const

export function hashPassword(password: string) {
  return hash(password, options)
}

export async function verifyPassword(passwordHash: string, password: string) {
  try {
    return await verify(passwordHash, password)
  } catch {
    return false
  }
}

// A fixed hash to compare against when the account does not exist, so sign-in
// takes as long for an unknown email as for a wrong password.
let decoy: Promise<string> | undefined
export async function spendPasswordCheck(password: string) {
  decoy ??= hashPassword('rounds-decoy-password')
  await verifyPassword(await decoy, password)
}

const common = new Set((dictionary.passwords as string[]).map((p) => p.toLowerCase()))

export function isCommonPassword(password: string) {
  const lower = password.toLowerCase()
  return common.has(lower) || /^(.)\1+$/.test(password) || /^(0123456789|1234567890|abcdefgh)/.test(lower)
}
