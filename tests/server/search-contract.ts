import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '../../db/client'
import { updateProfile } from '../../db/profiles'
import { enqueueAllSearchDocuments } from '../../db/search'
import { doctorVerifications, talks } from '../../db/schema/index'
import type { Viewer } from '../../db/viewer'
import { drainSearchOutbox } from '../../server/search/outbox'
import { parseSearchInput } from '../../server/search/query'
import type { SearchEngine, SearchGroup, SearchResponse } from '../../server/search/types'
import { addClubMember, createDoctor, createTestClub, setDiscoverable, viewerOf, type ProfileFields, type TestDoctor } from '../support/factories'

/*
 * The search contract: what every engine must do, and must never reveal. Run
 * against Postgres always (search-contract.test.ts), and against Meilisearch
 * when MEILI_HOST is set. The engine is fed the way production feeds it: the
 * outbox, processed by the worker.
 */

export type EngineFactory = {
  name: string
  create: () => Promise<SearchEngine>
  cleanup?: (engine: SearchEngine) => Promise<void>
}

const DAY = 24 * 60 * 60 * 1000

// Distinctive words, so a leak cannot hide behind a common one.
const SECRET = {
  city: 'Zanzibarville',
  interest: 'zygomycosis',
  clubName: 'Hidden Quorum Circle',
  clubDescription: 'Quorumword morbidity review',
  talk: 'Quorum secret ectopic case',
}

type Fixture = {
  asha: TestDoctor
  carmen: TestDoctor
  dario: TestDoctor
  stranger: TestDoctor
  member: TestDoctor
  tag: string
}

async function buildFixture(): Promise<Fixture> {
  const tag = Math.random().toString(36).slice(2, 7)
  const doctor = (name: string, profile: ProfileFields, verified = true) =>
    createDoctor({ name, verified, profile: { handle: `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${tag}`, ...profile } })
  const [asha, , carmen, dario, , farah] = await Promise.all([
    doctor('Asha Cardwell', { speciality: 'Cardiology', city: 'Mumbai', interests: ['Heart failure', 'Echocardiography'], visibility: 'public' }),
    doctor('Bruno Okafor', { speciality: 'Neurology', city: 'Berlin', interests: ['Stroke'], visibility: 'public' }),
    doctor('Carmen Quist', {
      speciality: 'Dermatology',
      city: SECRET.city,
      interests: [SECRET.interest],
      bio: 'Runs a clinic',
      visibility: 'private',
    }),
    doctor('Dario Optout', { speciality: 'Cardiology', city: 'Mumbai', visibility: 'public' }),
    doctor('Elif Unverified', { speciality: 'Cardiology', city: 'Mumbai', visibility: 'public' }, false),
    doctor('Farah Earwell', { speciality: 'Otorhinolaryngology', city: 'Dublin', visibility: 'public' }),
    doctor('Gita Kidsworth', { speciality: 'Paediatrics', city: 'Chennai', visibility: 'public' }),
  ])
  await setDiscoverable(dario.id, false)
  // The "Verified doctor" badge: Asha verified, Carmen (private) due to renew but within the grace,
  // Farah past the grace (the badge no longer shows, though the daily job has not lapsed her yet),
  // and Dario verified but not in search at all.
  const verification = (userId: string, reverifyDueAt: Date) =>
    db.insert(doctorVerifications).values({
      id: randomUUID(),
      userId,
      status: 'verified',
      council: 'nmc',
      registrationYear: 2012,
      numberCipher: 'x',
      numberMasked: '•••• 0000',
      verifiedAt: new Date(reverifyDueAt.getTime() - 5 * 365 * DAY),
      reverifyDueAt,
    })
  await verification(asha.id, new Date(Date.now() + 400 * DAY))
  await verification(carmen.id, new Date(Date.now() - 10 * DAY))
  await verification(farah.id, new Date(Date.now() - 100 * DAY))
  await verification(dario.id, new Date(Date.now() + 400 * DAY))
  // 25 doctors for paging, named in order.
  for (let i = 1; i <= 25; i++) {
    await doctor(`Pagewell ${String(i).padStart(2, '0')}`, { speciality: 'Radiology', city: 'Oslo', visibility: i % 5 === 0 ? 'private' : 'public' })
  }
  const [stranger, member, owner] = await Promise.all([
    doctor('Sam Stranger', { speciality: 'Urology', visibility: 'public' }),
    doctor('Mona Member', { speciality: 'Urology', visibility: 'public' }),
    doctor('Oscar Owner', { speciality: 'Neurology', visibility: 'public' }),
  ])
  const cardio = await createTestClub(owner, {
    name: 'Cardiology Grand Rounds',
    description: 'Weekly echo cases and heart failure reviews.',
    specialities: ['Cardiology'],
    visibility: 'public',
  })
  await createTestClub(owner, { name: 'Neuro Journal Club', specialities: ['Neurology'], visibility: 'public' })
  const hidden = await createTestClub(owner, {
    name: SECRET.clubName,
    description: SECRET.clubDescription,
    specialities: ['Neurology'],
    visibility: 'private',
  })
  await addClubMember(hidden, member)
  const now = Date.now()
  const talk = (clubId: string, title: string, type: 'talk' | 'case_discussion' | 'surgery' | 'quiz', startsAt: Date, status: 'scheduled' | 'ended' = 'scheduled') =>
    db.insert(talks).values({ id: randomUUID(), clubId, hostId: owner.id, title, type, startsAt, durationMinutes: 60, status, description: '' })
  await talk(cardio.id, 'Echo quiz night', 'quiz', new Date(now + DAY))
  await talk(cardio.id, 'Heart failure update', 'talk', new Date(now - 10 * DAY), 'ended')
  await talk(cardio.id, 'Valve surgery live', 'surgery', new Date(now + 20 * DAY))
  await talk(hidden.id, SECRET.talk, 'case_discussion', new Date(now + 2 * DAY))
  return { asha, carmen, dario, stranger, member, tag }
}

export function runSearchContract(factory: EngineFactory) {
  describe(`search contract: ${factory.name}`, () => {
    let engine: SearchEngine
    let fx: Fixture
    let stranger: Viewer
    let member: Viewer

    /** Feeds the engine everything, as a rebuild would, through the outbox. */
    async function sync() {
      const result = await drainSearchOutbox(engine)
      expect(result.failures).toBe(0)
    }

    beforeAll(async () => {
      fx = await buildFixture()
      stranger = viewerOf(fx.stranger)
      member = viewerOf(fx.member)
      engine = await factory.create()
      await enqueueAllSearchDocuments()
      await sync()
    }, 120_000)

    afterAll(async () => {
      if (engine) await factory.cleanup?.(engine)
    })

    async function search(viewer: Viewer, params: Record<string, string>, options: { groups?: SearchGroup[]; perPage?: number } = {}) {
      const parsed = parseSearchInput(new URLSearchParams(params), options)
      if (!parsed.ok) throw new Error(`The test's search did not parse: ${parsed.message}`)
      return engine.search(viewer, parsed.request)
    }
    const names = (r: SearchResponse) => r.groups.doctors?.hits.map((h) => h.name) ?? []
    const clubNames = (r: SearchResponse) => r.groups.clubs?.hits.map((h) => h.name) ?? []
    const talkTitles = (r: SearchResponse) => r.groups.talks?.hits.map((h) => h.title) ?? []

    describe('matching', () => {
      it("finds 'Cardiology' from the prefix 'card', doctors and clubs alike", async () => {
        const r = await search(stranger, { q: 'card' })
        expect(names(r)).toContain('Asha Cardwell')
        expect(clubNames(r)).toContain('Cardiology Grand Rounds')
        const asha = r.groups.doctors!.hits.find((h) => h.name === 'Asha Cardwell')!
        expect(asha.view).toBe('full')
        expect(asha.highlight.speciality?.some((s) => s.match && /^card/i.test(s.text))).toBe(true)
      })

      it("tolerates a typo: 'cardiolgy'", async () => {
        const r = await search(stranger, { q: 'cardiolgy' })
        expect(names(r)).toContain('Asha Cardwell')
        expect(clubNames(r)).toContain('Cardiology Grand Rounds')
      })

      it("knows synonyms: 'cardio', 'ent', 'pediatrics'", async () => {
        expect(names(await search(stranger, { q: 'cardio' }))).toContain('Asha Cardwell')
        expect(names(await search(stranger, { q: 'ent' }))).toContain('Farah Earwell')
        expect(names(await search(stranger, { q: 'pediatrics' }))).toContain('Gita Kidsworth')
      })

      it('matches a public profile by city and interests, for a signed-in doctor', async () => {
        expect(names(await search(stranger, { q: 'mumbai' }))).toEqual(['Asha Cardwell'])
        expect(names(await search(stranger, { q: 'echocardiography' }))).toContain('Asha Cardwell')
      })

      it('finds talks by title words', async () => {
        const r = await search(stranger, { q: 'valve' })
        expect(talkTitles(r)).toEqual(['Valve surgery live'])
        expect(r.groups.talks!.hits[0].club.name).toBe('Cardiology Grand Rounds')
      })
    })

    describe('filters', () => {
      it('speciality applies to doctors, clubs and talks', async () => {
        const r = await search(stranger, { speciality: 'Cardiology' })
        expect(names(r)).toEqual(['Asha Cardwell'])
        expect(clubNames(r)).toEqual(['Cardiology Grand Rounds'])
        expect(talkTitles(r).sort()).toEqual(['Echo quiz night', 'Heart failure update', 'Valve surgery live'])
      })

      it('city narrows to doctors in that city', async () => {
        const r = await search(stranger, { q: 'card', city: 'mumbai' })
        expect(Object.keys(r.groups)).toEqual(['doctors'])
        expect(names(r)).toEqual(['Asha Cardwell'])
      })

      it('"verified doctors only" finds doctors whose badge shows now, and leaves out the rest', async () => {
        const r = await search(stranger, { verified: '1' })
        expect(Object.keys(r.groups)).toEqual(['doctors'])
        expect(names(r).sort()).toEqual(['Asha Cardwell', 'Carmen Quist'])
        expect(r.groups.doctors?.total).toBe(2)
        expect(names(await search(stranger, { q: 'card', verified: '1' }))).toEqual(['Asha Cardwell'])
      })

      it('talk type, upcoming and past, and dates narrow to talks', async () => {
        expect(talkTitles(await search(stranger, { type: 'surgery' }))).toEqual(['Valve surgery live'])
        expect(talkTitles(await search(stranger, { speciality: 'Cardiology', when: 'past' }))).toEqual(['Heart failure update'])
        expect(talkTitles(await search(stranger, { speciality: 'Cardiology', when: 'upcoming', sort: 'date' }))).toEqual([
          'Echo quiz night',
          'Valve surgery live',
        ])
        const day = (offset: number) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10)
        const r = await search(stranger, { speciality: 'Cardiology', from: day(15), to: day(25) })
        expect(Object.keys(r.groups)).toEqual(['talks'])
        expect(talkTitles(r)).toEqual(['Valve surgery live'])
      })
    })

    describe('paging and counts', () => {
      it('pages through results with a stable order and an honest total', async () => {
        const seen: string[] = []
        for (const page of ['1', '2', '3']) {
          const r = await search(stranger, { q: 'pagewell', in: 'doctors', page })
          expect(r.groups.doctors!.total).toBe(25)
          seen.push(...names(r))
        }
        expect(seen).toHaveLength(25)
        expect(new Set(seen).size).toBe(25)
        const beyond = await search(stranger, { q: 'pagewell', in: 'doctors', page: '4' })
        expect(beyond.groups.doctors).toMatchObject({ hits: [], total: 25 })
      })

      it('counts only what the viewer may see', async () => {
        expect((await search(stranger, { speciality: 'Neurology', in: 'clubs' })).groups.clubs!.total).toBe(1)
        expect((await search(member, { speciality: 'Neurology', in: 'clubs' })).groups.clubs!.total).toBe(2)
        // Dario opted out and Elif is not verified: neither is counted.
        expect((await search(stranger, { speciality: 'Cardiology', in: 'doctors' })).groups.doctors!.total).toBe(1)
      })

      it('returns groups asked for only', async () => {
        const r = await search(stranger, { q: 'card' }, { groups: ['clubs'] })
        expect(Object.keys(r.groups)).toEqual(['clubs'])
      })
    })

    const leaks = (r: SearchResponse, ...secrets: string[]) => {
      const text = JSON.stringify(r).toLowerCase()
      return secrets.filter((s) => text.includes(s.toLowerCase()))
    }

    describe('privacy', () => {

      it("a private profile's city or interests find nothing for a stranger, in results and counts", async () => {
        for (const q of [SECRET.city, SECRET.interest]) {
          const r = await search(stranger, { q })
          expect(r.groups.doctors).toMatchObject({ hits: [], total: 0 })
          expect(leaks(r, SECRET.city, SECRET.interest)).toEqual([])
        }
        const byCity = await search(stranger, { city: SECRET.city })
        expect(byCity.groups.doctors).toMatchObject({ hits: [], total: 0 })
      })

      it('a private profile is found by name as the basic card only', async () => {
        const r = await search(stranger, { q: 'carmen' })
        expect(r.groups.doctors!.hits).toHaveLength(1)
        const hit = r.groups.doctors!.hits[0]
        expect(hit).toMatchObject({ name: 'Carmen Quist', speciality: 'Dermatology', view: 'card', city: null, interests: [] })
        expect(hit.highlight.city).toBeUndefined()
        expect(leaks(r, SECRET.city, SECRET.interest, 'Runs a clinic')).toEqual([])
      })

      it('a visitor sees every doctor as a card and cannot match a city', async () => {
        const byCity = await search(null, { q: 'mumbai' })
        expect(byCity.groups.doctors).toMatchObject({ hits: [], total: 0 })
        const byName = await search(null, { q: 'asha' })
        expect(byName.groups.doctors!.hits[0]).toMatchObject({ name: 'Asha Cardwell', view: 'card', city: null, interests: [] })
        expect(leaks(byName, 'Mumbai', 'Heart failure')).toEqual([])
        expect((await search(null, { city: 'Mumbai' })).groups.doctors).toMatchObject({ hits: [], total: 0 })
      })

      it('a doctor who opted out never appears, to anyone', async () => {
        for (const viewer of [null, stranger, member, viewerOf(fx.dario)]) {
          const r = await search(viewer, { q: 'dario' })
          expect(r.groups.doctors).toMatchObject({ hits: [], total: 0 })
          expect(leaks(r, 'Optout')).toEqual([])
        }
      })

      it('a private club and its talks are invisible to non-members, in results and counts', async () => {
        for (const viewer of [null, stranger]) {
          for (const q of ['quorum', 'hidden', 'quorumword', 'ectopic']) {
            const r = await search(viewer, { q })
            expect(r.groups.clubs).toMatchObject({ hits: [], total: 0 })
            expect(r.groups.talks).toMatchObject({ hits: [], total: 0 })
            expect(leaks(r, SECRET.clubName, SECRET.talk, 'Quorumword')).toEqual([])
          }
          const cases = await search(viewer, { type: 'case_discussion' })
          expect(cases.groups.talks).toMatchObject({ hits: [], total: 0 })
        }
      })

      it('a member finds the private club and its talks', async () => {
        const r = await search(member, { q: 'quorum' })
        expect(clubNames(r)).toEqual([SECRET.clubName])
        expect(talkTitles(r)).toEqual([SECRET.talk])
      })

      it('a profile going private stops matching on its city once the change is processed', async () => {
        const doc = await createDoctor({
          name: 'Hana Switcher',
          profile: { handle: `hana-switcher-${fx.tag}`, speciality: 'Oncology', city: 'Quietbury', visibility: 'public' },
        })
        await enqueueAllSearchDocuments()
        await sync()
        expect(names(await search(stranger, { q: 'quietbury' }))).toEqual(['Hana Switcher'])
        await updateProfile(doc.id, {
          handle: `hana-switcher-${fx.tag}`,
          name: 'Hana Switcher',
          speciality: 'Oncology',
          city: 'Quietbury',
          interests: [],
          bio: null,
          registrationNumber: null,
          visibility: 'private',
        })
        await sync()
        const after = await search(stranger, { q: 'quietbury' })
        expect(after.groups.doctors).toMatchObject({ hits: [], total: 0 })
        expect(names(await search(stranger, { q: 'hana' }))).toEqual(['Hana Switcher'])
        await setDiscoverable(doc.id, false)
        await sync()
        expect((await search(stranger, { q: 'hana' })).groups.doctors).toMatchObject({ hits: [], total: 0 })
      })
    })

    describe('odd input never fails', () => {
      const odd = [
        "' or 1=1 --",
        '%_\\',
        'speciality = "x" OR 1=1',
        'visibility = "private"',
        '"); drop table profiles; --',
        '🩺❤️ cardio',
        'طبيب القلب',
        'car\u200Bdio',
        '\u202Eygoloidrac',
        'a',
        'Ωμέγα ñandú Ærø',
        'x'.repeat(40) + ' ' + 'y'.repeat(40),
      ]
      it.each(odd)('%j', async (q) => {
        const r = await search(stranger, { q })
        expect(r.engine).toBe(engine.name)
        for (const g of Object.values(r.groups)) expect(g.total).toBeGreaterThanOrEqual(g.hits.length)
        expect(leaks(r, SECRET.city, SECRET.clubName)).toEqual([])
      })

      it('a filter value that looks like filter syntax is only a value', async () => {
        const r = await search(stranger, { city: 'Mumbai" OR visibility = "private' })
        expect(r.groups.doctors).toMatchObject({ hits: [], total: 0 })
      })
    })
  })
}
