import type { ClubSource, ProfileSource, SearchDocRef, SearchSources, TalkSource } from '../../db/search'
import { emptyBatch, type ClubDocument, type DoctorDocument, type IndexBatch, type TalkDocument } from './types'

/*
 * What an external index may hold. A document is built only from what its
 * viewers may see: a private profile's document is its basic card (it has no
 * city or interests fields at all), and a doctor who opted out, is not verified
 * or is deactivated has no document — the mapping asks for a delete.
 */

/** The doctor's document, or null when they must not be in the index. */
export function toDoctorDocument(p: ProfileSource): DoctorDocument | null {
  if (!p.searchable) return null
  const card: DoctorDocument = {
    id: p.userId,
    handle: p.handle,
    name: p.name,
    photoUrl: p.photoUrl,
    speciality: p.speciality,
    visibility: p.visibility,
    verifiedUntil: p.verifiedUntil ? Math.floor(p.verifiedUntil.getTime() / 1000) : 0,
  }
  if (p.visibility !== 'public') return card
  return { ...card, city: p.city, interests: p.interests }
}

export function toClubDocument(c: ClubSource): ClubDocument {
  return {
    id: c.id,
    slug: c.slug,
    name: c.name,
    description: c.description,
    specialities: c.specialities,
    visibility: c.visibility,
  }
}

const seconds = (d: Date) => Math.floor(d.getTime() / 1000)

export function toTalkDocument(t: TalkSource): TalkDocument {
  const startsAt = seconds(new Date(t.startsAt))
  return {
    id: t.id,
    title: t.title,
    description: t.description,
    type: t.type,
    startsAt,
    endsAt: startsAt + t.durationMinutes * 60,
    durationMinutes: t.durationMinutes,
    clubId: t.club.id,
    clubSlug: t.club.slug,
    clubName: t.club.name,
    clubVisibility: t.club.visibility,
    specialities: t.club.specialities,
  }
}

/**
 * The index changes for a set of outbox references, from the state read when the
 * rows were processed. A club brings all its talks along (their visibility and
 * club name come from it); a club that is gone takes its talks with it.
 */
export function buildIndexBatch(refs: SearchDocRef[], sources: SearchSources): IndexBatch {
  const batch = emptyBatch()
  const profiles = new Map(sources.profiles.map((p) => [p.userId, p]))
  const clubs = new Map(sources.clubs.map((c) => [c.id, c]))
  const talks = new Map(sources.talks.map((t) => [t.id, t]))
  const talksDone = new Set<string>()
  const upsertTalk = (t: TalkSource) => {
    if (talksDone.has(t.id)) return
    talksDone.add(t.id)
    batch.upsert.talks.push(toTalkDocument(t))
  }
  for (const ref of refs) {
    if (ref.kind === 'profile') {
      const source = profiles.get(ref.id)
      const doc = source ? toDoctorDocument(source) : null
      if (doc) batch.upsert.doctors.push(doc)
      else batch.remove.doctors.push(ref.id)
    } else if (ref.kind === 'club') {
      const club = clubs.get(ref.id)
      if (!club) {
        batch.remove.clubs.push(ref.id)
        batch.removeTalksOfClubs.push(ref.id)
        continue
      }
      batch.upsert.clubs.push(toClubDocument(club))
      for (const t of sources.talks) if (t.club.id === club.id) upsertTalk(t)
    } else {
      const talk = talks.get(ref.id)
      if (talk) upsertTalk(talk)
      else batch.remove.talks.push(ref.id)
    }
  }
  return batch
}
