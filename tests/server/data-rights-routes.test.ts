import { readFile, rm } from 'node:fs/promises'
import { strFromU8, unzipSync } from 'fflate'
import { afterAll, describe, expect, it } from 'vitest'
import * as exportRoute from '../../app/routes/exports.$id'
import * as receiptRoute from '../../app/routes/receipts.$id'
import * as dataRoute from '../../app/routes/settings.data'
import * as eraseRoute from '../../app/routes/settings.erase'
import * as staffLayout from '../../app/routes/staff.privacy'
import * as staffHolds from '../../app/routes/staff.privacy.holds'
import * as staffIndex from '../../app/routes/staff.privacy._index'
import * as staffRequest from '../../app/routes/staff.privacy.requests.$id'
import { rawSql } from '../../db/client'
import { listUserColumns } from '../../db/data-rights/index'
import { listDevMail } from '../../db/mailbox'
import { exportExcludedTables } from '../../db/retention'
import { runDueJobs } from '../../server/jobs/index'
import { exportPath, exportsDir } from '../../server/jobs/exports'
import { buildWorld } from '../support/data-rights'
import { createDoctor } from '../support/factories'
import { callAction, callLoader, signIn, type SignedIn } from '../support/routes'

const DAY = 24 * 60 * 60 * 1000

afterAll(async () => {
  await rm(exportsDir(), { recursive: true, force: true })
})

type Requests = { requests: { id: string; kind: string; status: string; download: { href: string } | null }[]; accesses: { who: string; reason: string }[] }

async function myRequests(auth: SignedIn) {
  return (await callLoader(dataRoute, { url: '/settings/data', auth })).data as Requests
}

/** Asks for a copy and runs the job; returns the download link. */
async function exportFor(auth: SignedIn) {
  const asked = await callAction(dataRoute, { url: '/settings/data', auth, form: { intent: 'export' } })
  expect(asked.status).toBe(200)
  expect(await runDueJobs()).toMatchObject({ failed: 0 })
  const ready = (await myRequests(auth)).requests.find((r) => r.kind === 'export' && r.download)
  expect(ready, 'the export is ready with a link').toBeDefined()
  return { id: ready!.id, href: ready!.download!.href }
}

const download = (href: string, auth: SignedIn | null, id: string) => callLoader(exportRoute, { url: href, params: { id }, auth })

describe('download my data', () => {
  it('builds a ZIP with every table that points at people, a readable summary, and mails a link', async () => {
    const subject = await createDoctor({ name: 'Dr Export Subject' })
    const world = await buildWorld({
      subject,
      admin: await createDoctor(),
      friend: await createDoctor(),
      otherOwner: await createDoctor(),
      staff: await createDoctor({ name: 'Dr Privacy Officer' }),
    })
    const auth = await signIn(subject.id)
    const { id, href } = await exportFor(auth)
    expect(href).toMatch(new RegExp(`^/exports/${id}\\?expires=\\d+&sig=`))

    const response = await download(href, auth, id)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/zip')
    const [row] = await rawSql()`select export_file, downloaded_at from data_requests where id = ${id}`
    expect(row.downloaded_at).not.toBeNull()
    const files = unzipSync(new Uint8Array(await readFile(exportPath(row.export_file))))
    expect(Object.keys(files).sort()).toEqual(['README.txt', 'rounds-data.json'])
    const data = JSON.parse(strFromU8(files['rounds-data.json'])) as {
      tables: Record<string, { rows: Record<string, unknown>[]; row_count: number; matched_by: string[] }>
      excluded_tables: Record<string, string>
      excluded_columns: Record<string, string>
      who_accessed_my_data: { who: string; reason: string }[]
      shared_with: string[]
    }
    // Every table the catalogue shows pointing at people is a section, or excluded with a reason.
    const columns = await listUserColumns()
    for (const table of new Set(columns.map((c) => c.table))) {
      const everyColumnExcluded = columns.filter((c) => c.table === table).every((c) => data.excluded_columns[`${table}.${c.column}`])
      const covered = table in data.tables || Boolean(exportExcludedTables[table] && data.excluded_tables[table]) || everyColumnExcluded
      expect(covered, `${table} is in the export or excluded with a reason`).toBe(true)
    }
    // A column the export does not follow still has its reason in the file.
    for (const c of columns) {
      if (!(c.table in data.tables) || data.tables[c.table].matched_by.includes(c.column)) continue
      expect(data.excluded_columns[`${c.table}.${c.column}`], `${c.table}.${c.column}`).toMatch(/\w/)
    }
    expect(data.tables.talk_comments.rows.map((r) => r.body)).toContain('Zyxwquv says hello')
    expect(data.tables.follows.row_count).toBe(2)
    // Secrets are left out.
    expect(data.tables.users.rows[0]).not.toHaveProperty('password_hash')
    expect(data.tables.sessions.rows[0]).not.toHaveProperty('id')
    expect(JSON.stringify(data)).not.toContain(auth.sessionId)
    // Other people's moderated comments are not in the subject's copy.
    expect(data.tables.talk_comments.rows.map((r) => r.body)).not.toContain('off topic')
    // The staff member's view, and the seeded app's read (apps' reads are listed with staff views).
    expect(data.who_accessed_my_data).toHaveLength(2)
    expect(data.who_accessed_my_data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ reason: 'Checking the export request' }),
        expect.objectContaining({ who: expect.stringMatching(/, an app you connected$/), reason: 'read your clubs' }),
      ]),
    )
    expect(data.shared_with).toContain('No data was sold or shared with advertisers.')
    expect(data.shared_with.some((line) => line.includes('Other talk') && line.includes('Other Owner Club'))).toBe(true)
    const readme = strFromU8(files['README.txt'])
    expect(readme).toContain('WHO SAW YOUR DATA')
    expect(readme).toContain('No data was sold or shared with advertisers.')
    expect(readme).toContain('legal_holds')

    const [mail] = await listDevMail({ to: subject.email })
    expect(mail.subject).toBe('Your copy of your Rounds data is ready')
    expect(mail.text).toContain(href)
    expect(world.subject.id).toBe(subject.id)
    const [notice] = await rawSql()`select read_at from notifications where user_id = ${subject.id} and subject = ${id}`
    expect(notice.read_at).not.toBeNull()
  })

  it('answers 404 for someone else’s link or a forged one, 410 once expired, and changes nothing', async () => {
    const owner = await createDoctor()
    const auth = await signIn(owner.id)
    const { id, href } = await exportFor(auth)
    const stranger = await signIn((await createDoctor()).id)

    expect(await download(href, stranger, id)).toMatchObject({ status: 404, thrown: true })
    expect(await download(href.replace(/sig=[\w-]+/, 'sig=' + 'A'.repeat(43)), auth, id)).toMatchObject({ status: 404 })
    expect(await download(href.replace(/expires=\d+/, `expires=${Date.now() + 30 * DAY}`), auth, id)).toMatchObject({ status: 404 })
    expect(await download(`/exports/${id}`, auth, id)).toMatchObject({ status: 404 })
    const otherId = '00000000-0000-4000-8000-000000000000'
    expect(await download(href.replace(id, otherId), auth, otherId)).toMatchObject({ status: 404 })
    expect(await download(href, null, id)).toMatchObject({ status: 302 })
    const [untouched] = await rawSql()`select downloaded_at from data_requests where id = ${id}`
    expect(untouched.downloaded_at).toBeNull()

    // Past its 7 days: the job deletes the file and the link is gone.
    await runDueJobs({ now: () => new Date(Date.now() + 8 * DAY) })
    await rawSql()`insert into jobs (queue) values ('exports.prune')`
    await runDueJobs({ now: () => new Date(Date.now() + 8 * DAY) })
    expect(await download(href, auth, id)).toMatchObject({ status: 410 })
  })

  it('refuses a second copy while one is being prepared', async () => {
    const auth = await signIn((await createDoctor()).id)
    expect((await callAction(dataRoute, { url: '/settings/data', auth, form: { intent: 'export' } })).status).toBe(200)
    const again = await callAction(dataRoute, { url: '/settings/data', auth, form: { intent: 'export' } })
    expect(again).toMatchObject({ status: 409 })
  })
})

describe('correct my data', () => {
  it('records a correction request with a 30-day deadline, and refuses bad input', async () => {
    const auth = await signIn((await createDoctor()).id)
    const bad: Record<string, string>[] = [
      { intent: 'correction', field: 'shoe_size', requested: '42' },
      { intent: 'correction', field: 'date_of_birth', requested: '' },
      { intent: 'correction', field: 'date_of_birth', requested: 'x'.repeat(501) },
      { intent: 'delete-everything' },
      {},
    ]
    for (const form of bad) {
      expect((await callAction(dataRoute, { url: '/settings/data', auth, form })).status, JSON.stringify(form)).toBe(400)
    }
    expect((await myRequests(auth)).requests).toHaveLength(0)
    const ok = await callAction(dataRoute, { url: '/settings/data', auth, form: { intent: 'correction', field: 'date_of_birth', requested: '1984-03-02' } })
    expect(ok.status).toBe(200)
    const [request] = await rawSql()`select kind, status, details, due_at - received_at as window from data_requests where user_id = ${auth.user.id}`
    expect(request).toMatchObject({ kind: 'correction', status: 'received', details: { field: 'date_of_birth', requested: '1984-03-02' } })
  })
})

describe('erase my account', () => {
  it('needs the password; a wrong one or a missing confirmation changes nothing', async () => {
    const doctor = await createDoctor()
    const auth = await signIn(doctor.id)
    const wrong = await callAction(eraseRoute, { url: '/settings/erase', auth, form: { intent: 'erase', password: 'not my password', confirm: 'on' } })
    expect(wrong.status).toBe(400)
    const unconfirmed = await callAction(eraseRoute, { url: '/settings/erase', auth, form: { intent: 'erase', password: doctor.password } })
    expect(unconfirmed.status).toBe(400)
    expect(await rawSql()`select id from data_requests where user_id = ${doctor.id}`).toHaveLength(0)
  })

  it('starts a grace period shown on every page, cancellable only by its owner', async () => {
    const doctor = await createDoctor()
    const auth = await signIn(doctor.id)
    const asked = await callAction(eraseRoute, { url: '/settings/erase', auth, form: { intent: 'erase', password: doctor.password, confirm: 'on' } })
    expect(asked).toMatchObject({ status: 302, location: '/settings/erase' })
    const page = (await callLoader(eraseRoute, { url: '/settings/erase', auth })).data as { pending: { id: string; scheduledFor: string } | null }
    expect(new Date(page.pending!.scheduledFor).getTime() - Date.now()).toBeGreaterThan(7 * DAY - 60_000)
    const root = await import('../../app/root')
    const rootData = (await callLoader(root, { url: '/', auth })).data as { erasure: { scheduledFor: string } | null }
    expect(rootData.erasure?.scheduledFor).toBe(page.pending!.scheduledFor)

    const stranger = await signIn((await createDoctor()).id)
    const forged = await callAction(eraseRoute, { url: '/settings/erase', auth: stranger, form: { intent: 'cancel', requestId: page.pending!.id } })
    expect(forged.status).toBe(404)
    expect((await callAction(eraseRoute, { url: '/settings/erase', auth, form: { intent: 'cancel', requestId: 'nope' } })).status).toBe(404)
    const again = await callAction(eraseRoute, { url: '/settings/erase', auth, form: { intent: 'erase', password: doctor.password, confirm: 'on' } })
    expect(again.status).toBe(409)

    const cancelled = await callAction(eraseRoute, { url: '/settings/erase', auth, form: { intent: 'cancel', requestId: page.pending!.id } })
    expect(cancelled).toMatchObject({ status: 302 })
    expect(((await callLoader(root, { url: '/', auth })).data as { erasure: unknown }).erasure).toBeNull()
  })

  it('mails a receipt that opens once; replays and forged links get 410 and 404', async () => {
    const doctor = await createDoctor()
    const auth = await signIn(doctor.id)
    await callAction(eraseRoute, { url: '/settings/erase', auth, form: { intent: 'erase', password: doctor.password, confirm: 'on' } })
    expect(await runDueJobs({ now: () => new Date(Date.now() + 8 * DAY) })).toMatchObject({ failed: 0 })
    const [mail] = await listDevMail({ to: doctor.email })
    const url = new URL(mail.text.match(/https?:\/\/\S+\/receipts\/\S+/)![0])
    const id = url.pathname.split('/').pop()!
    const path = url.pathname + url.search

    expect(await callLoader(receiptRoute, { url: path.replace(/sig=[\w-]+/, 'sig=' + 'B'.repeat(43)), params: { id } })).toMatchObject({ status: 404 })
    expect(await callAction(receiptRoute, { url: path.replace(/expires=\d+/, 'expires=1'), params: { id } })).toMatchObject({ status: 404 })
    expect(await callLoader(receiptRoute, { url: path, params: { id } })).toMatchObject({ status: 200 })
    const opened = await callAction(receiptRoute, { url: path, params: { id } })
    expect(opened.status).toBe(200)
    expect((opened.data as { receipt: { removed: Record<string, number> } }).receipt.removed).toMatchObject({ users: 1, profiles: 1 })
    expect(await callAction(receiptRoute, { url: path, params: { id } })).toMatchObject({ status: 410 })
    expect(await callLoader(receiptRoute, { url: path, params: { id } })).toMatchObject({ status: 410 })
  })
})

describe('privacy officer console', () => {
  it('is not found for anyone but staff', async () => {
    const member = await signIn((await createDoctor()).id)
    for (const route of [staffLayout, staffIndex, staffHolds]) {
      expect(await callLoader(route, { url: '/staff/privacy', auth: member })).toMatchObject({ status: 404 })
      expect(await callLoader(route, { url: '/staff/privacy' })).toMatchObject({ status: 404 })
    }
    const id = '00000000-0000-4000-8000-000000000000'
    expect(await callAction(staffRequest, { url: `/staff/privacy/requests/${id}`, params: { id }, auth: member, form: { intent: 'view-data', reason: 'Just curious about this' } })).toMatchObject({ status: 404 })
    expect(await callAction(staffHolds, { url: '/staff/privacy/holds', auth: member, form: { intent: 'place', handle: 'x', reason: 'no reason at all' } })).toMatchObject({ status: 404 })
  })

  it('lists requests with deadlines; opening data needs a reason and an open request, is logged, and shown to the person', async () => {
    const person = await createDoctor({ name: 'Dr Correction Seeker' })
    const personAuth = await signIn(person.id)
    const officer = await createDoctor({ name: 'Dr Officer' })
    await rawSql()`update users set role = 'staff' where id = ${officer.id}`
    const staff = await signIn(officer.id)
    await callAction(dataRoute, { url: '/settings/data', auth: personAuth, form: { intent: 'correction', field: 'date_of_birth', requested: '1984-03-02' } })
    const list = (await callLoader(staffIndex, { url: '/staff/privacy', auth: staff })).data as { requests: { id: string; kind: string; subject: { handle: string } | null; dueAt: string; receivedAt: string }[] }
    const request = list.requests.find((r) => r.subject?.handle === person.handle)!
    expect(request.kind).toBe('correction')
    expect(new Date(request.dueAt).getTime() - new Date(request.receivedAt).getTime()).toBe(30 * DAY)
    const at = { url: `/staff/privacy/requests/${request.id}`, params: { id: request.id }, auth: staff }

    expect(await callAction(staffRequest, { ...at, form: { intent: 'view-data', reason: 'short' } })).toMatchObject({ status: 400 })
    expect(await callAction(staffRequest, { ...at, form: { intent: 'view-data' } })).toMatchObject({ status: 400 })
    const forged = '00000000-0000-4000-8000-000000000000'
    expect(await callAction(staffRequest, { ...at, url: `/staff/privacy/requests/${forged}`, params: { id: forged }, form: { intent: 'view-data', reason: 'Checking the date of birth' } })).toMatchObject({ status: 404 })
    expect(await callLoader(staffRequest, { ...at, params: { id: 'not-a-uuid' } })).toMatchObject({ status: 404 })
    expect(((await myRequests(personAuth)).accesses)).toEqual([])

    const viewed = await callAction(staffRequest, { ...at, form: { intent: 'view-data', reason: 'Checking the date of birth against the register' } })
    expect(viewed.status).toBe(200)
    expect((viewed.data as { data: { account: { dateOfBirth: string } } }).data.account.dateOfBirth).toBe('1985-06-15')
    expect((await myRequests(personAuth)).accesses).toEqual([
      expect.objectContaining({ who: 'Dr Officer, Rounds staff', reason: 'Checking the date of birth against the register' }),
    ])

    expect(await callAction(staffRequest, { ...at, form: { intent: 'status', status: 'completed' } })).toMatchObject({ status: 400 })
    expect(await callAction(staffRequest, { ...at, form: { intent: 'status', status: 'teleported', resolution: 'x' } })).toMatchObject({ status: 400 })
    expect(await callAction(staffRequest, { ...at, form: { intent: 'status', status: 'completed', resolution: 'Corrected to 2 March 1984.' } })).toMatchObject({ status: 200 })
    // Closed: no more looking.
    expect(await callAction(staffRequest, { ...at, form: { intent: 'view-data', reason: 'One more look after closing' } })).toMatchObject({ status: 403 })
    const detail = (await callLoader(staffRequest, at)).data as { events: { action: string }[] }
    expect(detail.events.map((e) => e.action)).toEqual(['received', 'data_viewed', 'completed'])
    expect((await myRequests(personAuth)).requests[0]).toMatchObject({ status: 'completed' })
  })

  it('applies a date-of-birth correction only when asked and only with a real date', async () => {
    const person = await createDoctor()
    const personAuth = await signIn(person.id)
    const officer = await createDoctor()
    await rawSql()`update users set role = 'staff' where id = ${officer.id}`
    const staff = await signIn(officer.id)
    const ask = (requested: string) => callAction(dataRoute, { url: '/settings/data', auth: personAuth, form: { intent: 'correction', field: 'date_of_birth', requested } })
    await ask('the second of March 1984')
    await ask('1984-03-02')
    const ids = (await rawSql()`select id, details->>'requested' as requested from data_requests where user_id = ${person.id}`).reduce<Record<string, string>>((m, r) => ({ ...m, [r.requested]: r.id }), {})
    const resolve = (id: string, form: Record<string, string>) =>
      callAction(staffRequest, { url: `/staff/privacy/requests/${id}`, params: { id }, auth: staff, form: { intent: 'status', ...form } })

    const vague = await resolve(ids['the second of March 1984'], { status: 'completed', resolution: 'Done', applyDateOfBirth: 'on' })
    expect(vague.status).toBe(400)
    expect(await resolve(ids['1984-03-02'], { status: 'rejected', resolution: 'No', applyDateOfBirth: 'on' })).toMatchObject({ status: 400 })
    const [unchanged] = await rawSql()`select date_of_birth::text as dob from users where id = ${person.id}`
    expect(unchanged.dob).toBe('1985-06-15')
    expect(await resolve(ids['1984-03-02'], { status: 'completed', resolution: 'Corrected.', applyDateOfBirth: 'on' })).toMatchObject({ status: 200 })
    const [changed] = await rawSql()`select date_of_birth::text as dob from users where id = ${person.id}`
    expect(changed.dob).toBe('1984-03-02')
  })

  it('places and releases legal holds, refusing bad input', async () => {
    const officer = await createDoctor()
    await rawSql()`update users set role = 'staff' where id = ${officer.id}`
    const staff = await signIn(officer.id)
    const person = await createDoctor()
    const at = { url: '/staff/privacy/holds', auth: staff }
    expect(await callAction(staffHolds, { ...at, form: { intent: 'place', handle: 'no-such-doctor-here', reason: 'A claim from a patient' } })).toMatchObject({ status: 404 })
    expect(await callAction(staffHolds, { ...at, form: { intent: 'place', handle: person.handle, reason: 'short' } })).toMatchObject({ status: 400 })
    expect(await callAction(staffHolds, { ...at, form: { intent: 'release', holdId: 'nope' } })).toMatchObject({ status: 400 })
    expect(await callAction(staffHolds, { ...at, form: { intent: 'release', holdId: '00000000-0000-4000-8000-000000000000' } })).toMatchObject({ status: 404 })
    expect(await callAction(staffHolds, { ...at, form: { intent: 'place', handle: person.handle, reason: 'A claim from a patient' } })).toMatchObject({ status: 200 })
    expect(await callAction(staffHolds, { ...at, form: { intent: 'place', handle: person.handle, reason: 'A claim from a patient' } })).toMatchObject({ status: 409 })
    const { holds } = (await callLoader(staffHolds, at)).data as { holds: { id: string; reason: string }[] }
    expect(holds).toEqual([expect.objectContaining({ reason: 'A claim from a patient' })])
    expect(await callAction(staffHolds, { ...at, form: { intent: 'release', holdId: holds[0].id } })).toMatchObject({ status: 200 })
    expect(((await callLoader(staffHolds, at)).data as { holds: unknown[] }).holds).toEqual([])
  })
})
