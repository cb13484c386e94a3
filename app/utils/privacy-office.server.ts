import { json } from '@remix-run/node'
import { z } from 'zod'
import { GRIEVANCE_DEADLINE_DAYS, type GrievanceTopic } from '#db/data-rights/index'
import { PublicError } from '#db/errors'
import { acknowledgePolicy } from '#db/privacy/index'
import { describeRetention, retentionPeriodOf, retentionSchedule } from '#db/retention-schedule'
import { config } from '#server/config'
import type { GrievanceOfficer, RetentionRow } from '~/components/privacy-office'
import { readForm } from '~/utils/form.server'

/** The retention schedule as /privacy shows it: the same table the daily job applies. */
export function retentionRows(): RetentionRow[] {
  return retentionSchedule.map((r) => ({
    id: r.id,
    data: r.data,
    period: retentionPeriodOf(r),
    action: r.action,
    rule: describeRetention(r),
    result: r.result ?? null,
    why: r.why,
    law: r.minimum?.law ?? null,
  }))
}

export function grievanceOfficer(): GrievanceOfficer {
  const { GRIEVANCE_OFFICER_NAME, GRIEVANCE_OFFICER_EMAIL } = config()
  return { name: GRIEVANCE_OFFICER_NAME, email: GRIEVANCE_OFFICER_EMAIL, answerDays: GRIEVANCE_DEADLINE_DAYS }
}

export const grievanceTopicLabels: Record<GrievanceTopic, string> = {
  how_my_data_is_used: 'How Rounds uses my data',
  a_request_i_made: 'A request I made (a copy, a correction, an erasure)',
  consent: 'My consent or my choices not being respected',
  a_breach: 'A breach or leak of my data',
  something_else: 'Something else',
}

export const grievanceTopicOptions = () => Object.entries(grievanceTopicLabels).map(([value, label]) => ({ value, label }))

/** A policy version as a form or address names it ("2026-11", "3.1"). */
export const policyVersionField = z
  .string({ required_error: 'Choose a policy version.', invalid_type_error: 'Choose a policy version.' })
  .regex(/^[0-9A-Za-z.-]{1,20}$/, 'That is not a policy version.')

/**
 * "I have read it", from either form that offers it (the policy page, the banner above every
 * page): reads the form with `schema`, records the acknowledgement, and gives back the form, or
 * the refusal to answer with (400 for a bad form, the data layer's status for a version it refuses).
 */
export async function acknowledgePolicyFromForm<S extends z.ZodType<{ version: string }>>(userId: string, request: Request, schema: S) {
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) return { refused: json({ ok: false, message: parsed.error.issues[0].message }, { status: 400 }) }
  try {
    await acknowledgePolicy(userId, parsed.data.version)
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return { refused: json({ ok: false, message: error.message }, { status: error.status }) }
  }
  return { form: parsed.data as z.infer<S> }
}
