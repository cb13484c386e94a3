import { z } from 'zod'

/*
 * What an advertiser fills in for a campaign. Browser-safe (no queries): the form and the data
 * layer read the same rules. Lists are typed comma-separated.
 */

const list = (max: number, what: string) =>
  z
    .string()
    .max(2000, `Too many ${what}.`)
    .optional()
    .transform((v) =>
      [...new Set((v ?? '').split(',').map((s) => s.trim()).filter(Boolean))].slice(0, max + 1),
    )
    .refine((v) => v.length <= max, `Choose at most ${max} ${what}.`)
    .refine((v) => v.every((s) => s.length <= 60), `Each of the ${what} must be 60 characters or fewer.`)

const day = (label: string) =>
  z
    .string({ required_error: `Enter the ${label}.` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, `Enter the ${label} as a date.`)
    .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)), `Enter the ${label} as a date.`)

const checkbox = z
  .enum(['on', 'off', 'true', 'false'])
  .optional()
  .transform((v) => v === 'on' || v === 'true')

export const CampaignInput = z
  .object({
    name: z.string({ required_error: 'Name the campaign.' }).trim().min(1, 'Name the campaign.').max(80, 'Keep the name to 80 characters.'),
    headline: z.string({ required_error: 'Write a headline.' }).trim().min(1, 'Write a headline.').max(80, 'Keep the headline to 80 characters.'),
    body: z.string({ required_error: 'Write the ad text.' }).trim().min(1, 'Write the ad text.').max(300, 'Keep the ad text to 300 characters.'),
    imageAlt: z
      .string({ required_error: 'Describe the image for doctors who cannot see it.' })
      .trim()
      .min(3, 'Describe the image for doctors who cannot see it.')
      .max(200, 'Keep the image description to 200 characters.'),
    landingUrl: z
      .string({ required_error: 'Enter the page the ad links to.' })
      .trim()
      .max(500, 'That address is too long.')
      .refine((v) => {
        try {
          const url = new URL(v)
          return url.protocol === 'https:' && Boolean(url.hostname) && !url.username && !url.password
        } catch {
          return false
        }
      }, 'The landing page must be a full https:// address.'),
    sponsorName: z
      .string({ required_error: 'Enter who the ad is sponsored by.' })
      .trim()
      .min(2, 'Enter who the ad is sponsored by.')
      .max(80, 'Keep the sponsor name to 80 characters.'),
    startsOn: day('start date'),
    endsOn: day('end date'),
    dailyCap: z.coerce
      .number({ invalid_type_error: 'Enter a daily cap as a number.' })
      .int('Enter a whole number for the daily cap.')
      .min(1, 'The daily cap must be at least 1.')
      .max(1_000_000, 'The daily cap can be at most 1,000,000.'),
    targetClubSlugs: list(20, 'clubs'),
    targetPageSpecialities: list(20, 'page specialities'),
    targetTopics: list(20, 'topics'),
    audienceSpecialities: list(20, 'specialities'),
    targetInterests: list(20, 'interests'),
    verifiedOnly: checkbox,
    prescriptionDrug: checkbox,
    /** Only adults: anything else is refused, not quietly narrowed. */
    audienceAge: z
      .string()
      .optional()
      .refine((v) => v === undefined || v === '' || v === 'adults', 'Ads on Rounds are never shown to anyone under 18.'),
    /** Interest targeting needs each member's consent; asking to skip it is refused. */
    interestConsent: z
      .string()
      .optional()
      .refine(
        (v) => v === undefined || v === '' || v === 'required',
        'Interest targeting reaches only doctors who turned on personalised ads and accepted targeting cookies.',
      ),
  })
  .refine((v) => v.endsOn >= v.startsOn, { message: 'The end date must be on or after the start date.', path: ['endsOn'] })

export type CampaignFields = z.infer<typeof CampaignInput>

export const AdvertiserInput = z.object({
  name: z.string({ required_error: 'Enter your organisation’s name.' }).trim().min(2, 'Enter your organisation’s name.').max(120, 'Keep the name to 120 characters.'),
  website: z
    .string({ required_error: 'Enter your organisation’s website.' })
    .trim()
    .max(300, 'That address is too long.')
    .refine((v) => {
      try {
        return new URL(v).protocol === 'https:'
      } catch {
        return false
      }
    }, 'Enter the website as a full https:// address.'),
})
