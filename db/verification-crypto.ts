import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

/*
 * Registration numbers at rest: AES-256-GCM with a random 12-byte IV, stored as base64 of
 * iv ‖ tag ‖ ciphertext. The tag makes a wrong key or a changed byte an error, never a wrong number.
 */

const IV_BYTES = 12
const TAG_BYTES = 16

export class RegistrationNumberKeyError extends Error {}

function requireKey(key: Buffer) {
  if (key.length !== 32) throw new RegistrationNumberKeyError('The registration number key must be 32 bytes.')
}

export function encryptRegistrationNumber(number: string, key: Buffer): string {
  requireKey(key)
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  const body = Buffer.concat([cipher.update(number, 'utf8'), cipher.final()])
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')
}

export function decryptRegistrationNumber(stored: string, key: Buffer): string {
  requireKey(key)
  const bytes = Buffer.from(stored, 'base64')
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES))
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
  try {
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8')
  } catch {
    throw new RegistrationNumberKeyError('This registration number cannot be read with the configured key.')
  }
}

/** "•••• 4321": the last four characters, all the owner is shown. */
export function maskRegistrationNumber(number: string) {
  return `•••• ${number.slice(-4)}`
}
