import { describe, expect, it } from 'vitest'
import * as practiceStep from '../../app/routes/welcome._index'
import * as interestsStep from '../../app/routes/welcome.interests'
import * as suggestionsStep from '../../app/routes/welcome.suggestions'
import { getFollowState } from '../../db/follows'
import { createDoctor, createTestClub, profileRow, viewerOf } from '../support/factories'
import { callAction, callLoader, signIn } from '../support/routes'

type Reply = { status?: string; error?: Record<string, string[] | null> }
type Suggestions = { clubs: { slug: string; reason: string }[]; doctors: { handle: string; reason: string }[] }

function form(entries: [string, string][]) {
  const data = new FormData()
  for (const [name, value] of entries) data.append(name, value)
  return data
}

describe('the welcome steps, through their loaders and actions', () => {
  it('send a visitor to sign in', async () => {
    for (const [route, url] of [
      [practiceStep, '/welcome'],
      [interestsStep, '/welcome/interests'],
      [suggestionsStep, '/welcome/suggestions'],
    ] as const) {
      expect(await callLoader(route, { url })).toMatchObject({ status: 302, location: `/login?redirectTo=${encodeURIComponent(url)}` })
      expect(await callAction(route, { url, form: { city: 'Oslo' } })).toMatchObject({ status: 302, location: `/login?redirectTo=${encodeURIComponent(url)}` })
    }
  })

  it('save speciality and city, then chips and free interests, refusing bad answers beside the field and changing nothing', async () => {
    const doctor = await createDoctor({ name: 'Dr Welcome Steps' })
    const auth = await signIn(doctor.id)

    const wrong = await callAction(practiceStep, { url: '/welcome', form: { speciality: 'Astrology', city: 'Oslo' }, auth })
    expect(wrong.status).toBe(400)
    expect((wrong.data as Reply).error?.speciality).toEqual(['Choose a speciality from the list.'])
    expect((await profileRow(doctor.id)).city).toBeNull()

    const saved = await callAction(practiceStep, { url: '/welcome', form: { speciality: 'Cardiology', city: ' Oslo ' }, auth })
    expect(saved).toMatchObject({ status: 302, location: '/welcome/interests' })
    expect(await profileRow(doctor.id)).toMatchObject({ speciality: 'Cardiology', city: 'Oslo' })

    const tooMany = Array.from({ length: 10 }, (_, i) => `Topic ${i}`).join(', ')
    const refused = await callAction(interestsStep, { url: '/welcome/interests', form: form([['chosen', 'ECG'], ['more', tooMany]]), auth })
    expect(refused.status).toBe(400)
    expect((refused.data as Reply).error?.more).toEqual(['Choose at most 10 interests in all; you have 11.'])
    const tooLong = await callAction(interestsStep, { url: '/welcome/interests', form: { more: 'x'.repeat(41) }, auth })
    expect((tooLong.data as Reply).error?.more).toEqual(['Keep each interest under 40 characters.'])
    const offList = await callAction(interestsStep, { url: '/welcome/interests', form: { chosen: 'Not a chip' }, auth })
    expect(offList.status).toBe(400)
    expect((await profileRow(doctor.id)).interests).toEqual([])

    const chips = form([['chosen', 'ECG'], ['chosen', 'Heart failure'], ['more', ' Lipidology , ecg,  ']])
    expect(await callAction(interestsStep, { url: '/welcome/interests', form: chips, auth })).toMatchObject({ status: 302, location: '/welcome/suggestions' })
    expect((await profileRow(doctor.id)).interests).toEqual(['ECG', 'Heart failure', 'Lipidology'])
    expect((await callLoader(interestsStep, { url: '/welcome/interests', auth })).data).toMatchObject({ interests: ['ECG', 'Heart failure', 'Lipidology'] })
  })

  it('suggest from the answers, and join a club and follow a doctor from the last step', async () => {
    const tag = Math.random().toString(36).slice(2, 8)
    const doctor = await createDoctor({ name: 'Dr Welcome Joiner', profile: { speciality: 'Rheumatology', interests: [`Gout ${tag}`] } })
    const colleague = await createDoctor({ name: `Dr Gout ${tag}`, profile: { speciality: 'Geriatrics', interests: [`gout ${tag}`] } })
    const club = await createTestClub(colleague, { name: `Gout ${tag} Club` })
    const auth = await signIn(doctor.id)

    const page = (await callLoader(suggestionsStep, { url: '/welcome/suggestions', auth })).data as Suggestions
    expect(page.doctors).toContainEqual(expect.objectContaining({ handle: colleague.handle, reason: `Matches your interest: Gout ${tag}` }))
    expect(page.clubs).toContainEqual(expect.objectContaining({ slug: club.slug, reason: `Matches your interest: Gout ${tag}` }))

    const joined = await callAction(suggestionsStep, { url: '/welcome/suggestions', form: { intent: 'join', slug: club.slug }, auth })
    expect(joined).toMatchObject({ status: 200, data: { ok: true } })
    const followed = await callAction(suggestionsStep, { url: '/welcome/suggestions', form: { intent: 'follow', handle: colleague.handle }, auth })
    expect(followed).toMatchObject({ status: 200, data: { ok: true } })
    expect(await getFollowState(viewerOf(doctor), colleague.handle)).toBe('following')

    const after = (await callLoader(suggestionsStep, { url: '/welcome/suggestions', auth })).data as Suggestions
    expect(after.clubs.map((c) => c.slug)).not.toContain(club.slug)
    expect(after.doctors.map((d) => d.handle)).not.toContain(colleague.handle)

    expect((await callAction(suggestionsStep, { url: '/welcome/suggestions', form: { intent: 'leave', slug: club.slug }, auth })).status).toBe(400)
    expect((await callAction(suggestionsStep, { url: '/welcome/suggestions', form: { intent: 'follow', handle: 'no-such-doctor' }, auth })).status).toBe(404)
  })
})
