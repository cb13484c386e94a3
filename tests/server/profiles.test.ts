import { existsSync } from 'node:fs'
import { readdir, rm } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { config } from '../../server/config'
import { uploadsDir } from '../../server/uploads'
import * as profileRoute from '../../app/routes/u.$handle'
import * as settingsRoute from '../../app/routes/settings.profile'
import { createDoctor, profileRow, type TestDoctor } from '../support/factories'
import { callAction, callLoader, fieldErrors, signIn, type SignedIn } from '../support/routes'

const MB = 1024 * 1024

const SECRET = {
  bio: 'Bio-sentinel: runs the Tuesday heart failure clinic',
  city: 'Cityville-sentinel',
  interests: ['interest-sentinel-echo', 'interest-sentinel-devices'],
  registrationNumber: 'REG-SENTINEL-9988776',
}
const ALL_SECRETS = [SECRET.bio, SECRET.city, ...SECRET.interests, SECRET.registrationNumber]

async function uploadedFiles() {
  if (!existsSync(uploadsDir())) return []
  return (await readdir(uploadsDir())).sort()
}

let filesAtStart: string[] = []
beforeAll(async () => {
  filesAtStart = await uploadedFiles()
})
afterAll(async () => {
  // Each test file gets its own DATA_DIR (tests/support/setup-db.ts); remove it,
  // or only the files written here when DATA_DIR was set from outside.
  const dataDir = path.resolve(config().DATA_DIR)
  if (path.basename(dataDir).startsWith('test-rounds_test_')) {
    await rm(dataDir, { recursive: true, force: true })
  } else {
    for (const name of await uploadedFiles()) {
      if (!filesAtStart.includes(name)) await rm(path.join(uploadsDir(), name), { force: true })
    }
  }
})

describe('profile page loader (/u/:handle)', () => {
  let publicDoctor: TestDoctor
  let privateDoctor: TestDoctor
  let viewer: SignedIn

  beforeAll(async () => {
    publicDoctor = await createDoctor({
      name: 'Dr Maya Chen',
      profile: { ...SECRET, handle: 'maya-chen', speciality: 'Cardiology', visibility: 'public' },
    })
    privateDoctor = await createDoctor({
      name: 'Dr Omar Haddad',
      profile: { ...SECRET, handle: 'omar-haddad', speciality: 'Neurology', visibility: 'private', photoPath: 'omar.webp' },
    })
    viewer = await signIn((await createDoctor()).id)
  })

  const load = (handle: string, auth: SignedIn | null) => callLoader(profileRoute, { url: `/u/${handle}`, params: { handle }, auth })

  it('shows a public profile in full to another signed-in doctor, but not the registration number or email', async () => {
    const result = await load('maya-chen', viewer)
    expect(result.status).toBe(200)
    const text = JSON.stringify(result.data)
    expect(result.data).toMatchObject({ view: { kind: 'full', profile: { bio: SECRET.bio, city: SECRET.city, interests: SECRET.interests } } })
    expect(text).not.toContain(SECRET.registrationNumber)
    expect(text).not.toContain('registrationNumber')
    expect(text).not.toContain(publicDoctor.email)
  })

  it('shows only the basic card of a public profile to a visitor', async () => {
    const result = await load('maya-chen', null)
    const data = result.data as { view: unknown; counts: unknown }
    expect(data.view).toEqual({
      kind: 'card',
      reason: 'signed-out',
      profile: { handle: 'maya-chen', name: 'Dr Maya Chen', photoUrl: null, speciality: 'Cardiology' },
    })
    expect(data.counts).toBeNull()
    const text = JSON.stringify(result.data)
    for (const secret of ALL_SECRETS) expect(text).not.toContain(secret)
  })

  it('shows only name, photo, speciality and handle of a private profile to others', async () => {
    for (const auth of [viewer, null]) {
      const result = await load('omar-haddad', auth)
      expect(result.status).toBe(200)
      expect((result.data as { view: { profile: unknown } }).view.profile).toEqual({
        handle: 'omar-haddad',
        name: 'Dr Omar Haddad',
        photoUrl: '/uploads/omar.webp',
        speciality: 'Neurology',
      })
      const text = JSON.stringify(result.data)
      for (const secret of [...ALL_SECRETS, privateDoctor.email]) expect(text).not.toContain(secret)
    }
  })

  it('shows owners their registration number', async () => {
    for (const owner of [publicDoctor, privateDoctor]) {
      const result = await load(owner.handle, await signIn(owner.id))
      expect(result.data).toMatchObject({ view: { kind: 'own', profile: { registrationNumber: SECRET.registrationNumber, email: owner.email } } })
    }
  })

  it('answers 404 for an unknown or absurdly long handle', async () => {
    for (const handle of ['nobody-has-this', 'x'.repeat(10_000)]) {
      const result = await load(handle, viewer)
      expect(result).toMatchObject({ status: 404, thrown: true })
      expect(result.data).toBe('No doctor on Rounds has that handle.')
    }
  })
})

function pngPhoto(width = 800, height = 600) {
  return sharp({ create: { width, height, channels: 3, background: '#0f766e' } }).png().toBuffer()
}

function photoFile(bytes: Uint8Array, name = 'me.png', type = 'image/png') {
  return new File([new Uint8Array(bytes)], name, { type })
}

describe('profile settings', () => {
  let doctor: TestDoctor
  let auth: SignedIn

  beforeAll(async () => {
    doctor = await createDoctor({ name: 'Dr Sara Lind', profile: { handle: 'sara-lind', speciality: 'Oncology', city: 'Malmö' } })
    auth = await signIn(doctor.id)
    await createDoctor({ name: 'Dr Taken Handle', profile: { handle: 'taken-handle' } })
  })

  function form(overrides: Record<string, string | Blob> = {}): Record<string, string | Blob> {
    return {
      name: 'Dr Sara Lind',
      handle: 'sara-lind',
      speciality: 'Oncology',
      city: 'Malmö',
      interests: 'lymphoma, CAR-T',
      bio: 'Haematology-oncology registrar.',
      registrationNumber: '',
      visibility: 'public',
      ...overrides,
    }
  }

  const save = (values: Record<string, string | Blob> | FormData) =>
    callAction(settingsRoute, { url: '/settings/profile', form: values, auth })

  it('sends a visitor to sign in and back', async () => {
    const loaded = await callLoader(settingsRoute, { url: '/settings/profile' })
    expect(loaded).toMatchObject({ status: 302, thrown: true, location: '/login?redirectTo=%2Fsettings%2Fprofile' })
    const before = await profileRow(doctor.id)
    const acted = await callAction(settingsRoute, { url: '/settings/profile', form: form({ bio: 'hijacked' }) })
    expect(acted).toMatchObject({ status: 302, thrown: true })
    expect(await profileRow(doctor.id)).toEqual(before)
  })

  it('shows the owner their own profile, registration number included', async () => {
    const other = await createDoctor({ profile: { registrationNumber: 'REG-OWN-551' } })
    const result = await callLoader(settingsRoute, { url: '/settings/profile', auth: await signIn(other.id) })
    expect(result.data).toMatchObject({ profile: { registrationNumber: 'REG-OWN-551', email: other.email } })
  })

  it('saves a valid update, tidying the text', async () => {
    const result = await save(
      form({
        name: '  Dr Sara Lind  ',
        handle: ' Sara-Lind-MD ',
        city: 'Lund',
        interests: 'lymphoma,  CAR-T , lymphoma, ',
        bio: 'Line one.\nLine two.',
        registrationNumber: 'SE-12345',
        visibility: 'private',
      }),
    )
    expect(result).toMatchObject({ status: 302 })
    expect(result.location).toMatch(/^\/settings\/profile\?saved=[a-z0-9]+$/)
    expect(await profileRow(doctor.id)).toMatchObject({
      name: 'Dr Sara Lind',
      handle: 'sara-lind-md',
      speciality: 'Oncology',
      city: 'Lund',
      interests: ['lymphoma', 'CAR-T'],
      bio: 'Line one.\nLine two.',
      registrationNumber: 'SE-12345',
      visibility: 'private',
    })
    // Empty optional fields clear the value.
    await save(form({ handle: 'sara-lind', city: '', bio: '', speciality: '', interests: '' }))
    expect(await profileRow(doctor.id)).toMatchObject({ handle: 'sara-lind', city: null, bio: null, speciality: null, interests: [] })
  })

  it.each([
    ['a 1 MB bio', { bio: 'b'.repeat(MB) }, 400, 'bio', 'Your bio can be at most 1000 characters.'],
    ['a handle with spaces', { handle: 'sara lind' }, 400, 'handle', 'Use letters, digits and single hyphens, such as asha-rao.'],
    ['a handle taken by another doctor', { handle: 'Taken-Handle' }, 409, 'handle', 'That handle is taken. Try another.'],
    ['an unknown speciality', { speciality: 'Astrology' }, 400, 'speciality', 'Choose a speciality from the list.'],
    ['visibility "secret"', { visibility: 'secret' }, 400, 'visibility', 'Choose who can see your profile.'],
    ['a bidi override in the city', { city: 'Lund\u202E' }, 400, 'city', 'Your city contains characters we cannot show.'],
    ['eleven interests', { interests: 'a,b,c,d,e,f,g,h,i,j,k' }, 400, 'interests', 'List at most 10 interests.'],
    ['no name', { name: '' }, 400, 'name', 'Enter your name.'],
  ] as const)('refuses %s and leaves the profile as it was', async (_label, overrides, status, field, message) => {
    const before = await profileRow(doctor.id)
    const result = await save(form({ ...overrides, bio: 'bio' in overrides ? overrides.bio : 'Changed bio that must not be saved' }))
    expect(result.status).toBe(status)
    expect(fieldErrors(result.data, field)).toEqual([message])
    expect(await profileRow(doctor.id)).toEqual(before)
  })

  it('stores an uploaded photo as a 512×512 WebP and replaces the old one', async () => {
    const result = await save(form({ photo: photoFile(await pngPhoto()) }))
    expect(result).toMatchObject({ status: 302 })
    expect(result.location).toMatch(/^\/settings\/profile\?saved=[a-z0-9]+$/)
    const stored = (await profileRow(doctor.id)).photoPath!
    expect(stored).toMatch(/^[0-9a-f-]{36}\.webp$/)
    const meta = await sharp(path.join(uploadsDir(), stored)).metadata()
    expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({ format: 'webp', width: 512, height: 512 })

    const jpeg = await sharp({ create: { width: 300, height: 900, channels: 3, background: '#334155' } }).jpeg().toBuffer()
    expect((await save(form({ photo: photoFile(jpeg, 'portrait.jpg', 'image/jpeg') }))).status).toBe(302)
    const replaced = (await profileRow(doctor.id)).photoPath!
    expect(replaced).not.toBe(stored)
    expect(existsSync(path.join(uploadsDir(), stored))).toBe(false)
    expect((await sharp(path.join(uploadsDir(), replaced)).metadata()).width).toBe(512)

    // Removing the photo clears it and deletes the file.
    expect((await save(form({ removePhoto: 'on' }))).status).toBe(302)
    expect((await profileRow(doctor.id)).photoPath).toBeNull()
    expect(existsSync(path.join(uploadsDir(), replaced))).toBe(false)
  })

  it('strips the location and camera details a photo carries', async () => {
    const withExif = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#b45309' } })
      .jpeg()
      .withExif({ IFD0: { Copyright: 'exif-sentinel-owner', ImageDescription: 'exif-sentinel-ward-3' } })
      .toBuffer()
    expect((await sharp(withExif).metadata()).exif).toBeDefined()
    expect((await save(form({ photo: photoFile(withExif, 'camera.jpg', 'image/jpeg') }))).status).toBe(302)
    const stored = path.join(uploadsDir(), (await profileRow(doctor.id)).photoPath!)
    const meta = await sharp(stored).metadata()
    expect(meta.exif).toBeUndefined()
    expect(meta.xmp).toBeUndefined()
  })

  it.each([
    ['a text file named .png', () => new TextEncoder().encode('this is not an image, just words'), 'notes.png', 'image/png'],
    [
      'an SVG (it can carry scripts)',
      () => new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>'),
      'me.svg',
      'image/svg+xml',
    ],
  ])('refuses %s as not a photo, writing nothing', async (_label, bytes, name, type) => {
    const before = await profileRow(doctor.id)
    const filesBefore = await uploadedFiles()
    const result = await save(form({ photo: photoFile(bytes(), name, type), bio: 'must not be saved' }))
    expect(result.status).toBe(400)
    expect(fieldErrors(result.data, 'photo')[0]).toContain('not a photo')
    expect(await uploadedFiles()).toEqual(filesBefore)
    expect(await profileRow(doctor.id)).toEqual(before)
  })

  it('answers 413 for an upload over 5 MB and changes nothing', async () => {
    const before = await profileRow(doctor.id)
    const filesBefore = await uploadedFiles()
    const tooBig = new Uint8Array(5 * MB + 1).fill(7)
    const result = await save(form({ photo: photoFile(tooBig, 'huge.png'), bio: 'must not be saved' }))
    expect(result.status).toBe(413)
    expect(fieldErrors(result.data, 'photo')).toEqual(['The photo must be 5 MB or smaller.'])
    expect(await uploadedFiles()).toEqual(filesBefore)
    expect(await profileRow(doctor.id)).toEqual(before)
  })

  it('deletes the new photo when the same submission asks for a taken handle', async () => {
    const before = await profileRow(doctor.id)
    const filesBefore = await uploadedFiles()
    const result = await save(form({ photo: photoFile(await pngPhoto(1024, 768)), handle: 'taken-handle', bio: 'must not be saved' }))
    expect(result.status).toBe(409)
    expect(fieldErrors(result.data, 'handle')).toEqual(['That handle is taken. Try another.'])
    expect(await uploadedFiles()).toEqual(filesBefore)
    expect(await profileRow(doctor.id)).toEqual(before)
  })
})
