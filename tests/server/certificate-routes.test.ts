import { randomUUID } from 'node:crypto'
import jsQR from 'jsqr'
import { PDFParse } from 'pdf-parse'
import { PNG } from 'pngjs'
import { describe, expect, it } from 'vitest'
import { setCertificateSettings } from '../../db/certificates'
import { rawSql } from '../../db/client'
import * as verifyRoute from '../../app/routes/certificates.$id'
import * as csvRoute from '../../app/routes/learning[.csv]'
import * as pdfRoute from '../../app/routes/learning.$talkId.certificate[.pdf]'
import * as adminRoute from '../../app/routes/t.$id_.certificates'
import { addClubMember, createDoctor, createTalk, createTestClub, viewerOf } from '../support/factories'
import { buildRequest, callAction, callLoader, loadContext, signIn, type SignedIn } from '../support/routes'

/*
 * Certificates through their routes: the PDF read back as text and its QR code decoded, the
 * public check page's data, the CSV of My learning, and refusals that change nothing.
 */

const MIN = 60_000
const T0 = new Date('2026-10-05T09:30:00Z')
const at = (minutes: number) => new Date(T0.getTime() + minutes * MIN)
const PUBLIC_URL = 'http://localhost:3000'

async function attendedTalk(name: string) {
  const owner = await createDoctor()
  const club = await createTestClub(owner, { name: `Neurology Journal Club ${randomUUID().slice(0, 6)}` })
  const talk = await createTalk({ clubId: club.id, hostId: owner.id, startsAt: T0, status: 'ended', title: 'Stroke thrombolysis: the first hour' })
  await rawSql()`update talks set opened_at = ${T0.toISOString()}, ended_at = ${at(90).toISOString()}, duration_minutes = 90 where id = ${talk.id}`
  await setCertificateSettings(viewerOf(owner), talk.id, { enabled: true, minSharePercent: 75, credits: 1.5, creditProvider: 'Karnataka Medical Council' })
  const doctor = await createDoctor({ name })
  for (const [from, to] of [[0, 50], [45, 80]]) {
    await rawSql()`insert into talk_attendance (id, talk_id, user_id, socket_id, joined_at, left_at)
      values (${randomUUID()}, ${talk.id}, ${doctor.id}, ${randomUUID()}, ${at(from).toISOString()}, ${at(to).toISOString()})`
  }
  return { owner, club, talk, doctor, session: await signIn(doctor.id) }
}

/** Calls the PDF route the way Express would, keeping the body as bytes. */
async function downloadPdf(talkId: string, auth: SignedIn | null) {
  const request = buildRequest('GET', { url: `/learning/${talkId}/certificate.pdf` })
  try {
    return (await pdfRoute.loader({ request, params: { talkId }, context: loadContext(auth, '10.9.9.9') })) as Response
  } catch (error) {
    if (error instanceof Response) return error
    throw error
  }
}

async function readPdf(bytes: Uint8Array) {
  const parser = new PDFParse({ data: bytes })
  try {
    const { text } = await parser.getText()
    const images = await parser.getImage()
    const codes = images.pages.flatMap((page) =>
      page.images.map((image) => {
        const png = PNG.sync.read(Buffer.from(image.data))
        return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null
      }),
    )
    return { text, codes }
  } finally {
    await parser.destroy()
  }
}

const certificateCount = async () => (await rawSql()<{ n: number }[]>`select count(*)::int as n from attendance_certificates`)[0].n

describe('the certificate PDF', () => {
  it('prints the name, talk, club, date, minutes, credits and number, with a QR code of the check page', async () => {
    const { talk, club, doctor, session } = await attendedTalk('Dr Arjun Nair')
    const response = await downloadPdf(talk.id, session)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/pdf')
    const bytes = new Uint8Array(await response.arrayBuffer())
    const { text, codes } = await readPdf(bytes)
    const [row] = await rawSql()<{ id: string }[]>`select id from attendance_certificates where user_id = ${doctor.id}`
    const number = row.id.match(/.{4}/g)!.join('-')
    for (const expected of ['Certificate of attendance', 'Dr Arjun Nair', 'Stroke thrombolysis: the first hour', club.name, '5 October 2026', 'Time attended: 75 minutes', 'Credits: 1.50, designated by Karnataka Medical Council', `Certificate number: ${number}`]) {
      expect(text).toContain(expected)
    }
    expect(codes).toEqual([`${PUBLIC_URL}/certificates/${row.id}`])
    // Downloading again prints the same certificate.
    const again = await readPdf(new Uint8Array(await (await downloadPdf(talk.id, session)).arrayBuffer()))
    expect(again.codes).toEqual(codes)
    expect((await rawSql()`select id from attendance_certificates where user_id = ${doctor.id}`).length).toBe(1)
  })

  it('sets a Devanagari name in an embedded Devanagari font', async () => {
    const name = 'डॉ. प्रिया शर्मा'
    const { talk, session } = await attendedTalk(name)
    const bytes = new Uint8Array(await (await downloadPdf(talk.id, session)).arrayBuffer())
    expect(Buffer.from(bytes).toString('latin1')).toMatch(/FontName \/[A-Z]{6}\+NotoSansDevanagari/)
    const { text } = await readPdf(bytes)
    // Text extraction gives the glyphs in visual order (a vowel sign before its consonant), so compare the characters.
    const line = text.split('\n').find((l) => /[\u0900-\u097f]/.test(l))!
    const sorted = (s: string) => [...s.replace(/\s/g, '')].sort().join('')
    expect(sorted(line)).toBe(sorted(name))
  })

  it('gives someone else, a visitor and a forged talk id a clear refusal, and issues nothing', async () => {
    const { talk } = await attendedTalk('Dr Owner Of It')
    const other = await createDoctor()
    const before = await certificateCount()
    const theirs = await downloadPdf(talk.id, await signIn(other.id))
    expect(theirs.status).toBe(403)
    expect(await theirs.text()).toBe('You did not attend this talk, so there is no certificate for it.')
    expect((await downloadPdf('0000', await signIn(other.id))).status).toBe(404)
    const visitor = await downloadPdf(talk.id, null)
    expect(visitor.status).toBe(302)
    expect(await certificateCount()).toBe(before)
  })
})

describe('the check page and My learning', () => {
  it('shows a visitor the facts and nothing else about the doctor; a forged number is a 404 that says so', async () => {
    const { talk, doctor, session } = await attendedTalk('Dr Private Person')
    await rawSql()`update profiles set visibility = 'private', city = 'Mysuru', bio = 'Secret bio' where user_id = ${doctor.id}`
    await downloadPdf(talk.id, session)
    const [{ id }] = await rawSql()<{ id: string }[]>`select id from attendance_certificates where user_id = ${doctor.id}`
    const page = await callLoader(verifyRoute, { url: `/certificates/${id}`, params: { id } })
    expect(page.status).toBe(200)
    expect(page.data).toMatchObject({ state: 'valid', holderName: 'Dr Private Person', minutes: 75, credits: { credits: '1.50', provider: 'Karnataka Medical Council' } })
    const shown = JSON.stringify(page.data)
    const [profile] = await rawSql()<{ handle: string }[]>`select handle from profiles where user_id = ${doctor.id}`
    for (const hidden of [doctor.id, doctor.email, profile.handle, 'Mysuru', 'Secret bio']) expect(shown).not.toContain(hidden)

    const forged = await callLoader(verifyRoute, { url: '/certificates/ZZZZZZZZZZZZZZZZZZZZ', params: { id: 'ZZZZZZZZZZZZZZZZZZZZ' } })
    expect(forged).toMatchObject({ status: 404, thrown: true, data: 'No certificate has this number. Check it against the number printed on the certificate.' })
    expect((await callLoader(verifyRoute, { url: '/certificates/%3Cscript%3E', params: { id: '<script>' } })).status).toBe(404)
  })

  it('exports My learning as CSV with the minutes, the certificate and its number', async () => {
    const { talk, club, doctor, session } = await attendedTalk('Dr Csv Reader')
    await downloadPdf(talk.id, session)
    const [{ id }] = await rawSql()<{ id: string }[]>`select id from attendance_certificates where user_id = ${doctor.id}`
    const csv = await callLoader(csvRoute, { url: '/learning.csv', auth: session })
    expect(csv.status).toBe(200)
    expect(csv.headers.get('content-type')).toContain('text/csv')
    const lines = String(csv.data).trim().split('\r\n')
    expect(lines[0]).toBe('date,year,talk,club,minutes,certificate,certificate_number,credits,credit_provider')
    expect(lines[1]).toBe(`2026-10-05,2026,Stroke thrombolysis: the first hour,${club.name},75,issued,${id.match(/.{4}/g)!.join('-')},1.50,Karnataka Medical Council`)
  })
})

describe('the club admin’s certificate page', () => {
  it('refuses a non-admin’s revoke and bad settings with nothing changed; an admin revokes with a reason', async () => {
    const { talk, club, owner, doctor, session } = await attendedTalk('Dr To Revoke')
    await downloadPdf(talk.id, session)
    const [{ id }] = await rawSql()<{ id: string }[]>`select id from attendance_certificates where user_id = ${doctor.id}`
    const member = await createDoctor()
    await addClubMember(club, member)
    const memberSession = await signIn(member.id)
    const ownerSession = await signIn(owner.id)
    const params = { id: talk.id }
    const url = `/t/${talk.id}/certificates`

    expect(await callLoader(adminRoute, { url, params, auth: memberSession })).toMatchObject({ status: 403, thrown: true })
    const byMember = await callAction(adminRoute, { url, params, auth: memberSession, form: { intent: 'revoke', certificateId: id, reason: 'Left early' } })
    expect(byMember).toMatchObject({ status: 403 })
    const byDoctor = await callAction(adminRoute, { url, params, auth: session, form: { intent: 'revoke', certificateId: id, reason: 'Left early' } })
    expect(byDoctor).toMatchObject({ status: 403 })
    const noReason = await callAction(adminRoute, { url, params, auth: ownerSession, form: { intent: 'revoke', certificateId: id, reason: '' } })
    expect(noReason).toMatchObject({ status: 400, data: { form: 'revoke', message: 'Say why the certificate is revoked; the doctor sees it.' } })
    const badShare = await callAction(adminRoute, { url, params, auth: ownerSession, form: { intent: 'settings', enabled: 'on', minSharePercent: '150', credits: '', creditProvider: '' } })
    expect(badShare).toMatchObject({ status: 400, data: { field: 'minSharePercent' } })
    const badCredits = await callAction(adminRoute, { url, params, auth: ownerSession, form: { intent: 'settings', enabled: 'on', minSharePercent: '75', credits: 'lots', creditProvider: 'X' } })
    expect(badCredits).toMatchObject({ status: 400, data: { field: 'credits' } })
    const [unchanged] = await rawSql()`select revoked_at, min_share_percent from attendance_certificates a join talk_certificate_settings s on s.talk_id = a.talk_id where a.id = ${id}`
    expect(unchanged).toEqual({ revoked_at: null, min_share_percent: 75 })

    const revoked = await callAction(adminRoute, { url, params, auth: ownerSession, form: { intent: 'revoke', certificateId: id, reason: 'Attendance was shared on one screen by two doctors' } })
    expect(revoked).toMatchObject({ status: 302, location: `/t/${talk.id}/certificates?done=revoked` })
    const page = await callLoader(verifyRoute, { url: `/certificates/${id}`, params: { id } })
    expect(page.data).toMatchObject({ state: 'revoked', revokedOn: expect.any(String) })
    expect(JSON.stringify(page.data)).not.toContain('one screen')
    const admin = await callLoader(adminRoute, { url, params, auth: ownerSession })
    expect(admin.data).toMatchObject({ issued: [{ id, revokeReason: 'Attendance was shared on one screen by two doctors' }] })
  })
})
