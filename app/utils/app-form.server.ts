import { z } from 'zod'
import type { AppInput } from '#db/apps/index'

// The app registration form, shared by /developers/new and /developers/<id>.

const url = (label: string) =>
  z
    .string()
    .trim()
    .max(500, `The ${label} is too long.`)
    .url(`Enter the full ${label}, starting with https://.`)
    .refine((v) => v.startsWith('https://') || v.startsWith('http://localhost'), `The ${label} must start with https://.`)

export const AppForm = z.object({
  name: z.string().trim().min(2, 'Give the app a name of at least 2 characters.').max(60, 'Keep the name under 60 characters.'),
  description: z.string().trim().min(10, 'Say in a sentence what the app does.').max(500, 'Keep the description under 500 characters.'),
  homepageUrl: url('homepage address'),
  privacyUrl: url('privacy policy address'),
  logoUrl: z.union([z.literal(''), url('logo address')]).transform((v) => v || null),
  redirectUris: z
    .string()
    .max(3000)
    .transform((v) =>
      v
        .split(/\s+/)
        .map((s) => s.trim())
        .filter(Boolean),
    ),
})

export function readAppForm(form: FormData): { ok: true; input: AppInput } | { ok: false; field: string; message: string } {
  const parsed = AppForm.safeParse(Object.fromEntries(['name', 'description', 'homepageUrl', 'privacyUrl', 'logoUrl', 'redirectUris'].map((k) => [k, form.get(k) ?? ''])))
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return { ok: false, field: String(issue.path[0] ?? ''), message: issue.message }
  }
  return { ok: true, input: parsed.data }
}
