import { getInputProps } from '@conform-to/react'
import { z } from 'zod'
import { Field, inputClass } from './forms'

/** A 6-digit code from an email, spaces allowed as people copy it. */
export const oneTimeCodeField = z
  .string({ required_error: 'Enter the 6-digit code from the email.' })
  .trim()
  .transform((v) => v.replace(/\s+/g, ''))
  .pipe(z.string().regex(/^\d{6}$/, 'The code is 6 digits, such as 042917.'))

type CodeMeta = Parameters<typeof getInputProps>[0]

/** The field a code from an email is typed (or pasted, or filled by the phone) into. */
export function CodeField({ meta }: { meta: CodeMeta }) {
  return (
    <Field label="Code" errorId={meta.errorId} errors={meta.errors}>
      <input
        {...getInputProps(meta, { type: 'text' })}
        inputMode="numeric"
        autoComplete="one-time-code"
        maxLength={12}
        className={`${inputClass} tracking-widest`}
      />
    </Field>
  )
}
