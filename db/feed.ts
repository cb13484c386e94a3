import { and, asc, eq, gte, inArray, sql, type SQL } from 'drizzle-orm'
import { qualified } from './sql'
import { db } from './client'
import { activeUserSql, visibleClubCondition } from './access/index'
import type { ClubSummary } from './clubs'
import { photoUrl } from './profiles'
import { clubBans, clubFollows, clubMembers, clubs, follows, talkRsvps, talks } from './schema/index'
import { selectVisibleTalks, type TalkSummary } from './talks'
import { personalAnswers, type PersonalAnswers } from './personal-answers'
import type { Viewer } from './viewer'

export type Explained<T> = T & { reason: string }

export type HomeFeed = {
  upcoming: Explained<TalkSummary>[]
  recommendedClubs: Explained<ClubSummary>[]
  trending: Explained<TalkSummary>[]
}

const HOUR = 60 * 60 * 1000

/**
 * The signed-in home feed. Every item says in a few words why it is there;
 * every talk and club passes the same visibility rule as the rest of db/.
 */
export async function homeFeed(viewer: NonNullable<Viewer>, now = new Date(), answers?: PersonalAnswers): Promise<HomeFeed> {
  const [upcoming, recommendedClubs, trending] = await Promise.all([
    upcomingFromFollows(viewer, now),
    recommendedClubsFor(viewer, answers === undefined ? await personalAnswers(viewer.userId) : answers),
    trendingTalks(viewer, now),
  ])
  return { upcoming, recommendedClubs, trending }
}

async function upcomingFromFollows(viewer: NonNullable<Viewer>, now: Date, limit = 10) {
  const uid = viewer.userId
  const memberOf = sql`${talks.clubId} in (select club_id from ${clubMembers} where user_id = ${uid})`
  const followsClub = sql`${talks.clubId} in (select club_id from ${clubFollows} where user_id = ${uid})`
  const followsHost = sql`${talks.hostId} in (select followee_id from ${follows} where follower_id = ${uid} and status = 'approved')`
  const rows = await selectVisibleTalks(
    viewer,
    and(
      gte(talks.startsAt, new Date(now.getTime() - 3 * HOUR)),
      sql`${talks.status} <> 'ended'`,
      sql`(${memberOf} or ${followsClub} or ${followsHost})`,
      // A host who deactivated their account is not shown in anyone's feed.
      activeUserSql(talks.hostId),
    ),
  )
    .orderBy(asc(talks.startsAt))
    .limit(limit)
  if (rows.length === 0) return []
  const ids = rows.map((r) => r.id)
  const why = await db
    .select({
      id: talks.id,
      member: sql<boolean>`${memberOf}`,
      followsClub: sql<boolean>`${followsClub}`,
      followsHost: sql<boolean>`${followsHost}`,
    })
    .from(talks)
    .where(sql`${talks.id} in ${ids}`)
  const byId = new Map(why.map((w) => [w.id, w]))
  return rows.map((talk) => {
    const w = byId.get(talk.id)
    const reason = w?.followsHost
      ? `Because you follow ${talk.host.name}`
      : w?.followsClub
        ? `Because you follow ${talk.club.name}`
        : `Because you are in ${talk.club.name}`
    return { ...talk, reason }
  })
}

async function recommendedClubsFor(viewer: NonNullable<Viewer>, personal: PersonalAnswers, limit = 6) {
  // An objection to personalisation stops it (no answers): no speciality or interests, only what is popular.
  const speciality = personal?.speciality ?? null
  const interests = (personal?.interests ?? []).map((i) => i.toLowerCase()).slice(0, 10)
  const inSpeciality = speciality ? sql<boolean>`${clubs.specialities} @> array[${speciality}]::text[]` : sql<boolean>`false`
  const clubText = sql`lower(${clubs.name} || ' ' || ${clubs.description} || ' ' || array_to_string(${clubs.specialities}, ' '))`
  const matchedInterest = interests.length
    ? sql<string | null>`(select x.i from unnest(array[${sql.join(
        interests.map((i) => sql`${i}`),
        sql`, `,
      )}]::text[]) with ordinality as x(i, n) where position(x.i in ${clubText}) > 0 order by x.n limit 1)`
    : sql<string | null>`null`
  const memberCount = sql<number>`(select count(*)::int from ${clubMembers} m where m.club_id = ${qualified(clubs.id)})`
  const rows = await db
    .select({
      id: clubs.id,
      slug: clubs.slug,
      name: clubs.name,
      description: clubs.description,
      specialities: clubs.specialities,
      visibility: clubs.visibility,
      coverPath: clubs.coverPath,
      memberCount,
      inSpeciality,
      matchedInterest,
    })
    .from(clubs)
    .where(
      and(
        eq(clubs.visibility, 'public'),
        sql`not exists (select 1 from ${clubMembers} m where m.club_id = ${qualified(clubs.id)} and m.user_id = ${viewer.userId})`,
        sql`not exists (select 1 from ${clubBans} b where b.club_id = ${qualified(clubs.id)} and b.user_id = ${viewer.userId})`,
      ),
    )
    // Postgres refuses a bare constant (`false`) in ORDER BY: rank only by what the viewer filled in.
    .orderBy(
      ...(speciality ? [sql`${inSpeciality} desc`] : []),
      ...(interests.length ? [sql`${matchedInterest} is not null desc`] : []),
      sql`${memberCount} desc`,
      asc(clubs.name),
    )
    .limit(limit)
  return rows.map(({ coverPath, inSpeciality, matchedInterest, ...club }) => ({
    ...club,
    coverUrl: photoUrl(coverPath),
    isMember: false,
    reason: inSpeciality
      ? `In your speciality: ${speciality}`
      : matchedInterest
        ? `Matches your interest: ${matchedInterest}`
        : 'Popular on Rounds',
  }))
}

/**
 * Talks with the most engagement (people going), decaying with distance from
 * now — a talk a week away or a week ago counts for less than one today.
 */
async function trendingTalks(viewer: Viewer, now: Date, limit = 6) {
  const from = new Date(now.getTime() - 7 * 24 * HOUR)
  const to = new Date(now.getTime() + 14 * 24 * HOUR)
  // float8, not numeric: extract() gives a numeric, and numeric power() with a fractional
  // exponent costs tens of microseconds a row — most of this query's time at scale.
  const hoursAway = sql`abs(extract(epoch from (${talks.startsAt} - ${now.toISOString()}::timestamptz))::float8 / 3600)`
  const score = (going: SQL | SQL.Aliased) => sql<number>`(${going} + 1) / power(${hoursAway} + 2, 1.2)`
  const inWindow = and(gte(talks.startsAt, from), sql`${talks.startsAt} <= ${to.toISOString()}::timestamptz`)
  // Each talk's RSVPs are counted once (a lateral count), for both the filter and the score.
  const going = db
    .select({ n: sql<number>`count(*)`.as('n') })
    .from(talkRsvps)
    .where(eq(talkRsvps.talkId, talks.id))
    .as('going')
  // Rank the visible talks on talks and clubs alone, then load hosts for the few winners:
  // joining profiles before the sort made Postgres hash the whole profiles table.
  const top = db
    .select({ id: talks.id })
    .from(talks)
    .innerJoin(clubs, eq(clubs.id, talks.clubId))
    .crossJoinLateral(going)
    // Only talks someone is going to: filtering after the limit let talks nobody chose fill every slot.
    .where(and(visibleClubCondition(viewer), inWindow, sql`${going.n} > 0`, activeUserSql(talks.hostId)))
    .orderBy(sql`${score(going.n)} desc`)
    .limit(limit)
  const goingNow = sql`(select count(*) from ${talkRsvps} r where r.talk_id = ${qualified(talks.id)})`
  const rows = await selectVisibleTalks(viewer, and(inArray(talks.id, top), inWindow)).orderBy(sql`${score(goingNow)} desc`)
  return rows
    .filter((t) => t.rsvpCount > 0)
    .map((t) => ({ ...t, reason: `Trending: ${t.rsvpCount} going` }))
}
