import { randomBytes, randomUUID } from 'node:crypto'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { strFromU8, unzipSync } from 'fflate'
import { afterAll, describe, expect, it } from 'vitest'
import * as privacyRoute from '../../app/routes/privacy'
import * as grievanceRoute from '../../app/routes/privacy_.grievance'
import * as dataRoute from '../../app/routes/settings.data'
import * as eraseRoute from '../../app/routes/settings.erase'
import * as staffIndex from '../../app/routes/staff.privacy._index'
import * as staffRequest from '../../app/routes/staff.privacy.requests.$id'
import { rawSql } from '../../db/client'
import { fileGrievance, requestExport } from '../../db/data-rights/index'
import { listDevMail } from '../../db/mailbox'
import { retentionSchedule } from '../../db/retention-schedule'
import { config } from '../../server/config'
import { runDueJobs } from '../../server/jobs/index'
import { EXPORT_README, exportPath, exportsDir } from '../../server/jobs/exports'
import { storeDocument } from '../../server/verification-documents'
import { createDoctor, viewerOf } from '../support/factories'
import { callAction, callLoader, signIn } from '../support/routes'

const DAY = 24 * 60 * 60 * 1000

/** A club written straight to the database: only its rows matter here. */
async function insertClub(owner: { id: string }) {
  const id = randomUUID()
  const name = `Club ${id.slice(0, 8)}`
  await rawSql()`insert into clubs (id, slug, name, owner_id) values (${id}, ${'club-' + id}, ${name}, ${owner.id})`
  await rawSql()`insert into club_members (club_id, user_id, role) values (${id}, ${owner.id}, 'owner')`
  return { id, name }
}
const uploads = () => path.resolve(config().DATA_DIR, 'uploads')

afterAll(async () => {
  await rm(exportsDir(), { recursive: true, force: true })
})

async function grievancesOf(userId: string) {
  return rawSql()<{ id: string; status: string; details: { topic: string; message: string }; received_at: string; due_at: string; resolution: string | null }[]>`
    select id, status::text as status, details, received_at, due_at, resolution from data_requests where user_id = ${userId} and kind = 'grievance'`
}

describe('the privacy page', () => {
  it('shows the retention schedule and names the grievance officer, to visitors too', async () => {
    const page = await callLoader(privacyRoute, { url: '/privacy' })
    expect(page.status).toBe(200)
    const data = page.data as {
      retention: { id: string; data: string; period: string; rule: string; law: string | null }[]
      officer: { name: string; email: string; answerDays: number }
      signedIn: boolean
    }
    expect(data.retention.map((r) => r.id)).toEqual(retentionSchedule.map((r) => r.id))
    expect(data.retention.find((r) => r.id === 'session-devices')).toMatchObject({
      period: '1 year',
      rule: 'Anonymised 1 year after the sign-in.',
      law: expect.stringContaining('Digital Personal Data Protection Rules, 2025'),
    })
    expect(data.retention.find((r) => r.id === 'attendance-stays')).toMatchObject({ period: '90 days', rule: 'Summarised 90 days after you left the room.' })
    expect(data.officer).toEqual({ name: 'The Rounds Grievance Officer', email: 'grievance@rounds.local', answerDays: 90 })
    expect(data.signedIn).toBe(false)
  })
})

describe('a grievance', () => {
  it('with no text is refused with 400 and nothing is written', async () => {
    const doctor = await createDoctor()
    const auth = await signIn(doctor.id)
    const forms: Record<string, string>[] = [{ topic: 'consent', message: '' }, { topic: 'consent', message: '   \n  ' }, { topic: 'consent' }]
    for (const form of forms) {
      const refused = await callAction(grievanceRoute, { url: '/privacy/grievance', auth, form })
      expect(refused.status).toBe(400)
      expect(refused.data).toMatchObject({ field: 'message' })
    }
    const badTopic = await callAction(grievanceRoute, { url: '/privacy/grievance', auth, form: { topic: 'nope', message: 'Something' } })
    expect(badTopic).toMatchObject({ status: 400, data: { field: 'topic' } })
    await expect(fileGrievance(viewerOf(doctor), { topic: 'consent', message: ' ' })).rejects.toMatchObject({ status: 400 })
    expect(await grievancesOf(doctor.id)).toEqual([])
    expect(await rawSql()`select 1 from data_request_events e join data_requests r on r.id = e.request_id where r.user_id = ${doctor.id}`).toHaveLength(0)
  })

  it('needs a signed-in member', async () => {
    const visitor = await callAction(grievanceRoute, { url: '/privacy/grievance', form: { topic: 'consent', message: 'Hello' } })
    expect(visitor).toMatchObject({ status: 302, location: expect.stringMatching(/^\/login/) })
  })

  it('is tracked with a 90-day deadline, answered by the privacy officer, and the member reads the answer', async () => {
    const doctor = await createDoctor({ name: 'Dr Aggrieved' })
    const auth = await signIn(doctor.id)
    const sent = await callAction(grievanceRoute, {
      url: '/privacy/grievance',
      auth,
      form: { topic: 'how_my_data_is_used', message: 'Why did I get a mail about a club I never joined?' },
    })
    expect(sent).toMatchObject({ status: 302, location: expect.stringMatching(/^\/privacy\/grievance\?sent=/) })
    const [row] = await grievancesOf(doctor.id)
    expect(row).toMatchObject({ status: 'received', details: { topic: 'how_my_data_is_used', message: 'Why did I get a mail about a club I never joined?' } })
    expect(new Date(row.due_at).getTime() - new Date(row.received_at).getTime()).toBe(90 * DAY)

    const receipt = await callLoader(grievanceRoute, { url: sent.location!, auth })
    expect(receipt.data).toMatchObject({ sent: { topic: 'How Rounds uses my data', dueAt: new Date(row.due_at).toISOString() } })
    // Someone else's id shows no receipt.
    const other = await signIn((await createDoctor()).id)
    expect((await callLoader(grievanceRoute, { url: sent.location!, auth: other })).data).toMatchObject({ sent: null })

    const mine = (await callLoader(dataRoute, { url: '/settings/data', auth })).data as { requests: { id: string; kind: string; status: string; dueAt: string }[] }
    expect(mine.requests).toEqual([expect.objectContaining({ id: row.id, kind: 'grievance', status: 'received', dueAt: new Date(row.due_at).toISOString() })])

    const officer = await createDoctor({ name: 'Dr Privacy Officer' })
    await rawSql()`update users set role = 'staff' where id = ${officer.id}`
    const staff = await signIn(officer.id)
    const queue = (await callLoader(staffIndex, { url: '/staff/privacy', auth: staff })).data as { requests: { id: string; kind: string }[] }
    expect(queue.requests).toContainEqual(expect.objectContaining({ id: row.id, kind: 'grievance' }))

    const answer = 'That mail was a club invitation from a colleague; you can turn those off in Settings → Notifications.'
    const answered = await callAction(staffRequest, {
      url: `/staff/privacy/requests/${row.id}`,
      params: { id: row.id },
      auth: staff,
      form: { intent: 'status', status: 'completed', resolution: answer },
    })
    expect(answered.status).toBeLessThan(400)
    const after = (await callLoader(dataRoute, { url: '/settings/data', auth })).data as { requests: { id: string; status: string; resolution: string | null }[] }
    expect(after.requests.find((r) => r.id === row.id)).toMatchObject({ status: 'completed', resolution: answer })
  })
})

describe('erasure notices', () => {
  it('are emailed when the erasure is scheduled and when it is cancelled, and the page says it was cancelled', async () => {
    const doctor = await createDoctor()
    const auth = await signIn(doctor.id)
    await callAction(eraseRoute, { url: '/settings/erase', auth, form: { intent: 'erase', password: doctor.password, confirm: 'on' } })
    expect(await runDueJobs()).toMatchObject({ failed: 0 })
    const [scheduled] = await listDevMail({ to: doctor.email })
    expect(scheduled.subject).toBe('Your Rounds account is due to be erased')
    expect(scheduled.text).toContain('If you did not ask for this, cancel it now and change your password.')
    expect(scheduled.text).toMatch(/\/settings\/erase/)

    const page = (await callLoader(eraseRoute, { url: '/settings/erase', auth })).data as { pending: { id: string } | null; cancelledAt: string | null }
    expect(page.cancelledAt).toBeNull()
    await callAction(eraseRoute, { url: '/settings/erase', auth, form: { intent: 'cancel', requestId: page.pending!.id } })
    expect(await runDueJobs()).toMatchObject({ failed: 0 })
    const mails = await listDevMail({ to: doctor.email })
    expect(mails.map((m) => m.subject)).toEqual(['Your Rounds account will not be erased', 'Your Rounds account is due to be erased'])
    expect(mails[0].text).toContain('Your account, profile and everything in it stay as they are.')

    const after = (await callLoader(eraseRoute, { url: '/settings/erase', auth })).data as { pending: unknown; cancelledAt: string | null }
    expect(after.pending).toBeNull()
    expect(after.cancelledAt).not.toBeNull()
  })
})

describe('the export', () => {
  it('holds the bytes of the photo and every file the person uploaded, and cites the retention schedule', async () => {
    const doctor = await createDoctor()
    await mkdir(uploads(), { recursive: true })
    const photo = randomBytes(2048)
    const photoName = `${randomUUID()}.webp`
    await writeFile(path.join(uploads(), photoName), photo)
    await rawSql()`update profiles set photo_path = ${photoName} where user_id = ${doctor.id}`
    const club = await insertClub(doctor)
    const cover = randomBytes(4096)
    const coverName = `${randomUUID()}.webp`
    await writeFile(path.join(uploads(), coverName), cover)
    await rawSql()`update clubs set cover_path = ${coverName} where id = ${club.id}`
    const document = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(1000)])
    const documentName = await storeDocument(doctor.id, document, 'application/pdf')
    await rawSql()`insert into doctor_verifications (id, user_id, status, council, registration_year, number_cipher, number_masked, document_path, document_type)
      values (${randomUUID()}, ${doctor.id}, 'pending', 'nmc', 2010, 'c2VhbGVk', '•••• 5678', ${documentName}, 'application/pdf')`
    // A club cover someone else uploaded to their own club is not in this person's copy.
    const stranger = await createDoctor()
    const theirs = await insertClub(stranger)
    await rawSql()`update clubs set cover_path = ${'their-cover.webp'} where id = ${theirs.id}`

    const { id } = await requestExport(viewerOf(doctor))
    expect(await runDueJobs()).toMatchObject({ failed: 0 })
    const [row] = await rawSql()<{ export_file: string }[]>`select export_file from data_requests where id = ${id}`
    const files = unzipSync(new Uint8Array(await readFile(exportPath(row.export_file))))

    expect(Buffer.from(files[`files/profile-photo-${photoName}`]).equals(photo)).toBe(true)
    expect(Buffer.from(files[`files/club-cover-${coverName}`]).equals(cover)).toBe(true)
    expect(Buffer.from(files[`files/verification-document-${documentName}`]).equals(document)).toBe(true)
    expect(Object.keys(files).filter((name) => name.startsWith('files/'))).toHaveLength(3)

    const readme = strFromU8(files[EXPORT_README])
    expect(readme).toContain(`files/profile-photo-${photoName}: Your profile photo (2048 bytes).`)
    expect(readme).toContain(`Cover image of your club “${club.name}”`)
    expect(readme).toContain('HOW LONG ROUNDS KEEPS DATA')
    for (const rule of retentionSchedule) expect(readme).toContain(rule.data)
  })

  it('says so when an uploaded file is missing, and still finishes', async () => {
    const doctor = await createDoctor()
    await rawSql()`update profiles set photo_path = ${`${randomUUID()}.webp`} where user_id = ${doctor.id}`
    const { id } = await requestExport(viewerOf(doctor))
    expect(await runDueJobs()).toMatchObject({ failed: 0 })
    const [row] = await rawSql()<{ export_file: string }[]>`select export_file from data_requests where id = ${id}`
    const files = unzipSync(new Uint8Array(await readFile(exportPath(row.export_file))))
    expect(Object.keys(files).filter((name) => name.startsWith('files/'))).toEqual([])
    expect(strFromU8(files[EXPORT_README])).toContain('Your profile photo: the file is missing from our server, so it could not be copied.')
  })
})
