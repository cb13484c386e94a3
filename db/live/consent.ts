import { sql, type SQL } from 'drizzle-orm'
import { RECORDING_POLICY_VERSION } from '../recording-policy'
import { profiles, recordingConsents, talkStage } from '../schema/index'

/**
 * Whether a person's latest consent row for talk `talkId` is a 'given' one for the current policy
 * version: one withdrawal, or a consent to an older text, and it no longer counts.
 */
export function consentValid(talkId: SQL, userId: SQL): SQL {
  return sql`coalesce((select c.kind = 'given' and c.policy_version = ${RECORDING_POLICY_VERSION}
    from ${recordingConsents} c where c.talk_id = ${talkId} and c.user_id = ${userId} order by c.id desc limit 1), false)`
}

/** Names of the people on stage of talk `talkId` whose consent is not valid, when `when` holds; [] otherwise. */
export function missingConsentSql(talkId: SQL, when: SQL = sql`true`): SQL {
  return sql`(case when ${when} then (
      select coalesce(json_agg(p.name order by s.updated_at, p.name), '[]'::json)
      from ${talkStage} s join ${profiles} p on p.user_id = s.user_id
      where s.talk_id = ${talkId} and s.status = 'on_stage' and not ${consentValid(talkId, sql`s.user_id`)})
    else '[]'::json end)`
}
