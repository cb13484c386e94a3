import { beforeAll, describe, expect, it } from 'vitest'
import {
  countFollowRequests,
  followCounts,
  followUser,
  getFollowState,
  listFollowers,
  listFollowing,
  listFollowRequests,
  removeFollower,
  respondToFollowRequest,
  unfollowUser,
} from '../../db/follows'
import { getProfileForViewer } from '../../db/profiles'
import { anonymous, type Viewer } from '../../db/viewer'
import { countTableRows, createDoctor, viewerOf, type TestDoctor } from '../support/factories'

// A bio unique enough to search for in a serialised answer: it shows only in a full profile.
const BIO = 'Bio-sentinel: follows test, twenty years on the renal ward'

const privateDoctor = (name: string) => createDoctor({ name, profile: { visibility: 'private', bio: BIO } })
const publicDoctor = (name: string) => createDoctor({ name, profile: { visibility: 'public', bio: BIO } })
const as = viewerOf

describe('following a doctor', () => {
  it('follows a public profile at once', async () => {
    const target = await publicDoctor('Dr Public Target')
    const follower = await createDoctor()
    expect(await followUser(as(follower), target.handle)).toBe('following')
    expect(await getFollowState(as(follower), target.handle)).toBe('following')
    expect(await followCounts(target.handle)).toEqual({ followers: 1, following: 0 })
    expect(await listFollowRequests(as(target))).toEqual([])
  })

  it('asks a private profile, and the owner sees the request', async () => {
    const owner = await privateDoctor('Dr Private Owner')
    const asker = await createDoctor({ name: 'Dr Asking Colleague' })
    expect(await followUser(as(asker), owner.handle)).toBe('pending')
    expect(await getFollowState(as(asker), owner.handle)).toBe('pending')
    const requests = await listFollowRequests(as(owner))
    expect(requests).toHaveLength(1)
    expect(requests[0]).toMatchObject({ handle: asker.handle, name: 'Dr Asking Colleague' })
    expect(await countFollowRequests(as(owner))).toBe(1)
    // A request is not a follow: the asker still sees the basic card only, and counts ignore it.
    expect(await getProfileForViewer(as(asker), owner.handle)).toMatchObject({ kind: 'card', reason: 'private' })
    expect(await followCounts(owner.handle)).toEqual({ followers: 0, following: 0 })
  })

  it('shows the full private profile once the owner approves', async () => {
    const owner = await privateDoctor('Dr Approving Owner')
    const asker = await createDoctor()
    await followUser(as(asker), owner.handle)
    await respondToFollowRequest(as(owner), asker.handle, true)
    expect(await getFollowState(as(asker), owner.handle)).toBe('following')
    const view = await getProfileForViewer(as(asker), owner.handle)
    expect(view?.kind).toBe('full')
    expect(view?.profile).toMatchObject({ bio: BIO, visibility: 'private' })
    expect(await listFollowRequests(as(owner))).toEqual([])
    expect(await followCounts(owner.handle)).toEqual({ followers: 1, following: 0 })
  })

  it('declining a request leaves the asker with the basic card', async () => {
    const owner = await privateDoctor('Dr Declining Owner')
    const asker = await createDoctor()
    await followUser(as(asker), owner.handle)
    await respondToFollowRequest(as(owner), asker.handle, false)
    expect(await getFollowState(as(asker), owner.handle)).toBe('none')
    const view = await getProfileForViewer(as(asker), owner.handle)
    expect(view?.kind).toBe('card')
    expect(JSON.stringify(view)).not.toContain(BIO)
    expect(await listFollowRequests(as(owner))).toEqual([])
    await expect(respondToFollowRequest(as(owner), asker.handle, true)).rejects.toMatchObject({ name: 'PublicError', status: 404 })
  })

  it('withdrawing a request, or unfollowing after approval, goes back to the basic card', async () => {
    const owner = await privateDoctor('Dr Withdrawn From')
    const asker = await createDoctor()
    await followUser(as(asker), owner.handle)
    await unfollowUser(as(asker), owner.handle)
    expect(await getFollowState(as(asker), owner.handle)).toBe('none')
    expect(await listFollowRequests(as(owner))).toEqual([])

    await followUser(as(asker), owner.handle)
    await respondToFollowRequest(as(owner), asker.handle, true)
    expect((await getProfileForViewer(as(asker), owner.handle))?.kind).toBe('full')
    await unfollowUser(as(asker), owner.handle)
    expect(await getFollowState(as(asker), owner.handle)).toBe('none')
    expect((await getProfileForViewer(as(asker), owner.handle))?.kind).toBe('card')
  })

  it('refuses to follow yourself, an unknown handle, or while signed out', async () => {
    const me = await createDoctor()
    await expect(followUser(as(me), me.handle)).rejects.toMatchObject({ name: 'PublicError', status: 400 })
    await expect(followUser(as(me), 'nobody-has-this-handle')).rejects.toMatchObject({ name: 'PublicError', status: 404 })
    await expect(followUser(anonymous, me.handle)).rejects.toMatchObject({ name: 'PublicError', status: 401 })
    expect(await getFollowState(as(me), me.handle)).toBe('self')
  })

  it('following twice keeps one row, for a public profile and for a pending request', async () => {
    const publicTarget = await publicDoctor('Dr Followed Twice')
    const privateTarget = await privateDoctor('Dr Asked Twice')
    const follower = await createDoctor()
    const before = await countTableRows('follows')
    expect(await followUser(as(follower), publicTarget.handle)).toBe('following')
    expect(await followUser(as(follower), publicTarget.handle.toUpperCase())).toBe('following')
    expect(await followUser(as(follower), privateTarget.handle)).toBe('pending')
    expect(await followUser(as(follower), privateTarget.handle)).toBe('pending')
    expect(await countTableRows('follows')).toBe(before + 2)
    expect(await listFollowRequests(as(privateTarget))).toHaveLength(1)
  })
})

describe("a private profile's lists", () => {
  let owner: TestDoctor
  let approved: TestDoctor
  let pending: TestDoctor
  let stranger: TestDoctor
  let followed: TestDoctor

  beforeAll(async () => {
    owner = await privateDoctor('Dr Private Lists')
    approved = await createDoctor({ name: 'Dr Approved Follower' })
    pending = await createDoctor({ name: 'Dr Pending Follower' })
    stranger = await createDoctor({ name: 'Dr Stranger' })
    followed = await publicDoctor('Dr Followed By Private')
    await followUser(as(approved), owner.handle)
    await respondToFollowRequest(as(owner), approved.handle, true)
    await followUser(as(pending), owner.handle)
    await followUser(as(owner), followed.handle)
  })

  it.each([
    ['a stranger', () => as(stranger)],
    ['someone whose request is pending', () => as(pending)],
    ['a visitor who is not signed in', () => anonymous],
  ])('are hidden from %s', async (_label, viewer: () => Viewer) => {
    expect(await listFollowers(viewer(), owner.handle)).toBeNull()
    expect(await listFollowing(viewer(), owner.handle)).toBeNull()
  })

  it.each([
    ['an approved follower', () => as(approved)],
    ['the owner', () => as(owner)],
  ])('show to %s', async (_label, viewer: () => Viewer) => {
    const followers = await listFollowers(viewer(), owner.handle)
    expect(followers?.people.map((p) => p.handle)).toEqual([approved.handle])
    expect(followers).toMatchObject({ hiddenCount: 0, total: 1 })
    const following = await listFollowing(viewer(), owner.handle)
    expect(following?.people.map((p) => p.handle)).toEqual([followed.handle])
  })

  it('answer 404 for an unknown handle', async () => {
    await expect(listFollowers(as(stranger), 'no-such-doctor-here')).rejects.toMatchObject({ name: 'PublicError', status: 404 })
  })
})

describe("people with private profiles inside a public profile's lists", () => {
  let hub: TestDoctor
  let visible: TestDoctor
  let hidden: TestDoctor
  let hiddensFollower: TestDoctor
  let stranger: TestDoctor

  beforeAll(async () => {
    hub = await publicDoctor('Dr Public Hub')
    visible = await publicDoctor('Dr Visible Colleague')
    hidden = await createDoctor({ name: 'Dr Zephyrine Hiddenname', profile: { visibility: 'private', handle: 'zephyrine-hidden' } })
    hiddensFollower = await createDoctor({ name: 'Dr Approved By Hidden' })
    stranger = await createDoctor({ name: 'Dr Unconnected' })
    // Both follow the hub; the hub follows both (its request to the private one approved).
    await followUser(as(visible), hub.handle)
    await followUser(as(hidden), hub.handle)
    await followUser(as(hub), visible.handle)
    await followUser(as(hub), hidden.handle)
    await respondToFollowRequest(as(hidden), hub.handle, true)
    await followUser(as(hiddensFollower), hidden.handle)
    await respondToFollowRequest(as(hidden), hiddensFollower.handle, true)
  })

  it('are counted but never named to a stranger', async () => {
    for (const list of [await listFollowers(as(stranger), hub.handle), await listFollowing(as(stranger), hub.handle)]) {
      expect(list?.people.map((p) => p.handle)).toEqual([visible.handle])
      expect(list).toMatchObject({ hiddenCount: 1, total: 2 })
      const json = JSON.stringify(list)
      expect(json).not.toContain('Zephyrine')
      expect(json).not.toContain('Hiddenname')
      expect(json).not.toContain('zephyrine-hidden')
      expect(json).not.toContain(hidden.id)
    }
  })

  it('are not listed to a visitor who is not signed in, who sees no lists at all (public means anyone signed in)', async () => {
    expect(await listFollowers(anonymous, hub.handle)).toBeNull()
    expect(await listFollowing(anonymous, hub.handle)).toBeNull()
  })

  it.each([
    ['their approved followers', () => as(hiddensFollower)],
    ['themselves', () => as(hidden)],
  ])('are shown to %s', async (_label, viewer: () => Viewer) => {
    for (const list of [await listFollowers(viewer(), hub.handle), await listFollowing(viewer(), hub.handle)]) {
      expect(list?.people.map((p) => p.handle).sort()).toEqual([hidden.handle, visible.handle].sort())
      expect(list).toMatchObject({ hiddenCount: 0, total: 2 })
    }
  })
})

describe('removeFollower', () => {
  it('removes one of your own followers, who then sees the basic card', async () => {
    const owner = await privateDoctor('Dr Removing Owner')
    const follower = await createDoctor()
    await followUser(as(follower), owner.handle)
    await respondToFollowRequest(as(owner), follower.handle, true)
    await removeFollower(as(owner), follower.handle)
    expect(await getFollowState(as(follower), owner.handle)).toBe('none')
    expect((await getProfileForViewer(as(follower), owner.handle))?.kind).toBe('card')
    expect(await listFollowers(as(owner), owner.handle)).toMatchObject({ people: [], total: 0 })
  })

  it("cannot remove someone else's follower", async () => {
    const owner = await publicDoctor('Dr Keeps Follower')
    const follower = await createDoctor()
    const meddler = await createDoctor()
    await followUser(as(follower), owner.handle)
    const before = await countTableRows('follows')
    await removeFollower(as(meddler), follower.handle)
    expect(await countTableRows('follows')).toBe(before)
    expect(await getFollowState(as(follower), owner.handle)).toBe('following')
  })

  it('answers 404 for an unknown handle and 401 when signed out', async () => {
    const owner = await createDoctor()
    await expect(removeFollower(as(owner), 'no-such-doctor-here')).rejects.toMatchObject({ name: 'PublicError', status: 404 })
    await expect(removeFollower(anonymous, owner.handle)).rejects.toMatchObject({ name: 'PublicError', status: 401 })
  })
})
