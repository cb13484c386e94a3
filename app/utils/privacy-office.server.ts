import { GRIEVANCE_DEADLINE_DAYS, type GrievanceTopic } from '#db/data-rights/index'
import { describeRetention, retentionPeriodOf, retentionSchedule } from '#db/retention-schedule'
import { config } from '#server/config'
import type { GrievanceOfficer, RetentionRow } from '~/components/privacy-office'

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
