import { describe, expect, it } from 'vitest'
import * as followersRoute from '../../app/routes/u.$handle.followers'
import * as profileRoute from '../../app/routes/u.$handle'
import * as blockedRoute from '../../app/routes/settings.blocked'
import { rawSql } from '../../db/client'
import { followUser } from '../../db/follows'
import { createDoctor, viewerOf, type TestDoctor } from '../support/factories'
import { callAction, callLoader, signIn } from '../support/routes'

/*
 * Block and Mute from a profile page, and Settings → Blocked and muted, through their loaders
 * and actions as the server calls them.
 */

type Listed = { people: { handle: string; name: string; kind: 'block' | 'mute'; since: string }[] }
type Answer = { ok: boolean; message: string }

const tag = Math.random().toString(36).slice(2, 7)
const doctor = (name: string) => createDoctor({ name: `Dr ${name} ${tag}`, profile: { visibility: 'public' } })

const profile = (handle: string, auth: Awaited<ReturnType<typeof signIn>> | null) =>
  callLoader(profileRoute, { url: `/u/${handle}`, params: { handle }, auth })
const onProfile = (handle: string, intent: string, auth: Awaited<ReturnType<typeof signIn>> | null) =>
  callAction(profileRoute, { url: `/u/${handle}`, params: { handle }, form: { intent }, auth })

async function relationsOf(...people: TestDoctor[]) {
  const ids = people.map((p) => p.id)
  return rawSql()`select user_id, other_id, kind from person_relations where user_id = any(${ids}) or other_id = any(${ids}) order by user_id, other_id`
}

describe('Block and Mute on a profile page', () => {
  it('blocks after the confirmation, sends the doctor to the blocked list, and the profile is then not found both ways', async () => {
    const [asha, ben] = [await doctor('Asha'), await doctor('Ben')]
    await followUser(viewerOf(ben), asha.handle)
    const ashaAuth = await signIn(asha.id)
    const benAuth = await signIn(ben.id)
    expect(await profile(ben.handle, ashaAuth)).toMatchObject({ status: 200, data: { muted: false } })

    const blocked = await onProfile(ben.handle, 'block', ashaAuth)
    expect(blocked).toMatchObject({ status: 302, location: '/settings/blocked?done=blocked' })
    expect(await profile(ben.handle, ashaAuth)).toMatchObject({ status: 404, thrown: true })
    expect(await profile(asha.handle, benAuth)).toMatchObject({ status: 404, thrown: true })
    const followers = await callLoader(followersRoute, { url: `/u/${asha.handle}/followers`, params: { handle: asha.handle }, auth: benAuth })
    expect(followers.status).toBe(404)
    // Everyone else still sees both.
    const carol = await signIn((await doctor('Carol')).id)
    expect(await profile(ben.handle, carol)).toMatchObject({ status: 200 })

    const list = (await callLoader(blockedRoute, { url: '/settings/blocked?done=blocked', auth: ashaAuth })).data as Listed
    expect(list.people).toEqual([expect.objectContaining({ handle: ben.handle, name: ben.name, kind: 'block' })])
    // The blocked person is not told: their own list is empty.
    expect(((await callLoader(blockedRoute, { url: '/settings/blocked', auth: benAuth })).data as Listed).people).toEqual([])
    // A second Block from a page left open says so.
    expect(await onProfile(ben.handle, 'block', ashaAuth)).toMatchObject({ status: 302, location: '/settings/blocked?done=already-blocked' })
    // The blocked person cannot block back: the blocker is not found for them.
    expect(await onProfile(asha.handle, 'block', benAuth)).toMatchObject({ status: 404, data: { ok: false, message: 'No doctor on Rounds has that handle.' } })
  })

  it('mutes and unmutes, and the profile stays as it was', async () => {
    const [asha, ben] = [await doctor('Asha'), await doctor('Ben')]
    const auth = await signIn(asha.id)
    const muted = await onProfile(ben.handle, 'mute', auth)
    expect(muted).toMatchObject({ status: 200, data: { ok: true, message: 'Muted. Their comments and questions in live talks are hidden from you.' } })
    expect(await profile(ben.handle, auth)).toMatchObject({ status: 200, data: { muted: true, view: { kind: 'full' } } })
    expect(await profile(asha.handle, await signIn(ben.id))).toMatchObject({ status: 200, data: { muted: false, view: { kind: 'full' } } })
    expect((await onProfile(ben.handle, 'mute', auth)).data).toEqual({ ok: true, message: 'You had already muted this doctor.' })
    expect((await onProfile(ben.handle, 'unmute', auth)).data).toMatchObject({ ok: true, message: expect.stringMatching(/^Unmuted/) })
    expect(await profile(ben.handle, auth)).toMatchObject({ data: { muted: false } })
  })

  it('refuses a visitor, themselves and a malformed form, changing nothing', async () => {
    const asha = await doctor('Asha')
    const auth = await signIn(asha.id)
    expect(await onProfile(asha.handle, 'block', null)).toMatchObject({ status: 302, location: `/login?redirectTo=${encodeURIComponent(`/u/${asha.handle}`)}` })
    expect(await onProfile(asha.handle, 'block', auth)).toMatchObject({ status: 400, data: { ok: false, message: 'You cannot block yourself.' } })
    expect(await onProfile(asha.handle, 'mute', auth)).toMatchObject({ status: 400, data: { ok: false, message: 'You cannot mute yourself.' } })
    expect(await onProfile(asha.handle, 'block-everyone', auth)).toMatchObject({ status: 400, data: { ok: false } })
    expect(await onProfile(`nobody-${tag}`, 'block', auth)).toMatchObject({ status: 404, data: { ok: false } })
    expect(await relationsOf(asha)).toEqual([])
  })
})

describe('Settings → Blocked and muted (/settings/blocked)', () => {
  it('sends a visitor to sign in', async () => {
    expect(await callLoader(blockedRoute, { url: '/settings/blocked' })).toMatchObject({ status: 302, location: '/login?redirectTo=%2Fsettings%2Fblocked' })
    expect(await callAction(blockedRoute, { url: '/settings/blocked', form: { intent: 'unblock', handle: 'x' } })).toMatchObject({ status: 302 })
  })

  it('lists blocks and mutes, newest first, and undoes each; an unblock does not bring back follows', async () => {
    const [asha, ben, carol] = [await doctor('Asha'), await doctor('Ben'), await doctor('Carol')]
    await followUser(viewerOf(asha), ben.handle)
    const auth = await signIn(asha.id)
    await onProfile(carol.handle, 'mute', auth)
    await onProfile(ben.handle, 'block', auth)
    const list = (await callLoader(blockedRoute, { url: '/settings/blocked', auth })).data as Listed
    expect(list.people.map((p) => [p.handle, p.kind])).toEqual([
      [ben.handle, 'block'],
      [carol.handle, 'mute'],
    ])
    expect(Number.isNaN(Date.parse(list.people[0].since))).toBe(false)

    const unblocked = await callAction(blockedRoute, { url: '/settings/blocked', form: { intent: 'unblock', handle: ben.handle }, auth })
    expect(unblocked).toMatchObject({ status: 200, data: { ok: true, message: 'Unblocked. You can see each other again; follows that ended stay ended.' } })
    expect(await profile(ben.handle, auth)).toMatchObject({ status: 200, data: { followState: 'none' } })
    const unmuted = await callAction(blockedRoute, { url: '/settings/blocked', form: { intent: 'unmute', handle: carol.handle }, auth })
    expect(unmuted).toMatchObject({ status: 200, data: { ok: true } })
    expect(((await callLoader(blockedRoute, { url: '/settings/blocked', auth })).data as Listed).people).toEqual([])
    // Undoing what is not there says so and changes nothing.
    expect((await callAction(blockedRoute, { url: '/settings/blocked', form: { intent: 'unblock', handle: ben.handle }, auth })).data).toEqual({
      ok: true,
      message: 'You had not blocked this doctor.',
    })
  })

  it('answers bad input with a 4xx and changes nothing', async () => {
    const [asha, ben] = [await doctor('Asha'), await doctor('Ben')]
    const auth = await signIn(asha.id)
    await onProfile(ben.handle, 'block', auth)
    const before = await relationsOf(asha, ben)
    const cases: [Record<string, string>, number][] = [
      [{ intent: 'unblock' }, 400],
      [{ intent: 'unblock', handle: '' }, 400],
      [{ intent: 'unblock', handle: 'x'.repeat(500) }, 400],
      [{ intent: 'block', handle: ben.handle }, 400],
      [{ intent: 'unblock', handle: `nobody-${tag}` }, 404],
      [{ intent: 'unblock', handle: asha.handle }, 400],
    ]
    for (const [form, status] of cases) {
      const res = await callAction(blockedRoute, { url: '/settings/blocked', form, auth })
      expect(res.status, JSON.stringify(form)).toBe(status)
      expect((res.data as Answer).ok).toBe(false)
    }
    // The blocked person cannot lift the block from their side.
    const benRes = await callAction(blockedRoute, { url: '/settings/blocked', form: { intent: 'unblock', handle: asha.handle }, auth: await signIn(ben.id) })
    expect(benRes).toMatchObject({ status: 404, data: { ok: false } })
    expect(await relationsOf(asha, ben)).toEqual(before)
  })
})
