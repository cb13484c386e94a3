import { sql } from 'drizzle-orm'
import { qualified } from '../sql'
import { listMyLearning } from '../certificates'
import { listMyClubs } from '../clubs'
import { getOwnProfile, getProfileForViewer } from '../profiles'
import { talkRsvps, talks } from '../schema/index'
import { getTalkForViewer, selectVisibleTalks, setRsvp } from '../talks'
import { verificationBadge } from '../verification'
import { recordAppRead, type ApiCaller } from './authorisations'

/*
 * What the API returns, each read through the same db/ functions the pages use, with the member
 * as the viewer: an app never sees more than the member it acts for would see. Each read that
 * answers is logged for the member ("Who accessed your data", db/apps/authorisations.ts).
 */

/** What each read shows the member in their log. */
export const API_READS = {
  me: 'your name, photo and speciality',
  talks: 'the talks you are going to and attended',
  certificates: 'your attendance certificates',
  clubs: 'your clubs',
  person: 'another doctor’s profile, as you see it',
} as const

export async function apiMe(caller: ApiCaller) {
  const own = await getOwnProfile(caller.viewer.userId)
  const me: Record<string, unknown> = { id: caller.viewer.userId }
  if (caller.scopes.includes('profile')) Object.assign(me, { handle: own.handle, name: own.name, photoUrl: own.photoUrl, speciality: own.speciality })
  if (caller.scopes.includes('verified')) me.verified = (await verificationBadge(caller.viewer.userId)) !== null
  await recordAppRead(caller, API_READS.me)
  return me
}

/** Talks the member said they are going to (that they may still see), and talks they attended with minutes. */
export async function apiMyTalks(caller: ApiCaller) {
  const going = await selectVisibleTalks(
    caller.viewer,
    sql`exists (select 1 from ${talkRsvps} r where r.talk_id = ${qualified(talks.id)} and r.user_id = ${caller.viewer.userId})`,
  )
    .orderBy(talks.startsAt)
    .limit(200)
  const learning = await listMyLearning(caller.viewer)
  await recordAppRead(caller, API_READS.talks)
  return {
    going: going.map((t) => ({
      id: t.id,
      title: t.title,
      type: t.type,
      startsAt: t.startsAt.toISOString(),
      durationMinutes: t.durationMinutes,
      status: t.status,
      club: { slug: t.club.slug, name: t.club.name },
    })),
    attended: learning.entries.map((e) => ({ id: e.talkId, title: e.title, club: e.club.name, heldAt: e.heldAt, minutes: e.minutes })),
  }
}

/** Certificates the member holds (not revoked). */
export async function apiMyCertificates(caller: ApiCaller) {
  const learning = await listMyLearning(caller.viewer)
  await recordAppRead(caller, API_READS.certificates)
  return learning.entries.flatMap((e) =>
    e.certificate && !e.certificate.revokedAt
      ? [{ id: e.certificate.id, talk: e.title, club: e.club.name, heldAt: e.heldAt, minutes: e.certificate.minutes, credits: e.certificate.credits, issuedAt: e.certificate.issuedAt }]
      : [],
  )
}

/** The member's public clubs, and only the private clubs they chose to share with this app. */
export async function apiMyClubs(caller: ApiCaller) {
  const clubs = await listMyClubs(caller.viewer)
  await recordAppRead(caller, API_READS.clubs)
  return clubs
    .filter((c) => c.visibility === 'public' || caller.sharedClubIds.includes(c.id))
    .map((c) => ({ slug: c.slug, name: c.name, visibility: c.visibility, role: c.role, memberCount: c.memberCount }))
}

/** Another doctor, as the member would see them: a private profile is a basic card. */
export async function apiPerson(caller: ApiCaller, handle: string) {
  const view = await getProfileForViewer(caller.viewer, handle)
  if (!view) return null
  await recordAppRead(caller, API_READS.person)
  if (view.kind === 'card') return { handle: view.profile.handle, name: view.profile.name, photoUrl: view.profile.photoUrl, speciality: view.profile.speciality, full: false }
  const p = view.profile
  return { handle: p.handle, name: p.name, photoUrl: p.photoUrl, speciality: p.speciality, city: p.city, bio: p.bio, interests: p.interests, full: true }
}

export async function apiRsvp(caller: ApiCaller, talkId: string, going: boolean) {
  await setRsvp(caller.viewer, talkId, going)
  const talk = await getTalkForViewer(caller.viewer, talkId)
  return { id: talkId, going: talk?.going ?? going }
}
