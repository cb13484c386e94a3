import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  attendedMs,
  checkCertificate,
  creditedMinutes,
  getCertificateAdmin,
  issueMyCertificate,
  listMyLearning,
  meetsShare,
  normaliseCertificateId,
  revokeCertificate,
  setCertificateSettings,
  talkLengthMs,
} from '../../db/certificates'
import { rawSql } from '../../db/client'
import { collectExport, requestErasure } from '../../db/data-rights/index'
import { PublicError } from '../../db/errors'
import { runDueJobs } from '../../server/jobs/index'
import { addClubMember, createDoctor, createTalk, createTestClub, viewerOf, type TestDoctor } from '../support/factories'

const MIN = 60_000
const DAY = 24 * 60 * MIN
const T0 = new Date('2026-11-02T14:00:00Z')
const at = (minutes: number) => new Date(T0.getTime() + minutes * MIN)

/** A club with an owner, a talk that ran from T0 for `minutes`, and certificates set as given. */
async function endedTalk(options: { minutes?: number; scheduled?: number; settings?: { enabled?: boolean; minSharePercent?: number; credits?: number | null; creditProvider?: string | null } } = {}) {
  const owner = await createDoctor()
  const club = await createTestClub(owner)
  const talk = await createTalk({ clubId: club.id, hostId: owner.id, startsAt: T0, status: 'ended', title: 'Sepsis bundles in 2026' })
  await rawSql()`update talks set opened_at = ${T0.toISOString()}, ended_at = ${at(options.minutes ?? 60).toISOString()}, duration_minutes = ${options.scheduled ?? 60} where id = ${talk.id}`
  {
    await setCertificateSettings(viewerOf(owner), talk.id, {
      enabled: options.settings?.enabled ?? true,
      minSharePercent: options.settings?.minSharePercent ?? 75,
      credits: options.settings?.credits ?? null,
      creditProvider: options.settings?.creditProvider ?? null,
    })
  }
  return { owner, club, talk }
}

async function stay(talkId: string, doctor: { id: string }, from: number, to: number | null) {
  await rawSql()`insert into talk_attendance (id, talk_id, user_id, socket_id, joined_at, left_at)
    values (${randomUUID()}, ${talkId}, ${doctor.id}, ${randomUUID()}, ${at(from).toISOString()}, ${to === null ? null : at(to).toISOString()})`
}

const certificateRows = async (talkId: string) => rawSql()<{ id: string; user_id: string | null; revoked_at: Date | null }[]>`
  select id, user_id, revoked_at from attendance_certificates where talk_id = ${talkId} order by issued_at`

async function refusal(work: Promise<unknown>) {
  try {
    await work
  } catch (error) {
    if (error instanceof PublicError) return { status: error.status, message: error.message }
    throw error
  }
  throw new Error('Expected a refusal.')
}

describe('minutes from stays', () => {
  const period = { openedAt: at(0), endedAt: at(60), durationMinutes: 60 }

  it('merges overlapping stays, leaves out the time away and what lies outside the open room', () => {
    const stays = [
      { joinedAt: at(-10), leftAt: at(20) }, // 10 minutes before the room opened do not count
      { joinedAt: at(10), leftAt: at(30) }, // a second tab: overlaps, counts once
      { joinedAt: at(40), leftAt: at(52) }, // after a 10-minute break
      { joinedAt: at(58), leftAt: at(90) }, // the room closed at 60
    ]
    expect(attendedMs(stays, period, at(200)) / MIN).toBe(30 + 12 + 2)
  })

  it('rounds down to whole steps of 15 minutes', () => {
    expect([0, 14, 15, 29, 30, 44, 59, 60, 61].map((m) => creditedMinutes(m * MIN + 59_000))).toEqual([0, 0, 15, 15, 30, 30, 45, 60, 60])
  })

  it('counts a talk as no longer than it was scheduled for', () => {
    expect(talkLengthMs({ openedAt: at(0), endedAt: at(180), durationMinutes: 60 }, at(200)) / MIN).toBe(60)
    expect(talkLengthMs({ openedAt: at(0), endedAt: at(40), durationMinutes: 60 }, at(200)) / MIN).toBe(40)
  })

  it('meets the share at exactly the percentage, not a second less, and never below one step', () => {
    expect(meetsShare(45 * MIN, 60 * MIN, 75)).toBe(true)
    expect(meetsShare(45 * MIN - 1000, 60 * MIN, 75)).toBe(false)
    expect(meetsShare(10 * MIN, 10 * MIN, 75)).toBe(false)
  })
})

describe('My learning and issuing', () => {
  it('lists an attended talk with merged minutes; below the share gives no certificate and writes nothing', async () => {
    const { talk } = await endedTalk({ settings: { minSharePercent: 75 } })
    const doctor = await createDoctor()
    await stay(talk.id, doctor, -10, 20)
    await stay(talk.id, doctor, 10, 30)
    await stay(talk.id, doctor, 40, 52)
    const { entries, years } = await listMyLearning(viewerOf(doctor))
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ talkId: talk.id, minutes: 30, talkMinutes: 60, standing: 'too-short', minSharePercent: 75 })
    expect(years).toEqual([{ year: 2026, minutes: 30, certificates: 0, credits: '0.00' }])
    const refused = await refusal(issueMyCertificate(viewerOf(doctor), talk.id))
    expect(refused.status).toBe(403)
    expect(refused.message).toContain('42 of 60 minutes')
    expect(await certificateRows(talk.id)).toHaveLength(0)
  })

  it('issues once to a doctor who met the share; a second download is the same certificate', async () => {
    const { talk, club } = await endedTalk({ settings: { minSharePercent: 70, credits: 1.5, creditProvider: 'Indian Medical Association' } })
    const doctor = await createDoctor({ name: 'डॉ. प्रिया शर्मा' })
    await stay(talk.id, doctor, 0, 30)
    await stay(talk.id, doctor, 28, 43) // overlaps: 43 minutes in all, 42 needed
    expect((await listMyLearning(viewerOf(doctor))).entries[0].standing).toBe('available')
    const [first, again] = await Promise.all([issueMyCertificate(viewerOf(doctor), talk.id), issueMyCertificate(viewerOf(doctor), talk.id)])
    expect(again.id).toBe(first.id)
    expect(first).toMatchObject({ holderName: 'डॉ. प्रिया शर्मा', talkTitle: 'Sepsis bundles in 2026', clubName: club.name, minutes: 30, credits: '1.50', creditProvider: 'Indian Medical Association' })
    expect(first.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{20}$/)
    expect(await certificateRows(talk.id)).toHaveLength(1)
    const learning = await listMyLearning(viewerOf(doctor))
    expect(learning.entries[0]).toMatchObject({ standing: 'issued', certificate: { id: first.id } })
    expect(learning.years).toEqual([{ year: 2026, minutes: 30, certificates: 1, credits: '1.50' }])
    // Renaming the talk later does not rewrite the certificate.
    await rawSql()`update talks set title = 'Renamed' where id = ${talk.id}`
    expect((await issueMyCertificate(viewerOf(doctor), talk.id)).talkTitle).toBe('Sepsis bundles in 2026')
  })

  it('refuses a talk not attended, one that gives none, one still live, and bad ids, writing nothing', async () => {
    const { talk, owner } = await endedTalk()
    const stranger = await createDoctor()
    expect(await refusal(issueMyCertificate(viewerOf(stranger), talk.id))).toMatchObject({ status: 403 })
    expect(await refusal(issueMyCertificate(viewerOf(stranger), 'not-a-talk'))).toMatchObject({ status: 404 })
    expect(await refusal(issueMyCertificate(null, talk.id))).toMatchObject({ status: 401 })

    const doctor = await createDoctor()
    await stay(talk.id, doctor, 0, 60)
    await setCertificateSettings(viewerOf(owner), talk.id, { enabled: false, minSharePercent: 75, credits: null, creditProvider: null })
    expect(await refusal(issueMyCertificate(viewerOf(doctor), talk.id))).toMatchObject({ status: 403, message: 'This talk does not give certificates.' })

    const removed = await endedTalk()
    await stay(removed.talk.id, doctor, 0, 60)
    await rawSql()`insert into talk_removals (talk_id, user_id, removed_by) values (${removed.talk.id}, ${doctor.id}, ${removed.owner.id})`
    expect(await refusal(issueMyCertificate(viewerOf(doctor), removed.talk.id))).toMatchObject({ status: 403, message: expect.stringContaining('removed you') })
    expect(await certificateRows(removed.talk.id)).toHaveLength(0)

    const live = await endedTalk()
    await rawSql()`update talks set status = 'live', ended_at = null where id = ${live.talk.id}`
    await stay(live.talk.id, doctor, 0, null)
    expect(await refusal(issueMyCertificate(viewerOf(doctor), live.talk.id))).toMatchObject({ status: 409 })
    expect(await certificateRows(talk.id)).toHaveLength(0)
    expect(await certificateRows(live.talk.id)).toHaveLength(0)
  })
})

describe('the club’s admins', () => {
  it('only they change the settings, and bad values are refused with nothing changed', async () => {
    const { talk, club, owner } = await endedTalk({ settings: { minSharePercent: 80 } })
    const host = await createDoctor()
    await addClubMember(club, host, 'moderator')
    const admin = await createDoctor()
    await addClubMember(club, admin, 'admin')
    const input = { enabled: true, minSharePercent: 50, credits: null, creditProvider: null }
    expect(await refusal(setCertificateSettings(viewerOf(host), talk.id, input))).toMatchObject({ status: 403 })
    expect(await refusal(setCertificateSettings(viewerOf(admin), talk.id, { ...input, minSharePercent: 0 }))).toMatchObject({ status: 400 })
    expect(await refusal(setCertificateSettings(viewerOf(admin), talk.id, { ...input, credits: 2 }))).toMatchObject({ status: 400, message: expect.stringContaining('provider') })
    expect(await refusal(setCertificateSettings(viewerOf(admin), talk.id, { ...input, credits: 1.234, creditProvider: 'X' }))).toMatchObject({ status: 400 })
    expect((await getCertificateAdmin(viewerOf(owner), talk.id)).settings).toMatchObject({ enabled: true, minSharePercent: 80 })
    await setCertificateSettings(viewerOf(admin), talk.id, input)
    expect((await getCertificateAdmin(viewerOf(admin), talk.id)).settings).toMatchObject({ minSharePercent: 50 })
    expect(await refusal(getCertificateAdmin(viewerOf(host), talk.id))).toMatchObject({ status: 403 })
  })

  it('revoke: only an admin, with a reason; the check then says revoked and when, never why', async () => {
    const { talk, club, owner } = await endedTalk()
    const doctor = await createDoctor()
    const member = await createDoctor()
    await addClubMember(club, member)
    await stay(talk.id, doctor, 0, 60)
    const issued = await issueMyCertificate(viewerOf(doctor), talk.id)
    expect(await refusal(revokeCertificate(viewerOf(member), issued.id, 'Not there'))).toMatchObject({ status: 403 })
    expect(await refusal(revokeCertificate(viewerOf(doctor), issued.id, 'Not there'))).toMatchObject({ status: 403 })
    expect(await refusal(revokeCertificate(viewerOf(owner), issued.id, ''))).toMatchObject({ status: 400 })
    expect(await refusal(revokeCertificate(viewerOf(owner), 'FORGED', 'Reason here'))).toMatchObject({ status: 404 })
    expect((await certificateRows(talk.id))[0].revoked_at).toBeNull()

    const when = new Date('2026-11-20T10:00:00Z')
    await revokeCertificate(viewerOf(owner), issued.id, 'Camera showed an empty room for most of the talk', when)
    const check = await checkCertificate(issued.id)
    expect(check).toMatchObject({ state: 'revoked', revokedAt: when.toISOString() })
    expect(JSON.stringify(check)).not.toContain('empty room')
    expect(await refusal(revokeCertificate(viewerOf(owner), issued.id, 'Again'))).toMatchObject({ status: 409 })
    expect(await refusal(issueMyCertificate(viewerOf(doctor), talk.id))).toMatchObject({ status: 410 })
    const mine = (await listMyLearning(viewerOf(doctor))).entries[0]
    expect(mine).toMatchObject({ standing: 'revoked', certificate: { revokeReason: 'Camera showed an empty room for most of the talk' } })
  })
})

describe('the public check', () => {
  it('says valid with the printed facts only; typed numbers are forgiving; a forged one is 404', async () => {
    const { talk } = await endedTalk()
    const doctor = await createDoctor({ name: 'Dr Meera Iyer', profile: { visibility: 'private', city: 'Chennai', bio: 'Private bio' } })
    await stay(talk.id, doctor, 0, 60)
    const issued = await issueMyCertificate(viewerOf(doctor), talk.id)
    const check = await checkCertificate(issued.id.toLowerCase().match(/.{1,4}/g)!.join('-'))
    expect(Object.keys(check).sort()).toEqual(['clubName', 'credits', 'creditProvider', 'heldAt', 'holderName', 'id', 'issuedAt', 'minutes', 'state', 'talkTitle'].sort())
    expect(check).toMatchObject({ state: 'valid', holderName: 'Dr Meera Iyer', minutes: 60 })
    expect(JSON.stringify(check)).not.toMatch(/Chennai|Private bio|@|handle|userId/)
    expect(normaliseCertificateId('O0IL')).toBeNull()
    await expect(checkCertificate('ABCDEFGHJKMNPQRSTVWX')).rejects.toMatchObject({ status: 404 })
    await expect(checkCertificate('../../etc/passwd')).rejects.toMatchObject({ status: 404 })
  })

  it('a hidden account’s certificate is unavailable, and comes back when the account does', async () => {
    const { talk } = await endedTalk()
    const doctor = await createDoctor()
    await stay(talk.id, doctor, 0, 60)
    const issued = await issueMyCertificate(viewerOf(doctor), talk.id)
    await rawSql()`update users set deactivated_at = now() where id = ${doctor.id}`
    expect(await checkCertificate(issued.id)).toEqual({ state: 'unavailable', id: issued.id })
    await rawSql()`update users set deactivated_at = null where id = ${doctor.id}`
    expect(await checkCertificate(issued.id)).toMatchObject({ state: 'valid' })
  })

  it('is in the export, and erasure leaves a number that says only "no longer available"', async () => {
    const { talk, owner } = await endedTalk()
    const doctor: TestDoctor = await createDoctor({ name: 'Dr Qwvxz Erasable' })
    await stay(talk.id, doctor, 0, 60)
    const issued = await issueMyCertificate(viewerOf(doctor), talk.id)
    const exported = await collectExport(doctor.id)
    const section = exported.sections.find((s) => s.table === 'attendance_certificates')
    expect(section?.rowCount).toBe(1)
    expect(section?.rowsJson).toContain(issued.id)

    const asked = new Date()
    await requestErasure(viewerOf(doctor), asked)
    expect(await runDueJobs({ now: () => new Date(asked.getTime() + 8 * DAY) })).toMatchObject({ failed: 0 })
    const [row] = await rawSql()`select user_id, holder_name from attendance_certificates where id = ${issued.id}`
    expect(row).toEqual({ user_id: null, holder_name: null })
    expect(await checkCertificate(issued.id)).toEqual({ state: 'unavailable', id: issued.id })
    const admin = await getCertificateAdmin(viewerOf(owner), talk.id)
    expect(admin.issued).toHaveLength(1)
    expect(admin.issued[0].holderName).toBeNull()
  })
})
