import { beforeAll, describe, expect, it } from 'vitest'
import { PublicError } from '../../db/errors'
import {
  countDoctors,
  getNavIdentity,
  getOwnProfile,
  getProfileForViewer,
  listDoctorCards,
  updateProfile,
  type ProfileUpdate,
} from '../../db/profiles'
import { anonymous, type Viewer } from '../../db/viewer'
import { createDoctor, profileRow, type TestDoctor } from '../support/factories'

// Values unique enough to search for anywhere in a serialised answer.
const SECRET = {
  bio: 'Bio-sentinel: twenty years of cardiac electrophysiology',
  city: 'Cityville-sentinel',
  interests: ['interest-sentinel-ablation', 'interest-sentinel-pacing'],
  registrationNumber: 'REG-SENTINEL-4477120',
}

const CARD_KEYS = ['handle', 'name', 'photoUrl', 'speciality']

let publicDoctor: TestDoctor
let privateDoctor: TestDoctor
let other: TestDoctor
let staff: TestDoctor
const as = (d: TestDoctor, role: 'member' | 'staff' = 'member'): Viewer => ({ userId: d.id, role })

function expectNoSecrets(value: unknown, extra: string[] = []) {
  const text = JSON.stringify(value)
  for (const secret of [SECRET.bio, SECRET.city, ...SECRET.interests, SECRET.registrationNumber, ...extra]) {
    expect(text).not.toContain(secret)
  }
}

beforeAll(async () => {
  publicDoctor = await createDoctor({
    name: 'Dr Maya Chen',
    profile: { ...SECRET, handle: 'maya-chen', speciality: 'Cardiology', visibility: 'public', photoPath: 'maya.webp' },
  })
  privateDoctor = await createDoctor({
    name: 'Dr Omar Haddad',
    profile: { ...SECRET, handle: 'omar-haddad', speciality: 'Neurology', visibility: 'private' },
  })
  other = await createDoctor({ name: 'Dr Other Viewer' })
  staff = await createDoctor({ name: 'Rounds Staff Member' })
})

describe('getProfileForViewer', () => {
  it('shows a public profile in full to another signed-in doctor, without the registration number or email', async () => {
    const view = await getProfileForViewer(as(other), 'maya-chen')
    expect(view?.kind).toBe('full')
    expect(view?.profile).toEqual({
      handle: 'maya-chen',
      name: 'Dr Maya Chen',
      photoUrl: '/uploads/maya.webp',
      speciality: 'Cardiology',
      city: SECRET.city,
      interests: SECRET.interests,
      bio: SECRET.bio,
      visibility: 'public',
    })
    expect(JSON.stringify(view)).not.toContain(SECRET.registrationNumber)
    expect(JSON.stringify(view)).not.toContain(publicDoctor.email)
  })

  it('shows only the basic card of a public profile to a visitor who is not signed in', async () => {
    const view = await getProfileForViewer(anonymous, 'maya-chen')
    expect(view).toMatchObject({ kind: 'card', reason: 'signed-out' })
    expect(Object.keys(view!.profile).sort()).toEqual(CARD_KEYS)
    expectNoSecrets(view, [publicDoctor.email])
  })

  it('shows only the basic card of a private profile to other doctors, staff included', async () => {
    for (const viewer of [as(other), as(staff, 'staff'), anonymous]) {
      const view = await getProfileForViewer(viewer, 'omar-haddad')
      expect(view?.kind).toBe('card')
      expect(view?.profile).toEqual({ handle: 'omar-haddad', name: 'Dr Omar Haddad', photoUrl: null, speciality: 'Neurology' })
      expectNoSecrets(view, [privateDoctor.email])
    }
  })

  it('never shows the registration number to staff, even on a public profile', async () => {
    const view = await getProfileForViewer(as(staff, 'staff'), 'maya-chen')
    expect(view?.kind).toBe('full')
    expect(JSON.stringify(view)).not.toContain(SECRET.registrationNumber)
  })

  it('shows owners everything, private or not, including the registration number', async () => {
    for (const owner of [publicDoctor, privateDoctor]) {
      const view = await getProfileForViewer(as(owner), owner.handle.toUpperCase())
      expect(view?.kind).toBe('own')
      expect(view?.profile).toMatchObject({ ...SECRET, email: owner.email })
    }
  })

  it('finds nobody for an unknown handle', async () => {
    expect(await getProfileForViewer(as(other), 'no-such-doctor')).toBeNull()
  })
})

describe('derived views', () => {
  it('lists doctors as basic cards only, private ones too, and never their secrets', async () => {
    const cards = await listDoctorCards(as(other), 100)
    const handles = cards.map((c) => c.handle)
    expect(handles).toEqual(expect.arrayContaining(['maya-chen', 'omar-haddad']))
    for (const card of cards) expect(Object.keys(card).sort()).toEqual(CARD_KEYS)
    expectNoSecrets(cards, [publicDoctor.email, privateDoctor.email])
  })

  it('leaves unverified accounts out of the list and the count', async () => {
    const before = await countDoctors()
    const unverified = await createDoctor({ verified: false })
    expect(await countDoctors()).toBe(before)
    expect((await listDoctorCards(anonymous, 100)).map((c) => c.handle)).not.toContain(unverified.handle)
  })

  it('gives the header just the handle, name, photo and waiting follow requests', async () => {
    expect(await getNavIdentity(publicDoctor.id)).toEqual({
      handle: 'maya-chen',
      name: 'Dr Maya Chen',
      photoUrl: '/uploads/maya.webp',
      pendingFollowRequests: 0,
    })
  })
})

describe('updateProfile', () => {
  const update = (handle: string): ProfileUpdate => ({
    handle,
    name: 'Dr Updated Name',
    speciality: 'Oncology',
    city: 'Pune',
    interests: ['immunotherapy'],
    bio: 'Updated bio',
    registrationNumber: 'MMC 1234',
    visibility: 'private',
  })

  it('saves every field', async () => {
    const doctor = await createDoctor()
    await updateProfile(doctor.id, update(`updated-${doctor.handle}`.slice(0, 30)))
    const own = await getOwnProfile(doctor.id)
    expect(own).toMatchObject({ ...update(`updated-${doctor.handle}`.slice(0, 30)), email: doctor.email })
  })

  it('refuses a handle another doctor holds, in any letter case, changing nothing', async () => {
    const doctor = await createDoctor()
    const before = await profileRow(doctor.id)
    const error = await updateProfile(doctor.id, update('MAYA-CHEN')).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PublicError)
    expect(error).toMatchObject({ status: 409, field: 'handle', message: 'That handle is taken. Try another.' })
    expect(await profileRow(doctor.id)).toEqual(before)
  })

  it('lets a doctor keep their own handle in another letter case', async () => {
    const doctor = await createDoctor()
    await updateProfile(doctor.id, update(doctor.handle.toUpperCase()))
    expect((await profileRow(doctor.id)).handle).toBe(doctor.handle.toUpperCase())
  })

  it('returns the replaced photo so the caller can delete it, and nothing when the photo is kept', async () => {
    const doctor = await createDoctor({ profile: { photoPath: 'old.webp' } })
    expect(await updateProfile(doctor.id, update(doctor.handle))).toEqual({ replacedPhoto: null })
    expect((await profileRow(doctor.id)).photoPath).toBe('old.webp')
    expect(await updateProfile(doctor.id, update(doctor.handle), { photoPath: 'new.webp' })).toEqual({ replacedPhoto: 'old.webp' })
    expect(await updateProfile(doctor.id, update(doctor.handle), { photoPath: null })).toEqual({ replacedPhoto: 'new.webp' })
    expect((await profileRow(doctor.id)).photoPath).toBeNull()
  })
})
