import { z } from 'zod'

// Control characters (other than tab and newline), lone surrogates and bidi
// overrides can hide text or break pages, so they are refused outright. A lone
// surrogate sent over HTTP arrives as U+FFFD (its bytes are not valid UTF-8),
// so the replacement character is refused too.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uFEFF\uFFFD]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

export function text(label: string, options: { min?: number; max: number; multiline?: boolean }) {
  const base = z
    .string({ required_error: `Enter your ${label}.`, invalid_type_error: `Enter your ${label}.` })
    .transform((v) => v.normalize('NFC').trim())
    .refine((v) => !UNSAFE.test(v), `Your ${label} contains characters we cannot show.`)
    .refine((v) => options.multiline || !/[\n\r\t]/.test(v), `Your ${label} must be on one line.`)
    .refine((v) => v.length <= options.max, `Your ${label} can be at most ${options.max} characters.`)
  return options.min
    ? base.refine((v) => v.length >= options.min!, `Your ${label} needs at least ${options.min} characters.`)
    : base
}

/** An optional text field: empty becomes null. */
export function optionalText(label: string, options: { max: number; multiline?: boolean }) {
  return z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    text(label, options).optional().transform((v) => v ?? null),
  )
}

export const emailField = z
  .string({ required_error: 'Enter your email address.', invalid_type_error: 'Enter your email address.' })
  .trim()
  .max(254, 'That email address is too long.')
  .email('Enter an email address such as name@hospital.org.')
  .transform((v) => v.toLowerCase())
