import { describe, expect, it } from 'vitest'
import type { ClubSource, ProfileSource, TalkSource } from '../../db/search'
import { MEILI_POST_TAG, MEILI_PRE_TAG, segmentsFromFormatted } from '../../server/search/highlight'
import { buildIndexBatch, toDoctorDocument, toTalkDocument } from '../../server/search/meili-documents'
import { buildMeiliQueries, toDoctorHit } from '../../server/search/meili-engine'
import { filterFor, quote } from '../../server/search/meili-filter'
import { indexSettings, meiliSynonyms } from '../../server/search/meili-settings'
import { parseSearchInput } from '../../server/search/query'
import type { SearchRequest } from '../../server/search/types'

/*
 * Meilisearch without a Meilisearch server: what goes into its documents, its
 * settings and the filter each viewer's query carries. (The engine against a
 * real server is tests/server/search-contract.test.ts, when MEILI_HOST is set.)
 */

const profile = (over: Partial<ProfileSource> = {}): ProfileSource => ({
  userId: 'u-1',
  handle: 'carmen-quist',
  name: 'Carmen Quist',
  photoUrl: '/uploads/c.webp',
  speciality: 'Dermatology',
  city: 'Zanzibarville',
  interests: ['zygomycosis'],
  visibility: 'public',
  searchable: true,
  verifiedUntil: null,
  ...over,
})

const club = (over: Partial<ClubSource> = {}): ClubSource => ({
  id: 'c-1',
  slug: 'quiet-circle',
  name: 'Quiet Circle',
  description: 'Morbidity review',
  specialities: ['Neurology'],
  visibility: 'private',
  ...over,
})

const talk = (over: Partial<TalkSource> = {}): TalkSource => ({
  id: 't-1',
  title: 'A difficult airway',
  description: 'Cases',
  type: 'case_discussion',
  startsAt: new Date('2026-03-01T18:00:00Z'),
  durationMinutes: 90,
  club: club(),
  ...over,
})

function request(params: Record<string, string>, now = new Date('2026-02-01T12:00:00Z')): SearchRequest {
  const parsed = parseSearchInput(new URLSearchParams(params), { now })
  if (!parsed.ok) throw new Error(parsed.message)
  return parsed.request
}

describe('document mapping', () => {
  it('a public profile carries its full searchable fields', () => {
    expect(toDoctorDocument(profile())).toEqual({
      id: 'u-1',
      handle: 'carmen-quist',
      name: 'Carmen Quist',
      photoUrl: '/uploads/c.webp',
      speciality: 'Dermatology',
      visibility: 'public',
      verifiedUntil: 0,
      city: 'Zanzibarville',
      interests: ['zygomycosis'],
    })
  })

  it('a private profile is the basic card: no city or interests fields at all', () => {
    const doc = toDoctorDocument(profile({ visibility: 'private' }))!
    expect(Object.keys(doc).sort()).toEqual(['handle', 'id', 'name', 'photoUrl', 'speciality', 'verifiedUntil', 'visibility'])
    expect(JSON.stringify(doc)).not.toMatch(/Zanzibarville|zygomycosis/)
  })

  it('a verified doctor carries when the badge stops showing, never the registration', () => {
    const until = new Date('2031-03-31T00:00:00Z')
    expect(toDoctorDocument(profile({ verifiedUntil: until }))!.verifiedUntil).toBe(until.getTime() / 1000)
    expect(toDoctorDocument(profile({ verifiedUntil: null }))!.verifiedUntil).toBe(0)
  })

  it('an opted-out, unverified or deactivated doctor (not searchable) produces a delete', () => {
    expect(toDoctorDocument(profile({ searchable: false }))).toBeNull()
    const batch = buildIndexBatch([{ kind: 'profile', id: 'u-1' }], { profiles: [profile({ searchable: false })], clubs: [], talks: [] })
    expect(batch.upsert.doctors).toEqual([])
    expect(batch.remove.doctors).toEqual(['u-1'])
  })

  it('a profile, club or talk that no longer exists produces a delete; a gone club takes its talks', () => {
    const batch = buildIndexBatch(
      [
        { kind: 'profile', id: 'gone-u' },
        { kind: 'club', id: 'gone-c' },
        { kind: 'talk', id: 'gone-t' },
      ],
      { profiles: [], clubs: [], talks: [] },
    )
    expect(batch.remove).toEqual({ doctors: ['gone-u'], clubs: ['gone-c'], talks: ['gone-t'] })
    expect(batch.removeTalksOfClubs).toEqual(['gone-c'])
  })

  it('a club brings all its talks along, each once, with the club’s visibility', () => {
    const c = club({ visibility: 'public' })
    const talks = [talk({ id: 't-1', club: c }), talk({ id: 't-2', club: c })]
    const batch = buildIndexBatch(
      [
        { kind: 'club', id: 'c-1' },
        { kind: 'talk', id: 't-1' },
      ],
      { profiles: [], clubs: [c], talks },
    )
    expect(batch.upsert.clubs.map((d) => d.id)).toEqual(['c-1'])
    expect(batch.upsert.talks.map((d) => [d.id, d.clubVisibility])).toEqual([
      ['t-1', 'public'],
      ['t-2', 'public'],
    ])
  })

  it('a talk has its times as Unix seconds, its end from its duration', () => {
    const doc = toTalkDocument(talk())
    expect(doc.startsAt).toBe(Date.parse('2026-03-01T18:00:00Z') / 1000)
    expect(doc.endsAt - doc.startsAt).toBe(90 * 60)
    expect(doc).toMatchObject({ clubId: 'c-1', clubVisibility: 'private', specialities: ['Neurology'], type: 'case_discussion' })
  })
})

describe('index settings', () => {
  it('doctors: searchable by card then full fields, filterable by what the filters use, sortable by name', () => {
    const s = indexSettings('doctors')
    expect(s.searchableAttributes).toEqual(['name', 'speciality', 'city', 'interests'])
    expect(s.filterableAttributes).toEqual(['speciality', 'city', 'visibility', 'verifiedUntil'])
    expect(s.sortableAttributes).toEqual(['name'])
  })

  it('clubs and talks: filterable by what the per-viewer filter needs', () => {
    expect(indexSettings('clubs').filterableAttributes).toEqual(expect.arrayContaining(['id', 'visibility', 'specialities']))
    expect(indexSettings('talks').filterableAttributes).toEqual(
      expect.arrayContaining(['clubId', 'clubVisibility', 'type', 'startsAt', 'endsAt', 'specialities']),
    )
    expect(indexSettings('talks').sortableAttributes).toEqual(['startsAt'])
    // Talks are never searchable by anything but their own words.
    expect(indexSettings('talks').searchableAttributes).toEqual(['title', 'description'])
  })

  it('typo tolerance is on, from 4 letters (one typo) and 8 (two)', () => {
    for (const g of ['doctors', 'clubs', 'talks'] as const) {
      expect(indexSettings(g).typoTolerance).toMatchObject({ enabled: true, minWordSizeForTypos: { oneTypo: 4, twoTypos: 8 } })
    }
  })

  it('synonyms map medical abbreviations both ways', () => {
    const synonyms = meiliSynonyms()
    expect(synonyms.cardio).toContain('cardiology')
    expect(synonyms.cardiology).toContain('cardio')
    expect(synonyms.ent).toContain('otorhinolaryngology')
    expect(synonyms.pediatrics).toContain('paediatrics')
    expect(indexSettings('doctors').synonyms).toEqual(synonyms)
    for (const [key, values] of Object.entries(synonyms)) {
      expect(values).not.toContain(key)
      expect(key).toBe(key.toLowerCase())
    }
  })
})

describe('the per-viewer filter', () => {
  const stranger = { signedIn: true, privateClubIds: [] }
  const member = { signedIn: true, privateClubIds: ['c-1', 'c-2'] }
  const now = new Date('2026-02-01T12:00:00Z')

  it('quotes values and escapes backslashes and quotes', () => {
    expect(quote('Cardiology')).toBe('"Cardiology"')
    expect(quote('x" OR visibility = "private')).toBe('"x\\" OR visibility = \\"private"')
    expect(quote('a\\" OR 1=1')).toBe('"a\\\\\\" OR 1=1"')
  })

  it('a stranger sees public clubs and talks only', () => {
    expect(filterFor('clubs', {}, stranger, now)).toBe('visibility = "public"')
    expect(filterFor('talks', {}, stranger, now)).toBe('clubVisibility = "public"')
  })

  it('a member also sees their private clubs, by id', () => {
    expect(filterFor('clubs', {}, member, now)).toBe('(visibility = "public" OR id IN ["c-1", "c-2"])')
    expect(filterFor('talks', {}, member, now)).toBe('(clubVisibility = "public" OR clubId IN ["c-1", "c-2"])')
  })

  it('user filters are ANDed after the visibility rule and cannot escape their quotes', () => {
    const sneaky = 'Cardiology" OR clubVisibility = "private'
    const f = filterFor('talks', { speciality: sneaky, talkType: 'surgery', when: 'upcoming' }, stranger, now)
    expect(f).toBe(
      'clubVisibility = "public" AND specialities = "Cardiology\\" OR clubVisibility = \\"private" AND type = "surgery" AND endsAt > 1769947200',
    )
  })

  it('"verified doctors only" keeps doctors whose badge still shows now, and only doctors', () => {
    expect(filterFor('doctors', { verified: true }, stranger, now)).toBe('verifiedUntil > 1769947200')
    expect(parseSearchInput(new URLSearchParams('q=asha&verified=1'))).toMatchObject({ ok: true, request: { groups: ['doctors'], filters: { verified: true } } })
    expect(parseSearchInput(new URLSearchParams('verified=yes'))).toMatchObject({ ok: false, field: 'verified' })
  })

  it('dates become Unix-second ranges on the start', () => {
    const from = new Date('2026-02-10T00:00:00Z')
    const to = new Date('2026-02-11T00:00:00Z')
    expect(filterFor('talks', { from, to, when: 'past' }, stranger, now)).toBe(
      `clubVisibility = "public" AND endsAt <= 1769947200 AND startsAt >= ${from.getTime() / 1000} AND startsAt < ${to.getTime() / 1000}`,
    )
  })

  it('a city filter matches public profiles only, and nothing for a visitor', () => {
    expect(filterFor('doctors', { city: 'Mumbai' }, stranger, now)).toBe('visibility = "public" AND city = "Mumbai"')
    expect(filterFor('doctors', { city: 'Mumbai' }, { signedIn: false, privateClubIds: [] }, now)).toBe(false)
    expect(filterFor('doctors', {}, stranger, now)).toBeUndefined()
  })
})

describe('the queries sent', () => {
  const indexUid = (g: string) => `t_${g}`

  it('a visitor’s doctor query matches, retrieves and highlights the card only', () => {
    const [doctors] = buildMeiliQueries(request({ q: 'mumbai', in: 'doctors' }), { signedIn: false, privateClubIds: [] }, indexUid)
    expect(doctors.query).toMatchObject({
      indexUid: 't_doctors',
      q: 'mumbai',
      attributesToSearchOn: ['name', 'speciality'],
      attributesToHighlight: ['name', 'speciality'],
    })
    expect(doctors.query!.attributesToRetrieve).not.toContain('city')
    expect(doctors.query!.attributesToRetrieve).not.toContain('interests')
  })

  it('sends the words only: quotes and minus signs are not Meilisearch operators here', () => {
    const [q] = buildMeiliQueries(request({ q: '"cardio" -neuro', in: 'clubs' }), { signedIn: true, privateClubIds: [] }, indexUid)
    expect(q.query!.q).toBe('cardio neuro')
  })

  it('a visitor filtering doctors by city gets no query at all', () => {
    const planned = buildMeiliQueries(request({ city: 'Mumbai' }), { signedIn: false, privateClubIds: [] }, indexUid)
    expect(planned).toEqual([{ group: 'doctors', query: null }])
  })

  it('every club and talk query carries the viewer filter', () => {
    const planned = buildMeiliQueries(request({ q: 'echo' }), { signedIn: true, privateClubIds: ['c-9'] }, indexUid)
    const byGroup = Object.fromEntries(planned.map((p) => [p.group, p.query]))
    expect(byGroup.clubs!.filter).toBe('(visibility = "public" OR id IN ["c-9"])')
    expect(byGroup.talks!.filter).toBe('(clubVisibility = "public" OR clubId IN ["c-9"])')
  })
})

describe('hits', () => {
  it('a private profile’s hit is a card, even if a stale document still held more', () => {
    const stale = { ...toDoctorDocument(profile())!, visibility: 'private' as const }
    const hit = toDoctorHit({ ...stale, _formatted: { city: `${MEILI_PRE_TAG}Zanzibarville${MEILI_POST_TAG}` } }, true)
    expect(hit).toMatchObject({ view: 'card', city: null, interests: [] })
    expect(hit.highlight.city).toBeUndefined()
    expect(JSON.stringify(hit)).not.toMatch(/Zanzibarville|zygomycosis/)
  })

  it('highlights come back as segments', () => {
    expect(segmentsFromFormatted(`Dr ${MEILI_PRE_TAG}Card${MEILI_POST_TAG}well`)).toEqual([
      { text: 'Dr ', match: false },
      { text: 'Card', match: true },
      { text: 'well', match: false },
    ])
    expect(segmentsFromFormatted('no match')).toBeUndefined()
  })
})
