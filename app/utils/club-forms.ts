import { z } from 'zod'
import { clubRoles, type ClubPermission } from '#db/access/club-permissions'
import { specialities } from '#db/specialities'
import { optionalText, text } from '~/utils/validation'

export const CLUB_MAX_SPECIALITIES = 5

export const clubSlugField = z
  .string({ required_error: 'Choose an address for the club.', invalid_type_error: 'Choose an address for the club.' })
  .trim()
  .toLowerCase()
  .max(40, 'A club address can be at most 40 characters.')
  .min(3, 'A club address needs at least 3 characters.')
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'Use lowercase letters, digits and single hyphens, such as heart-failure-club.')

/** The club form, for creating and for editing. Checked in the browser and again on the server. */
export const ClubSchema = z.object({
  name: text('club name', { min: 3, max: 80 }),
  slug: clubSlugField,
  description: optionalText('club description', { max: 2000, multiline: true }).transform((v) => v ?? ''),
  specialities: z
    // Checked as a whole, so an error shows beside the checkboxes rather than against one of them.
    .array(z.string(), { invalid_type_error: 'Choose specialities from the list.' })
    .default([])
    .refine((list) => list.every((s) => (specialities as readonly string[]).includes(s)), 'Choose specialities from the list.')
    .transform((list) => [...new Set(list)])
    .refine((list) => list.length <= CLUB_MAX_SPECIALITIES, `Choose at most ${CLUB_MAX_SPECIALITIES} specialities.`),
  visibility: z.enum(['public', 'private'], { errorMap: () => ({ message: 'Choose who can see the club.' }) }),
  cover: z.any().optional(),
  removeCover: z.literal('on').optional(),
})

/** A suggested address for a club name: "Heart Failure Club (Leeds)" → "heart-failure-club-leeds". */
export function slugFromName(name: string) {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '')
}

/** A doctor's handle as typed into an admin form; a leading @ is forgiven. */
export const handleField = z
  .string({ required_error: 'Enter the doctor’s handle.', invalid_type_error: 'Enter the doctor’s handle.' })
  .trim()
  .transform((v) => v.replace(/^@/, '').toLowerCase())
  .pipe(
    z
      .string()
      .min(1, 'Enter the doctor’s handle.')
      .max(60, 'That handle is too long.')
      .regex(/^[a-z0-9-]+$/, 'A handle has only letters, digits and hyphens, such as asha-rao.'),
  )

export const roleField = z.enum(clubRoles, { errorMap: () => ({ message: 'Choose a role from the list.' }) })

/** Empty means "no limit"; otherwise a whole number from 1 to max. `unit` is plural, such as "days". */
export function optionalWholeNumber(unit: string, max: number) {
  const message = `Enter a whole number of ${unit} from 1 to ${max.toLocaleString('en-GB')}, or leave it empty.`
  return z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? Number(v.trim()) : v),
    z
      .number({ invalid_type_error: message })
      .int(message)
      .min(1, message)
      .max(max, message)
      .optional()
      .transform((v) => v ?? null),
  )
}

export { orErrorPage } from './error-page'

/** The sections of a club's admin, each opened by any one of its permissions, in the order the page lists them. */
export const ADMIN_SECTIONS = [
  { path: 'members', label: 'Members', needs: ['manage:members', 'manage:roles'] },
  { path: 'invites', label: 'Invitations', needs: ['manage:members', 'manage:invites'] },
  { path: 'settings', label: 'Club settings', needs: ['edit:club', 'transfer:club'] },
  { path: 'audit', label: 'Audit log', needs: ['read:audit'] },
] as const satisfies readonly { path: string; label: string; needs: readonly ClubPermission[] }[]

export type AdminSectionPath = (typeof ADMIN_SECTIONS)[number]['path']

/** Any of these opens the club's admin; each section needs one of its own. */
const ADMIN_PERMISSIONS = [...new Set(ADMIN_SECTIONS.flatMap((s) => s.needs))]

export function opensAdminPage(permissions: readonly string[]) {
  return ADMIN_PERMISSIONS.some((p) => permissions.includes(p))
}

/** The admin sections these permissions open, in order: the first is where `/c/<slug>/admin` leads. */
export function adminSectionsFor(permissions: readonly string[]) {
  return ADMIN_SECTIONS.filter((s) => s.needs.some((p) => permissions.includes(p)))
}
