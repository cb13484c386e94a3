import { and, asc, eq, sql, type SQL } from 'drizzle-orm'
import { activeUserSql, blockedBetweenSql, requireSignedIn, searchableAccountSql, visibleClubCondition } from './access/index'
import { db } from './client'
import { PublicError } from './errors'
import { photoUrl } from './photos'
import { clubBans, clubMembers, clubs, follows, profiles } from './schema/index'
import { MAX_INTEREST_LENGTH, MAX_INTERESTS } from './interests'
import { enqueueSearchUpdate } from './search'
import type { Speciality } from './specialities'
import { qualified } from './sql'
import { personalAnswers, type PersonalAnswers } from './personal-answers'
import type { Viewer } from './viewer'

/**
 * The first visit after confirming an email: speciality and city, interests, then clubs to join
 * and doctors to follow suggested from those answers, each with the reason it is there.
 */

async function saveToProfile(viewer: Viewer, update: Partial<typeof profiles.$inferInsert>) {
  requireSignedIn(viewer)
  await db.transaction(async (tx) => {
    const saved = await tx
      .update(profiles)
      .set({ ...update, updatedAt: new Date() })
      .where(eq(profiles.userId, viewer.userId))
      .returning({ userId: profiles.userId })
    if (saved.length === 0) throw new PublicError('We could not find your profile.', 404)
    await enqueueSearchUpdate(tx, { kind: 'profile', id: viewer.userId })
  })
}

/** Step 1: what the person practises and where. Either may be left empty. */
export function saveSpecialityAndCity(viewer: Viewer, answers: { speciality: Speciality | null; city: string | null }) {
  return saveToProfile(viewer, { speciality: answers.speciality, city: answers.city })
}

/** Step 2: the person's interests, in the order chosen, without repeats (ignoring case). */
export async function saveInterests(viewer: Viewer, interests: string[]) {
  const seen = new Set<string>()
  const list = interests
    .map((i) => i.trim())
    .filter((i) => i && !seen.has(i.toLowerCase()) && seen.add(i.toLowerCase()))
  if (list.length > MAX_INTERESTS) throw new PublicError(`Choose at most ${MAX_INTERESTS} interests.`, 400, 'interests')
  if (list.some((i) => i.length > MAX_INTEREST_LENGTH)) {
    throw new PublicError(`Keep each interest under ${MAX_INTEREST_LENGTH} characters.`, 400, 'interests')
  }
  await saveToProfile(viewer, { interests: list })
}

export type OnboardingAnswers = { speciality: string | null; city: string | null; interests: string[] }

export async function getOnboardingAnswers(viewer: Viewer): Promise<OnboardingAnswers> {
  requireSignedIn(viewer)
  const [row] = await db
    .select({ speciality: profiles.speciality, city: profiles.city, interests: profiles.interests })
    .from(profiles)
    .where(eq(profiles.userId, viewer.userId))
  if (!row) throw new PublicError('We could not find your profile.', 404)
  return row
}

export type SuggestedClub = { slug: string; name: string; description: string; memberCount: number; reason: string }
export type SuggestedDoctor = {
  handle: string
  name: string
  photoUrl: string | null
  speciality: string | null
  city: string | null
  reason: string
}
export type Suggestions = { clubs: SuggestedClub[]; doctors: SuggestedDoctor[] }

/** The first of the viewer's interests (lower case) found by `matches`, or null. */
function firstInterest(interests: string[], matches: (interest: SQL) => SQL): SQL<string | null> {
  if (interests.length === 0) return sql<string | null>`null`
  const list = sql.join(
    interests.map((i) => sql`${i}`),
    sql`, `,
  )
  return sql<string | null>`(select x.i from unnest(array[${list}]::text[]) with ordinality as x(i, n) where ${matches(sql`x.i`)} order by x.n limit 1)`
}

/**
 * Clubs and doctors for step 3, each with its reason. Clubs: listed to the viewer, not joined,
 * not banned from; matching ones first, then popular ones. Doctors: only those matching an
 * answer, and only people search could show in full — active, verified, public, not opted out
 * of search — never the viewer, never someone already followed or asked, never someone with a
 * block between them and the viewer.
 * An objection to personalisation is honoured: the answers are then not used.
 */
export async function suggestFromAnswers(viewer: Viewer, limits = { clubs: 6, doctors: 8 }, answers?: PersonalAnswers): Promise<Suggestions> {
  requireSignedIn(viewer)
  const personal = answers === undefined ? await personalAnswers(viewer.userId) : answers
  const speciality = personal?.speciality ?? null
  const ownInterests = (personal?.interests ?? []).slice(0, MAX_INTERESTS)
  const lowered = ownInterests.map((i) => i.toLowerCase())
  const shown = (lower: string) => ownInterests[lowered.indexOf(lower)] ?? lower
  const reasonFor = (inSpeciality: boolean, interest: string | null, fallback: string) =>
    inSpeciality ? 'In your speciality' : interest ? `Matches your interest: ${shown(interest)}` : fallback

  const clubInSpeciality = speciality ? sql<boolean>`${clubs.specialities} @> array[${speciality}]::text[]` : sql<boolean>`false`
  const clubText = sql`lower(${clubs.name} || ' ' || ${clubs.description} || ' ' || array_to_string(${clubs.specialities}, ' '))`
  const clubInterest = firstInterest(lowered, (i) => sql`position(${i} in ${clubText}) > 0`)
  const memberCount = sql<number>`(select count(*)::int from ${clubMembers} m where m.club_id = ${qualified(clubs.id)})`
  const clubRows = limits.clubs <= 0 ? [] : await db
    .select({
      slug: clubs.slug,
      name: clubs.name,
      description: clubs.description,
      memberCount,
      inSpeciality: clubInSpeciality,
      interest: clubInterest,
    })
    .from(clubs)
    .where(
      and(
        visibleClubCondition(viewer),
        sql`not exists (select 1 from ${clubMembers} m where m.club_id = ${qualified(clubs.id)} and m.user_id = ${viewer.userId})`,
        sql`not exists (select 1 from ${clubBans} b where b.club_id = ${qualified(clubs.id)} and b.user_id = ${viewer.userId})`,
      ),
    )
    // Postgres refuses a bare constant in ORDER BY: rank only by what the person answered.
    .orderBy(
      ...(speciality ? [sql`${clubInSpeciality} desc`] : []),
      ...(lowered.length ? [sql`${clubInterest} is not null desc`] : []),
      sql`${memberCount} desc`,
      asc(clubs.name),
    )
    .limit(limits.clubs)

  let doctors: SuggestedDoctor[] = []
  if (speciality || lowered.length) {
    const doctorInSpeciality = speciality ? sql<boolean>`coalesce(${profiles.speciality} = ${speciality}, false)` : sql<boolean>`false`
    const doctorInterest = firstInterest(lowered, (i) => sql`exists (select 1 from unnest(${qualified(profiles.interests)}) pi where lower(pi) = ${i})`)
    const rows = await db
      .select({
        handle: profiles.handle,
        name: profiles.name,
        photoPath: profiles.photoPath,
        speciality: profiles.speciality,
        city: profiles.city,
        inSpeciality: doctorInSpeciality,
        interest: doctorInterest,
      })
      .from(profiles)
      .where(
        and(
          sql`${profiles.userId} <> ${viewer.userId}`,
          activeUserSql(profiles.userId),
          sql`not ${blockedBetweenSql(viewer.userId, profiles.userId)}`,
          searchableAccountSql(profiles.userId),
          eq(profiles.visibility, 'public'),
          eq(profiles.discoverable, true),
          sql`not exists (select 1 from ${follows} f where f.follower_id = ${viewer.userId} and f.followee_id = ${qualified(profiles.userId)})`,
          sql`(${doctorInSpeciality} or ${doctorInterest} is not null)`,
        ),
      )
      .orderBy(sql`${doctorInSpeciality} desc`, asc(profiles.name))
      .limit(limits.doctors)
    doctors = rows.map(({ photoPath, inSpeciality, interest, ...doctor }) => ({
      ...doctor,
      photoUrl: photoUrl(photoPath),
      reason: reasonFor(inSpeciality, interest, ''),
    }))
  }

  return {
    clubs: clubRows.map(({ inSpeciality, interest, ...club }) => ({ ...club, reason: reasonFor(inSpeciality, interest, 'Popular on Rounds') })),
    doctors,
  }
}

/**
 * Colleagues the home page keeps suggesting after the welcome steps: the doctors of
 * `suggestFromAnswers`, under the same rules (never anyone private, opted out of search,
 * deactivated, blocked either way, already followed or asked).
 */
export async function suggestColleagues(viewer: Viewer, limit = 4, answers?: PersonalAnswers): Promise<SuggestedDoctor[]> {
  return (await suggestFromAnswers(viewer, { clubs: 0, doctors: limit }, answers)).doctors
}
