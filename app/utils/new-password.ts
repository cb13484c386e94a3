import { z } from 'zod'
import { PASSWORD_MAX, PASSWORD_MIN } from './password-rules'

/**
 * A password being chosen (sign-up, reset, change). The browser checks the length; the server
 * passes `isCommonPassword` (server/passwords.ts) to refuse the easily guessed ones too.
 */
export function newPasswordField(options: { isCommonPassword?: (password: string) => boolean } = {}) {
  return z
    .string({ required_error: 'Choose a password.' })
    .min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters.`)
    .max(PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters.`)
    .refine((v) => !options.isCommonPassword?.(v), 'That password is too common. Choose one that is harder to guess.')
}

/** The password a signed-in person already has, asked for again. */
export const currentPasswordField = z
  .string({ required_error: 'Enter your current password.', invalid_type_error: 'Enter your current password.' })
  .max(PASSWORD_MAX, 'That password is longer than any Rounds accepts.')
