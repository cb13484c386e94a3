import { sql } from 'drizzle-orm'
import { preparedSql } from './client'
import { COOKIE_POLICY_VERSION, policyToAcknowledgeSql } from './privacy/index'
import { photoUrl } from './profiles'
import { cookieConsents, dataRequests, follows, notifications, profiles, users } from './schema/index'

export type PageChrome = {
  me: { handle: string; name: string; photoUrl: string | null; pendingFollowRequests: number } | null
  deactivated: boolean
  cookieBanner: boolean
  notices: { id: string; kind: string; subject: string; title: string; body: string; link: string | null }[]
  erasure: { scheduledFor: string } | null
  /** A significant policy change the person was told of and has not yet confirmed reading. */
  policyDue: { version: string; summary: string; effectiveAt: string } | null
}

type Row = {
  handle: string | null
  name: string | null
  photo_path: string | null
  pending_follow_requests: number
  deactivated: boolean
  consent_version: string | null
  notices: PageChrome['notices'] | null
  erasure_at: Date | string | null
  policy_due: PageChrome['policyDue']
}

const pageChromeStatement = preparedSql<Row>(() => {
  const uid = sql.placeholder('uid')
  // A visitor's uid is '' (matches no one) and a missing consent id is null (matches nothing).
  const holder = sql`(c.user_id = ${uid} or c.consent_id = ${sql.placeholder('consentId')})`
  return sql`
    select p.handle, p.name, p.photo_path,
      (select count(*)::int from ${follows} f where f.followee_id = ${uid} and f.status = 'pending') as pending_follow_requests,
      coalesce(u.deactivated_at is not null, false) as deactivated,
      (select c.policy_version from ${cookieConsents} c where ${holder} order by c.created_at desc limit 1) as consent_version,
      (select json_agg(n) from (
         select id, kind, subject, title, body, link from ${notifications}
         where user_id = ${uid} and read_at is null and title <> '' order by created_at desc limit 3) n) as notices,
      (select r.scheduled_for from ${dataRequests} r
         where r.user_id = ${uid} and r.kind = 'erasure' and r.status in ('received', 'in_progress') limit 1) as erasure_at,
      ${policyToAcknowledgeSql(uid)} as policy_due
    from (select 1) as one
    left join ${users} u on u.id = ${uid}
    left join ${profiles} p on p.user_id = ${uid}`
})

/**
 * What every page's frame shows — the header identity, the cookie banner,
 * notices and a pending erasure — in one round trip, since every page asks.
 * The notices above the page are those with stored words (a policy change, an export ready, a
 * club hand-over); the rest live in the notification centre (db/notifications.ts).
 * Each part follows the same rule as its own module (profiles, privacy, data rights).
 */
export async function getPageChrome(userId: string | null, consentId: string | null): Promise<PageChrome> {
  const [row] = await pageChromeStatement({ uid: userId ?? '', consentId })
  const me =
    userId && row?.handle
      ? { handle: row.handle, name: row.name ?? '', photoUrl: photoUrl(row.photo_path), pendingFollowRequests: row.pending_follow_requests }
      : null
  return {
    me,
    deactivated: Boolean(userId && row?.deactivated),
    cookieBanner: row?.consent_version !== COOKIE_POLICY_VERSION,
    notices: row?.notices ?? [],
    erasure: row?.erasure_at ? { scheduledFor: new Date(row.erasure_at).toISOString() } : null,
    policyDue: userId && row?.policy_due ? row.policy_due : null,
  }
}
