import { eq } from 'drizzle-orm'
import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '../../db/client'
import { joinClub } from '../../db/clubs'
import { followUser } from '../../db/follows'
import { blockPerson } from '../../db/blocks'
import { getOnboardingAnswers, saveInterests, saveSpecialityAndCity, suggestColleagues, suggestFromAnswers } from '../../db/onboarding'
import { profiles, users } from '../../db/schema/index'
import { createDoctor, createTestClub, profileRow, viewerOf, type TestDoctor } from '../support/factories'

const as = viewerOf
// A speciality and interest no other test file gives anyone, so other doctors in the database do not crowd the lists.
const tag = Math.random().toString(36).slice(2, 8)
const interest = `ECG-${tag}`
const speciality = 'Nephrology'

describe('onboarding', () => {
  let newcomer: TestDoctor
  const doctor: Record<string, TestDoctor> = {}
  const club: Record<string, string> = {}

  beforeAll(async () => {
    newcomer = await createDoctor({ name: 'Dr New Member' })
    const owner = await createDoctor({ name: `Dr Owner ${tag}`, profile: { visibility: 'private' } })
    const both = { speciality, interests: [interest] }
    doctor.sameSpeciality = await createDoctor({ name: `Dr Same Speciality ${tag}`, profile: { speciality } })
    doctor.sameInterest = await createDoctor({ name: `Dr Same Interest ${tag}`, profile: { speciality: 'Dermatology', interests: [interest.toLowerCase()] } })
    doctor.unrelated = await createDoctor({ name: `Dr Unrelated ${tag}`, profile: { speciality: 'Urology', interests: ['Stones'] } })
    doctor.private = await createDoctor({ name: `Dr Private ${tag}`, profile: { ...both, visibility: 'private' } })
    doctor.deactivated = await createDoctor({ name: `Dr Deactivated ${tag}`, profile: both })
    await db.update(users).set({ deactivatedAt: new Date() }).where(eq(users.id, doctor.deactivated.id))
    doctor.optedOut = await createDoctor({ name: `Dr Opted Out ${tag}`, profile: both })
    await db.update(profiles).set({ discoverable: false }).where(eq(profiles.userId, doctor.optedOut.id))
    doctor.unverified = await createDoctor({ name: `Dr Unverified ${tag}`, profile: both, verified: false })
    doctor.followed = await createDoctor({ name: `Dr Already Followed ${tag}`, profile: both })
    await followUser(as(newcomer), doctor.followed.handle)

    club.speciality = (await createTestClub(owner, { name: `Kidney Round ${tag}`, specialities: [speciality] })).slug
    club.interest = (await createTestClub(owner, { name: `The ${interest} Club`, description: 'Reading tracings together.' })).slug
    club.private = (await createTestClub(owner, { name: `Private Kidney ${tag}`, specialities: [speciality], visibility: 'private' })).slug
    club.joined = (await createTestClub(owner, { name: `Joined Kidney ${tag}`, specialities: [speciality] })).slug
    await joinClub(as(newcomer), club.joined)
  })

  it('saves the answers of the first two steps to the profile', async () => {
    await saveSpecialityAndCity(as(newcomer), { speciality, city: 'Uppsala' })
    await saveInterests(as(newcomer), [interest, ` ${interest.toLowerCase()} `, 'Renal ultrasound'])
    expect(await getOnboardingAnswers(as(newcomer))).toEqual({ speciality, city: 'Uppsala', interests: [interest, 'Renal ultrasound'] })
  })

  it('refuses too many or too long interests, changing nothing', async () => {
    const before = await profileRow(newcomer.id)
    await expect(saveInterests(as(newcomer), Array.from({ length: 11 }, (_, i) => `Topic ${i}`))).rejects.toMatchObject({ status: 400, field: 'interests' })
    await expect(saveInterests(as(newcomer), ['x'.repeat(41)])).rejects.toMatchObject({ status: 400, field: 'interests' })
    expect((await profileRow(newcomer.id)).interests).toEqual(before.interests)
  })

  it('suggests clubs and doctors from the answers, each with its reason', async () => {
    const { clubs, doctors } = await suggestFromAnswers(as(newcomer), { clubs: 50, doctors: 50 })
    const clubReason = new Map(clubs.map((c) => [c.slug, c.reason]))
    expect(clubReason.get(club.speciality)).toBe('In your speciality')
    expect(clubReason.get(club.interest)).toBe(`Matches your interest: ${interest}`)
    // Matching clubs come before merely popular ones.
    const firstPopular = clubs.findIndex((c) => c.reason === 'Popular on Rounds')
    if (firstPopular >= 0) {
      expect(clubs.findIndex((c) => c.slug === club.speciality)).toBeLessThan(firstPopular)
      expect(clubs.findIndex((c) => c.slug === club.interest)).toBeLessThan(firstPopular)
    }
    const doctorReason = new Map(doctors.map((d) => [d.handle, d.reason]))
    expect(doctorReason.get(doctor.sameSpeciality.handle)).toBe('In your speciality')
    expect(doctorReason.get(doctor.sameInterest.handle)).toBe(`Matches your interest: ${interest}`)
    expect(doctorReason.has(doctor.unrelated.handle)).toBe(false)
  })

  it('never suggests a private profile, a deactivated, unverified or search-opted-out doctor, oneself, someone followed, a private club or one already joined', async () => {
    const { clubs, doctors } = await suggestFromAnswers(as(newcomer), { clubs: 500, doctors: 500 })
    const handles = doctors.map((d) => d.handle)
    for (const hidden of ['private', 'deactivated', 'optedOut', 'unverified', 'followed'] as const) {
      expect(handles, hidden).not.toContain(doctor[hidden].handle)
    }
    expect(handles).not.toContain(newcomer.handle)
    const slugs = clubs.map((c) => c.slug)
    expect(slugs).not.toContain(club.private)
    expect(slugs).not.toContain(club.joined)
    expect(slugs).toContain(club.speciality)
  })

  it('keeps suggesting colleagues for the home page under the same rules, and drops someone once blocked', async () => {
    const colleagues = (await suggestColleagues(as(newcomer), 500)).map((d) => d.handle)
    expect(colleagues).toContain(doctor.sameSpeciality.handle)
    expect(colleagues).toContain(doctor.sameInterest.handle)
    for (const hidden of ['private', 'deactivated', 'optedOut', 'unverified', 'followed', 'unrelated'] as const) {
      expect(colleagues, hidden).not.toContain(doctor[hidden].handle)
    }
    expect(await suggestColleagues(as(newcomer), 1)).toHaveLength(1)

    // A block either way takes the person out, whoever made it.
    const blocker = await createDoctor({ name: `Dr Blocker ${tag}`, profile: { speciality } })
    expect((await suggestColleagues(as(newcomer), 500)).map((d) => d.handle)).toContain(blocker.handle)
    await blockPerson(as(blocker), newcomer.handle)
    expect((await suggestColleagues(as(newcomer), 500)).map((d) => d.handle)).not.toContain(blocker.handle)
  })

  it('suggests no doctors to someone who skipped both questions, and asks a visitor to sign in', async () => {
    const skipper = await createDoctor({ name: 'Dr Skipped Everything' })
    const { doctors } = await suggestFromAnswers(as(skipper))
    expect(doctors).toEqual([])
    await expect(suggestFromAnswers(null)).rejects.toMatchObject({ status: 401 })
  })
})
