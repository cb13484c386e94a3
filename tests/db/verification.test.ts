import { existsSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { rawSql } from '../../db/client'
import { scheduleJob } from '../../db/connection'
import { collectExport, requestErasure } from '../../db/data-rights/index'
import {
  applyForVerification,
  decideApplication,
  getMyVerification,
  lapseOverdueVerifications,
  listPendingApplications,
  openApplication,
  readApplicationDocument,
  revokeVerification,
  stateOf,
  verificationBadge,
  withdrawApplication,
  type ApplicationInput,
} from '../../db/verification'
import { decryptRegistrationNumber, encryptRegistrationNumber, RegistrationNumberKeyError } from '../../db/verification-crypto'
import { config } from '../../server/config'
import { runDueJobs } from '../../server/jobs/index'
import { DOCUMENT_MAX_BYTES, verificationDocumentsDir } from '../../server/verification-documents'
import { createDoctor, viewerOf, type TestDoctor } from '../support/factories'

const DAY = 24 * 60 * 60 * 1000
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 1, 2, 3])
const PDF = new TextEncoder().encode('%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n')

const application = (overrides: Partial<ApplicationInput> = {}): ApplicationInput => ({
  council: 'maharashtra',
  registrationYear: 2011,
  registrationNumber: 'MMC-2874321',
  document: PNG,
  ...overrides,
})

async function verifier(): Promise<TestDoctor> {
  const staff = await createDoctor({ name: 'Dr Verifier' })
  await rawSql()`update users set role = 'staff' where id = ${staff.id}`
  await rawSql()`insert into staff_duties (user_id, duty) values (${staff.id}, 'verifier')`
  return staff
}

const asVerifier = (staff: TestDoctor) => viewerOf(staff, 'staff')

async function documentsOf(userId: string) {
  const dir = path.join(verificationDocumentsDir(), userId)
  return existsSync(dir) ? readdir(dir) : []
}

async function rowOf(userId: string) {
  const [row] = await rawSql()<{ id: string; status: string; row: string; document_path: string | null }[]>`
    select id, status::text as status, to_jsonb(v)::text as row, document_path from doctor_verifications v where user_id = ${userId}`
  return row
}

async function pendingApplicant() {
  const doctor = await createDoctor()
  const { id } = await applyForVerification(viewerOf(doctor), application())
  return { doctor, id }
}

async function notices(userId: string) {
  return rawSql()<{ kind: string; title: string; body: string }[]>`select kind, title, body from notifications where user_id = ${userId} order by created_at`
}

describe('applying', () => {
  it('stores the application pending, the number only encrypted, the document privately, and shows the owner a masked number', async () => {
    const doctor = await createDoctor()
    expect((await getMyVerification(viewerOf(doctor))).state).toBe('unverified')
    await applyForVerification(viewerOf(doctor), application())
    const row = await rowOf(doctor.id)
    expect(row.status).toBe('pending')
    expect(row.row).not.toContain('2874321')
    expect(row.row).not.toContain('MMC-2874321')
    expect(await documentsOf(doctor.id)).toEqual([row.document_path])
    const mine = await getMyVerification(viewerOf(doctor))
    expect(mine).toMatchObject({ state: 'pending', council: 'Maharashtra Medical Council', registrationYear: 2011, numberMasked: '•••• 4321' })
    // Nothing else in the database holds the number either.
    const [hit] = await rawSql()<{ n: number }[]>`select count(*)::int as n from doctor_verifications v where to_jsonb(v)::text like '%2874321%'`
    expect(hit.n).toBe(0)
  })

  it.each([
    ['a number in the wrong format for the council', { registrationNumber: 'ABC' }, 400, 'registrationNumber', /does not look right/],
    ['a number with letters only for another country', { council: 'other', regulatorName: 'General Medical Council', registrationNumber: 'ABCDEF' }, 400, 'registrationNumber', /at least one digit/],
    ['another country without the regulator', { council: 'other', registrationNumber: '7012345' }, 400, 'regulatorName', /Name the regulator/],
    ['an unknown council', { council: 'atlantis' }, 400, 'council', /Choose the council/],
    ['a year in the future', { registrationYear: new Date().getUTCFullYear() + 1 }, 400, 'registrationYear', /Give the year/],
    ['a document that is not an image or a PDF', { document: new TextEncoder().encode('<html><script>alert(1)</script>') }, 400, 'document', /not a PDF or a photo/],
    ['an empty document', { document: new Uint8Array() }, 400, 'document', /Upload your registration/],
    ['a document over 5 MB', { document: new Uint8Array(DOCUMENT_MAX_BYTES + 1).fill(0xff) }, 413, 'document', /5 MB or smaller/],
  ])('refuses %s with a clear message, writing nothing', async (_name, overrides, status, field, message) => {
    const doctor = await createDoctor()
    const refused = await applyForVerification(viewerOf(doctor), application(overrides)).catch((error: unknown) => error)
    expect(refused).toMatchObject({ name: 'PublicError', status, field })
    expect((refused as Error).message).toMatch(message)
    expect(await rowOf(doctor.id)).toBeUndefined()
    expect(await documentsOf(doctor.id)).toEqual([])
  })

  it('accepts a PDF, and another country with its regulator', async () => {
    const doctor = await createDoctor()
    await applyForVerification(viewerOf(doctor), application({ council: 'other', regulatorName: 'General Medical Council', registrationNumber: '7012345', document: PDF }))
    expect(await getMyVerification(viewerOf(doctor))).toMatchObject({ state: 'pending', council: 'General Medical Council', numberMasked: '•••• 2345' })
  })

  it('refuses a second application while one waits, and withdrawing returns to unverified with the document deleted', async () => {
    const { doctor } = await pendingApplicant()
    await expect(applyForVerification(viewerOf(doctor), application())).rejects.toMatchObject({ status: 409 })
    await withdrawApplication(viewerOf(doctor))
    expect(await rowOf(doctor.id)).toBeUndefined()
    expect(await documentsOf(doctor.id)).toEqual([])
    expect((await getMyVerification(viewerOf(doctor))).state).toBe('unverified')
    await expect(withdrawApplication(viewerOf(doctor))).rejects.toMatchObject({ status: 409 })
  })
})

describe('encryption at rest', () => {
  const key = Buffer.alloc(32, 1)
  it('round-trips, uses a fresh IV each time, and refuses a wrong key or a changed byte', () => {
    const a = encryptRegistrationNumber('MMC-2874321', key)
    const b = encryptRegistrationNumber('MMC-2874321', key)
    expect(a).not.toBe(b)
    expect(Buffer.from(a, 'base64').toString('latin1')).not.toContain('2874321')
    expect(decryptRegistrationNumber(a, key)).toBe('MMC-2874321')
    expect(() => decryptRegistrationNumber(a, Buffer.alloc(32, 2))).toThrow(RegistrationNumberKeyError)
    const bytes = Buffer.from(a, 'base64')
    bytes[bytes.length - 1] ^= 1
    expect(() => decryptRegistrationNumber(bytes.toString('base64'), key)).toThrow(RegistrationNumberKeyError)
  })

  it('reads a stored number back only with the configured key', async () => {
    const staff = await verifier()
    const { id } = await pendingApplicant()
    expect((await openApplication(asVerifier(staff), id)).registrationNumber).toBe('MMC-2874321')
    await expect(openApplication(asVerifier(staff), id, { key: Buffer.alloc(32, 9) })).rejects.toBeInstanceOf(RegistrationNumberKeyError)
    expect(config().registrationNumberKey).toHaveLength(32)
  })
})

describe('review', () => {
  it('shows verifiers the queue, logs every view of an applicant, approves with method and date, deletes the document and tells the doctor', async () => {
    const staff = await verifier()
    const { doctor, id } = await pendingApplicant()
    expect((await listPendingApplications(asVerifier(staff))).map((a) => a.id)).toContain(id)
    const opened = await openApplication(asVerifier(staff), id)
    expect(opened).toMatchObject({ name: doctor.name, council: 'Maharashtra Medical Council', registrationYear: 2011, hasDocument: true, state: 'pending' })
    expect(opened.registerUrl).toMatch(/^https:\/\/www\.nmc\.org\.in\//)
    const document = await readApplicationDocument(asVerifier(staff), id)
    expect(document.type).toBe('image/png')
    expect(new Uint8Array(document.bytes)).toEqual(PNG)
    const [logged] = await rawSql()<{ n: number }[]>`select count(*)::int as n from personal_data_access_log where subject_user_id = ${doctor.id} and staff_id = ${staff.id}`
    expect(logged.n).toBe(2)

    const now = new Date('2026-03-01T10:00:00Z')
    await decideApplication(asVerifier(staff), id, { decision: 'approve' }, now)
    const [row] = await rawSql()<{ status: string; method: string; verified_at: string; reverify_due_at: string; document_path: string | null; decided_by: string }[]>`
      select status::text as status, method, to_json(verified_at)#>>'{}' as verified_at, to_json(reverify_due_at at time zone 'UTC')#>>'{}' as reverify_due_at,
        document_path, decided_by from doctor_verifications where id = ${id}`
    expect(row).toMatchObject({ status: 'verified', method: 'document', document_path: null, decided_by: staff.id })
    expect(new Date(row.verified_at).toISOString()).toBe(now.toISOString())
    expect(row.reverify_due_at).toBe('2031-03-01T10:00:00')
    expect(await documentsOf(doctor.id)).toEqual([])
    expect(await notices(doctor.id)).toEqual([expect.objectContaining({ kind: 'verification_decided', title: 'You are a verified doctor on Rounds' })])
    expect(await verificationBadge(doctor.id, now)).toEqual({ council: 'Maharashtra Medical Council', since: 2011 })
    await expect(decideApplication(asVerifier(staff), id, { decision: 'reject', reason: 'Too late' })).rejects.toMatchObject({ status: 409 })
    await expect(readApplicationDocument(asVerifier(staff), id)).rejects.toMatchObject({ status: 404 })
  })

  it('rejects only with a reason, which the doctor sees; they may apply again', async () => {
    const staff = await verifier()
    const { doctor, id } = await pendingApplicant()
    await expect(decideApplication(asVerifier(staff), id, { decision: 'reject', reason: ' ' })).rejects.toMatchObject({ status: 400, field: 'reason' })
    expect((await rowOf(doctor.id)).status).toBe('pending')
    await decideApplication(asVerifier(staff), id, { decision: 'reject', reason: 'The name on the certificate does not match the register' })
    expect(await getMyVerification(viewerOf(doctor))).toMatchObject({ state: 'rejected', reason: 'The name on the certificate does not match the register' })
    expect(await documentsOf(doctor.id)).toEqual([])
    expect((await notices(doctor.id))[0].body).toContain('does not match the register')
    expect(await verificationBadge(doctor.id)).toBeNull()
    await applyForVerification(viewerOf(doctor), application())
    expect((await getMyVerification(viewerOf(doctor))).state).toBe('pending')
  })

  it('refuses a review by anyone without the verifier duty, changing nothing', async () => {
    const { doctor, id } = await pendingApplicant()
    const member = await createDoctor()
    const officer = await createDoctor()
    await rawSql()`update users set role = 'staff' where id = ${officer.id}`
    // A duty left on an account that is no longer staff counts for nothing.
    const former = await createDoctor()
    await rawSql()`insert into staff_duties (user_id, duty) values (${former.id}, 'verifier')`
    for (const viewer of [null, viewerOf(member), viewerOf(officer, 'staff'), viewerOf(former), viewerOf(doctor)]) {
      await expect(listPendingApplications(viewer)).rejects.toMatchObject({ status: 404 })
      await expect(openApplication(viewer, id)).rejects.toMatchObject({ status: 404 })
      await expect(readApplicationDocument(viewer, id)).rejects.toMatchObject({ status: 404 })
      await expect(decideApplication(viewer, id, { decision: 'approve' })).rejects.toMatchObject({ status: 404 })
      await expect(revokeVerification(viewer, id, 'No reason at all')).rejects.toMatchObject({ status: 404 })
    }
    expect((await rowOf(doctor.id)).status).toBe('pending')
    expect(await documentsOf(doctor.id)).toHaveLength(1)
    const [logged] = await rawSql()<{ n: number }[]>`select count(*)::int as n from personal_data_access_log where subject_user_id = ${doctor.id}`
    expect(logged.n).toBe(0)
  })

  it('does not let a verifier decide their own application', async () => {
    const staff = await verifier()
    const { id } = await applyForVerification(asVerifier(staff), application())
    await expect(decideApplication(asVerifier(staff), id, { decision: 'approve' })).rejects.toMatchObject({ status: 403 })
  })

  it('revokes a verification with a reason, ending the badge', async () => {
    const staff = await verifier()
    const { doctor, id } = await pendingApplicant()
    await expect(revokeVerification(asVerifier(staff), id, 'Not verified yet')).rejects.toMatchObject({ status: 409 })
    await decideApplication(asVerifier(staff), id, { decision: 'approve' })
    await revokeVerification(asVerifier(staff), id, 'The council suspended this registration')
    expect(await getMyVerification(viewerOf(doctor))).toMatchObject({ state: 'revoked', reason: 'The council suspended this registration' })
    expect(await verificationBadge(doctor.id)).toBeNull()
    expect((await notices(doctor.id)).map((n) => n.title)).toContain('Your verification was revoked')
  })
})

describe('re-verification every 5 years', () => {
  it('is due after 5 years with the badge kept for 90 days, then lapses', async () => {
    const staff = await verifier()
    const { doctor, id } = await pendingApplicant()
    const approved = new Date('2026-01-10T00:00:00Z')
    await decideApplication(asVerifier(staff), id, { decision: 'approve' }, approved)
    const due = new Date('2031-01-10T00:00:00Z')
    expect((await getMyVerification(viewerOf(doctor), new Date(due.getTime() - DAY))).state).toBe('verified')
    expect((await getMyVerification(viewerOf(doctor), new Date(due.getTime() + DAY))).state).toBe('reverification_due')
    expect(await verificationBadge(doctor.id, new Date(due.getTime() + DAY))).not.toBeNull()
    // Applying again is allowed once due.
    await expect(applyForVerification(viewerOf(doctor), application(), { now: new Date(due.getTime() - DAY) })).rejects.toMatchObject({ status: 409 })

    const afterGrace = new Date(due.getTime() + 91 * DAY)
    expect(stateOf({ status: 'verified', reverifyDueAt: due }, afterGrace)).toBe('lapsed')
    expect(await verificationBadge(doctor.id, afterGrace)).toBeNull()
    expect(await lapseOverdueVerifications(new Date(due.getTime() + 89 * DAY))).toBe(0)
    expect(await lapseOverdueVerifications(afterGrace)).toBeGreaterThanOrEqual(1)
    expect(await getMyVerification(viewerOf(doctor), afterGrace)).toMatchObject({ state: 'lapsed' })
    expect((await notices(doctor.id)).map((n) => n.title)).toContain('Your verification has lapsed')
  })

  it('is lapsed by the scheduled job', async () => {
    const staff = await verifier()
    const { doctor, id } = await pendingApplicant()
    const approved = new Date(Date.now() - (5 * 365 + 100) * DAY)
    await decideApplication(asVerifier(staff), id, { decision: 'approve' }, approved)
    await scheduleJob({ queue: 'verification.lapse', singletonKey: 'verification.lapse' })
    expect(await runDueJobs()).toMatchObject({ failed: 0 })
    expect((await rowOf(doctor.id)).status).toBe('lapsed')
  })
})

describe('data rights', () => {
  it('exports the application with the number masked, never encrypted or in full', async () => {
    const { doctor } = await pendingApplicant()
    const data = await collectExport(doctor.id)
    const section = data.sections.find((s) => s.table === 'doctor_verifications')
    expect(section?.rowCount).toBe(1)
    expect(section?.rowsJson).toContain('•••• 4321')
    expect(section?.rowsJson).not.toContain('2874321')
    expect(section?.rowsJson).not.toContain('number_cipher')
    expect(section?.rowsJson).not.toContain('document_path')
    expect(data.redactedColumns['doctor_verifications.number_cipher']).toBeDefined()
  })

  it('erasure deletes the application and its document file', async () => {
    const { doctor } = await pendingApplicant()
    expect(await documentsOf(doctor.id)).toHaveLength(1)
    const asked = new Date()
    await requestErasure(viewerOf(doctor), asked)
    expect(await runDueJobs({ now: () => new Date(asked.getTime() + 8 * DAY) })).toMatchObject({ failed: 0 })
    expect(await rowOf(doctor.id)).toBeUndefined()
    expect(existsSync(path.join(verificationDocumentsDir(), doctor.id))).toBe(false)
  })
})
