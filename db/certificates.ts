import { randomBytes } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { activeUserSql, can, type ClubRole } from './access/index'
import { db, type Database, type Transaction } from './client'
import { PublicError } from './errors'
import { isId } from './ids'
import { mergeSpans, type Span } from './live/attendance'
import { attendanceCertificates, clubMembers, clubs, profiles, talkAttendance, talkCertificateSettings, talkRemovals, talks } from './schema/index'
import type { Viewer } from './viewer'

/*
 * Attendance certificates and "My learning" (docs/decisions/029-attendance-certificates.md).
 *
 * Minutes come from a person's stays in the live room (db/live/attendance.ts): each stay clipped
 * to the talk's open period, stays that overlap merged, the time between stays not counted, and
 * the total rounded down to whole steps of 15 minutes. A certificate is issued on its first
 * download, once the talk has ended, to a doctor who attended at least the share the club's admins
 * set; its facts are copied in then, so it never changes afterwards. Its id, printed on it, is
 * random; anyone holding it may check it at /certificates/<id>.
 */

export const MINUTE_STEP = 15
export const DEFAULT_MIN_SHARE_PERCENT = 75
const MINUTE_MS = 60_000

// ---------------------------------------------------------------- pure rules

export type Stay = { joinedAt: Date; leftAt: Date | null }
export type OpenPeriod = { openedAt: Date | null; endedAt: Date | null; durationMinutes: number }

/** Time in the room, in ms: stays clipped to the open period (until `now` while live), overlaps merged, gaps not counted. */
export function attendedMs(stays: Stay[], period: OpenPeriod, now: Date): number {
  if (!period.openedAt) return 0
  const from = period.openedAt.getTime()
  const until = (period.endedAt ?? now).getTime()
  const spans: Span[] = []
  for (const stay of stays) {
    const start = Math.max(stay.joinedAt.getTime(), from)
    const end = Math.min(stay.leftAt ? stay.leftAt.getTime() : until, until)
    if (end > start) spans.push({ start, end, open: false })
  }
  return mergeSpans(spans).reduce((sum, s) => sum + (s.end - s.start), 0)
}

/** Minutes credited for a time in the room: whole steps of 15 minutes, rounded down. */
export function creditedMinutes(ms: number): number {
  return Math.floor(ms / (MINUTE_STEP * MINUTE_MS)) * MINUTE_STEP
}

/**
 * How long the talk counts as, in ms: the time its room was open, but no longer than it was
 * scheduled for, so a room left open after the talk does not raise the bar for those who left.
 */
export function talkLengthMs(period: OpenPeriod, now: Date): number {
  if (!period.openedAt) return 0
  const open = (period.endedAt ?? now).getTime() - period.openedAt.getTime()
  return Math.max(0, Math.min(open, period.durationMinutes * MINUTE_MS))
}

/** Whether a time in the room meets the share: at least one credited step, and at least minSharePercent of the talk. */
export function meetsShare(attended: number, length: number, minSharePercent: number): boolean {
  return length > 0 && creditedMinutes(attended) >= MINUTE_STEP && attended * 100 >= length * minSharePercent
}

// ---------------------------------------------------------------- certificate numbers

// Crockford's base32: no I, L, O or U, so a number read off paper is typed back right.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const NUMBER_LENGTH = 20 // 100 random bits

export function newCertificateId(): string {
  const bytes = randomBytes(NUMBER_LENGTH)
  let out = ''
  for (const b of bytes) out += ALPHABET[b & 31]
  return out
}

/** A certificate number as typed or scanned: case, spaces and dashes do not matter; I, L → 1 and O → 0. Null when it cannot be one. */
export function normaliseCertificateId(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 60) return null
  const cleaned = input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0')
  return new RegExp(`^[${ALPHABET}]{${NUMBER_LENGTH}}$`).test(cleaned) ? cleaned : null
}

/** The number in groups of four, as printed. */
export const formatCertificateId = (id: string) => id.match(/.{1,4}/g)?.join('-') ?? id

// ---------------------------------------------------------------- My learning

export type CertificateSettings = { enabled: boolean; minSharePercent: number; credits: string | null; creditProvider: string | null }

export type IssuedCertificate = {
  id: string
  minutes: number
  credits: string | null
  creditProvider: string | null
  issuedAt: string
  revokedAt: string | null
  revokeReason: string | null
}

/** Where a doctor stands with one talk's certificate. */
export type CertificateStanding =
  | 'issued' // a valid certificate: download it again
  | 'available' // met the share: the first download issues it
  | 'not-ended' // the talk is still live
  | 'too-short' // attended less than the share
  | 'not-offered' // the club gives no certificates for this talk
  | 'revoked'

export type LearningEntry = {
  talkId: string | null
  title: string
  club: { name: string; slug: string | null }
  heldAt: string
  minutes: number
  talkMinutes: number
  minSharePercent: number | null
  credits: string | null
  creditProvider: string | null
  standing: CertificateStanding
  certificate: IssuedCertificate | null
}

export type YearTotal = { year: number; minutes: number; certificates: number; credits: string }

export type MyLearning = { entries: LearningEntry[]; years: YearTotal[] }

type TalkRow = {
  talkId: string
  title: string
  clubName: string
  clubSlug: string
  status: 'scheduled' | 'live' | 'ended'
  openedAt: string | null
  endedAt: string | null
  cancelledAt: string | null
  startsAt: string
  durationMinutes: number
  enabled: boolean | null
  minSharePercent: number | null
  credits: string | null
  creditProvider: string | null
  removed: boolean
}

/** A stored certificate as read: its facts (without the holder's name) and its standing. */
type CertificateRow = Omit<CertificateFacts, 'holderName'> & {
  talkId: string | null
  revokedAt: string | null
  revokeReason: string | null
}

const date = (value: string | Date | null) => (value === null ? null : new Date(value))
const iso = (value: string | Date) => new Date(value).toISOString()

function certificateOf(row: CertificateRow): IssuedCertificate {
  return {
    id: row.id,
    minutes: row.minutes,
    credits: row.credits,
    creditProvider: row.creditProvider,
    issuedAt: iso(row.issuedAt),
    revokedAt: row.revokedAt ? iso(row.revokedAt) : null,
    revokeReason: row.revokeReason,
  }
}

/** The talks a person attended, with their stays, as one read. */
async function attendedTalks(executor: Database | Transaction, userId: string, talkId?: string) {
  const onlyTalk = talkId ? sql`and t.id = ${talkId}` : sql``
  const [talkRows, stays, certificates] = await Promise.all([
    executor.execute<TalkRow>(sql`
      select t.id as "talkId", t.title, c.name as "clubName", c.slug as "clubSlug", t.status,
        t.opened_at as "openedAt", t.ended_at as "endedAt", t.cancelled_at as "cancelledAt",
        t.starts_at as "startsAt", t.duration_minutes as "durationMinutes",
        s.enabled, s.min_share_percent as "minSharePercent", s.credits::text as credits, s.credit_provider as "creditProvider",
        exists (select 1 from ${talkRemovals} x where x.talk_id = t.id and x.user_id = ${userId}) as removed
      from ${talks} t
      join ${clubs} c on c.id = t.club_id
      left join ${talkCertificateSettings} s on s.talk_id = t.id
      where t.id in (select a.talk_id from ${talkAttendance} a where a.user_id = ${userId}) ${onlyTalk}`),
    executor.execute<{ talkId: string; joinedAt: string; leftAt: string | null }>(sql`
      select a.talk_id as "talkId", a.joined_at as "joinedAt", a.left_at as "leftAt"
      from ${talkAttendance} a where a.user_id = ${userId} ${talkId ? sql`and a.talk_id = ${talkId}` : sql``}`),
    executor.execute<CertificateRow>(sql`
      select id, talk_id as "talkId", talk_title as "talkTitle", club_name as "clubName", held_at as "heldAt", minutes,
        credits::text as credits, credit_provider as "creditProvider", issued_at as "issuedAt", revoked_at as "revokedAt",
        revoke_reason as "revokeReason"
      from ${attendanceCertificates} where user_id = ${userId} ${talkId ? sql`and talk_id = ${talkId}` : sql``}`),
  ])
  const staysByTalk = new Map<string, Stay[]>()
  for (const s of stays) {
    const list = staysByTalk.get(s.talkId) ?? []
    list.push({ joinedAt: new Date(s.joinedAt), leftAt: date(s.leftAt) })
    staysByTalk.set(s.talkId, list)
  }
  return { talkRows, staysByTalk, certificates }
}

function standingOf(row: TalkRow, stays: Stay[], certificate: CertificateRow | undefined, now: Date) {
  const period: OpenPeriod = { openedAt: date(row.openedAt), endedAt: date(row.endedAt), durationMinutes: row.durationMinutes }
  const attended = attendedMs(stays, period, now)
  const length = talkLengthMs(period, now)
  const offered = row.enabled === true && !row.cancelledAt
  let standing: CertificateStanding
  if (certificate) standing = certificate.revokedAt ? 'revoked' : 'issued'
  else if (!offered || row.removed) standing = 'not-offered'
  else if (row.status !== 'ended') standing = 'not-ended'
  else standing = meetsShare(attended, length, row.minSharePercent ?? DEFAULT_MIN_SHARE_PERCENT) ? 'available' : 'too-short'
  return { attended, length, standing, period }
}

/** Every talk the viewer attended, newest first, with minutes and certificates, and totals per year. */
export async function listMyLearning(viewer: Viewer, now = new Date()): Promise<MyLearning> {
  if (!viewer) throw new PublicError('Sign in to see your learning.', 401)
  const { talkRows, staysByTalk, certificates } = await attendedTalks(db, viewer.userId)
  const byTalk = new Map(certificates.filter((c) => c.talkId).map((c) => [c.talkId!, c]))
  const entries: LearningEntry[] = []
  for (const row of talkRows) {
    const certificate = byTalk.get(row.talkId)
    const { attended, length, standing, period } = standingOf(row, staysByTalk.get(row.talkId) ?? [], certificate, now)
    if (attended <= 0 && !certificate) continue
    entries.push({
      talkId: row.talkId,
      title: certificate?.talkTitle ?? row.title,
      club: { name: row.clubName, slug: row.clubSlug },
      heldAt: iso(period.openedAt ?? row.startsAt),
      minutes: certificate?.minutes ?? creditedMinutes(attended),
      talkMinutes: Math.floor(length / MINUTE_MS),
      minSharePercent: row.enabled ? (row.minSharePercent ?? DEFAULT_MIN_SHARE_PERCENT) : null,
      credits: certificate ? certificate.credits : row.enabled ? row.credits : null,
      creditProvider: certificate ? certificate.creditProvider : row.enabled ? row.creditProvider : null,
      standing,
      certificate: certificate ? certificateOf(certificate) : null,
    })
  }
  // Certificates whose talk is gone (its club was closed) are still the doctor's.
  for (const c of certificates.filter((c) => !c.talkId)) {
    entries.push({
      talkId: null,
      title: c.talkTitle,
      club: { name: c.clubName, slug: null },
      heldAt: iso(c.heldAt),
      minutes: c.minutes,
      talkMinutes: c.minutes,
      minSharePercent: null,
      credits: c.credits,
      creditProvider: c.creditProvider,
      standing: c.revokedAt ? 'revoked' : 'issued',
      certificate: certificateOf(c),
    })
  }
  entries.sort((a, b) => b.heldAt.localeCompare(a.heldAt))
  return { entries, years: yearTotals(entries) }
}

/** Minutes attended, valid certificates and their credits, per calendar year (UTC) of the talk. */
export function yearTotals(entries: LearningEntry[]): YearTotal[] {
  const years = new Map<number, { minutes: number; certificates: number; hundredths: number }>()
  for (const e of entries) {
    const year = new Date(e.heldAt).getUTCFullYear()
    const total = years.get(year) ?? { minutes: 0, certificates: 0, hundredths: 0 }
    total.minutes += e.minutes
    if (e.standing === 'issued') {
      total.certificates++
      if (e.certificate?.credits) total.hundredths += Math.round(Number(e.certificate.credits) * 100)
    }
    years.set(year, total)
  }
  return [...years.entries()]
    .sort((a, b) => b[0] - a[0])
    .map(([year, t]) => ({ year, minutes: t.minutes, certificates: t.certificates, credits: (t.hundredths / 100).toFixed(2) }))
}

// ---------------------------------------------------------------- issuing

/** What a certificate says, as printed on it and shown by its verify page. */
export type CertificateFacts = {
  id: string
  holderName: string
  talkTitle: string
  clubName: string
  heldAt: string
  minutes: number
  credits: string | null
  creditProvider: string | null
  issuedAt: string
}

/**
 * The viewer's certificate for a talk: issued now if they qualify and have none yet, the same
 * one again if they have. Refused, with nothing written, for a talk they did not attend, one that
 * gives no certificates, has not ended, or that they attended for less than the share.
 */
export async function issueMyCertificate(viewer: Viewer, talkId: string, now = new Date()): Promise<CertificateFacts> {
  if (!viewer) throw new PublicError('Sign in to download your certificate.', 401)
  if (!isId(talkId)) throw new PublicError('We could not find that talk.', 404)
  return db.transaction(async (tx) => {
    // One issue at a time per person and talk, so two clicks make one certificate.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`certificate:${talkId}:${viewer.userId}`}))`)
    const { talkRows, staysByTalk, certificates } = await attendedTalks(tx, viewer.userId, talkId)
    const row = talkRows[0]
    const existing = certificates[0]
    if (existing) {
      if (existing.revokedAt) throw new PublicError('The club’s admins revoked this certificate, so it can no longer be downloaded.', 410)
      return factsOf(tx, existing, viewer.userId)
    }
    if (!row) throw new PublicError('You did not attend this talk, so there is no certificate for it.', 403)
    const { attended, length, standing, period } = standingOf(row, staysByTalk.get(row.talkId) ?? [], undefined, now)
    if (attended <= 0) throw new PublicError('You did not attend this talk, so there is no certificate for it.', 403)
    if (row.removed) throw new PublicError('The hosts removed you from this talk, so it gives you no certificate.', 403)
    if (standing === 'not-offered') throw new PublicError('This talk does not give certificates.', 403)
    if (standing === 'not-ended') throw new PublicError('Your certificate is ready once the talk has ended.', 409)
    if (standing === 'too-short') {
      const share = row.minSharePercent ?? DEFAULT_MIN_SHARE_PERCENT
      throw new PublicError(
        `You attended ${Math.floor(attended / MINUTE_MS)} of ${Math.floor(length / MINUTE_MS)} minutes; a certificate needs ${share}% of the talk.`,
        403,
      )
    }
    const [profile] = await tx.execute<{ name: string }>(sql`select name from ${profiles} where user_id = ${viewer.userId}`)
    if (!profile) throw new PublicError('Sign in to download your certificate.', 401)
    const [club] = await tx.execute<{ id: string }>(sql`select club_id as id from ${talks} where id = ${row.talkId}`)
    const [inserted] = await tx
      .insert(attendanceCertificates)
      .values({
        id: newCertificateId(),
        talkId: row.talkId,
        clubId: club.id,
        userId: viewer.userId,
        holderName: profile.name,
        talkTitle: row.title,
        clubName: row.clubName,
        heldAt: period.openedAt!,
        minutes: creditedMinutes(attended),
        credits: row.credits,
        creditProvider: row.creditProvider,
        issuedAt: now,
      })
      .returning()
    return {
      id: inserted.id,
      holderName: profile.name,
      talkTitle: inserted.talkTitle,
      clubName: inserted.clubName,
      heldAt: iso(inserted.heldAt),
      minutes: inserted.minutes,
      credits: inserted.credits,
      creditProvider: inserted.creditProvider,
      issuedAt: iso(inserted.issuedAt),
    }
  })
}

async function factsOf(executor: Database | Transaction, row: CertificateRow, userId: string): Promise<CertificateFacts> {
  const [holder] = await executor.execute<{ holderName: string | null }>(
    sql`select holder_name as "holderName" from ${attendanceCertificates} where id = ${row.id} and user_id = ${userId}`,
  )
  return {
    id: row.id,
    holderName: holder?.holderName ?? '',
    talkTitle: row.talkTitle,
    clubName: row.clubName,
    heldAt: iso(row.heldAt),
    minutes: row.minutes,
    credits: row.credits,
    creditProvider: row.creditProvider,
    issuedAt: iso(row.issuedAt),
  }
}

// ---------------------------------------------------------------- the public check

export type CertificateCheck =
  | ({ state: 'valid' } & CertificateFacts)
  | ({ state: 'revoked'; revokedAt: string } & CertificateFacts)
  /** The holder erased or hid their account: nothing more is said. */
  | { state: 'unavailable'; id: string }

const NO_SUCH_CERTIFICATE = 'No certificate has this number. Check it against the number printed on the certificate.'

/**
 * What anyone holding a certificate's number may learn: whether it is valid or revoked (and
 * when), and the facts printed on it. Nothing else about the holder, and no reason for a
 * revocation. A holder who erased or hid their account is not named.
 */
export async function checkCertificate(idInput: unknown): Promise<CertificateCheck> {
  const id = normaliseCertificateId(idInput)
  if (!id) throw new PublicError(NO_SUCH_CERTIFICATE, 404)
  const [row] = await db.execute<CertificateRow & { holderName: string | null; present: boolean }>(sql`
    select id, talk_title as "talkTitle", club_name as "clubName", held_at as "heldAt", minutes, credits::text as credits,
      credit_provider as "creditProvider", issued_at as "issuedAt", revoked_at as "revokedAt", holder_name as "holderName",
      (user_id is not null and ${activeUserSql(sql`${attendanceCertificates}.user_id`)}) as present
    from ${attendanceCertificates} where id = ${id}`)
  if (!row) throw new PublicError(NO_SUCH_CERTIFICATE, 404)
  if (!row.present || !row.holderName) return { state: 'unavailable', id: row.id }
  const facts: CertificateFacts = {
    id: row.id,
    holderName: row.holderName,
    talkTitle: row.talkTitle,
    clubName: row.clubName,
    heldAt: iso(row.heldAt),
    minutes: row.minutes,
    credits: row.credits,
    creditProvider: row.creditProvider,
    issuedAt: iso(row.issuedAt),
  }
  return row.revokedAt ? { state: 'revoked', revokedAt: iso(row.revokedAt), ...facts } : { state: 'valid', ...facts }
}

// ---------------------------------------------------------------- the club's admins

type AdminTalk = { talkId: string; title: string; clubId: string; clubSlug: string; clubName: string; status: string; cancelled: boolean }

const notAdmin = () => new PublicError('Only the club’s admins can manage certificates.', 403)
const noTalk = () => new PublicError('We could not find that talk.', 404)

async function requireCertificateAdmin(executor: Database | Transaction, viewer: Viewer, talkId: string): Promise<AdminTalk> {
  if (!viewer) throw new PublicError('Sign in to manage certificates.', 401)
  if (!isId(talkId)) throw noTalk()
  const [row] = await executor.execute<AdminTalk & { role: ClubRole | null }>(sql`
    select t.id as "talkId", t.title, c.id as "clubId", c.slug as "clubSlug", c.name as "clubName", t.status,
      (t.cancelled_at is not null) as cancelled,
      (select m.role from ${clubMembers} m where m.club_id = c.id and m.user_id = ${viewer.userId}) as role
    from ${talks} t join ${clubs} c on c.id = t.club_id where t.id = ${talkId}`)
  if (!row) throw noTalk()
  if (!can(row.role, 'manage:certificates')) throw notAdmin()
  return row
}

export type CertificateAdminPage = {
  talk: AdminTalk
  settings: CertificateSettings
  issued: (IssuedCertificate & { holderName: string | null })[]
}

/** A talk's certificate settings and the certificates issued for it: the club's admins only. */
export async function getCertificateAdmin(viewer: Viewer, talkId: string): Promise<CertificateAdminPage> {
  const talk = await requireCertificateAdmin(db, viewer, talkId)
  const [[settings], issued] = await Promise.all([
    db.execute<CertificateSettings>(sql`
      select enabled, min_share_percent as "minSharePercent", credits::text as credits, credit_provider as "creditProvider"
      from ${talkCertificateSettings} where talk_id = ${talk.talkId}`),
    db.execute<CertificateRow & { holderName: string | null }>(sql`
      select id, talk_id as "talkId", talk_title as "talkTitle", club_name as "clubName", held_at as "heldAt", minutes,
        credits::text as credits, credit_provider as "creditProvider", issued_at as "issuedAt", revoked_at as "revokedAt",
        revoke_reason as "revokeReason",
        case when ${activeUserSql(sql`${attendanceCertificates}.user_id`)} then holder_name end as "holderName"
      from ${attendanceCertificates} where talk_id = ${talk.talkId}
      order by issued_at, id`),
  ])
  return {
    talk,
    settings: settings ?? { enabled: false, minSharePercent: DEFAULT_MIN_SHARE_PERCENT, credits: null, creditProvider: null },
    issued: issued.map((row) => ({ ...certificateOf(row), holderName: row.holderName })),
  }
}

export type CertificateSettingsInput = { enabled: boolean; minSharePercent: number; credits: number | null; creditProvider: string | null }

/** Sets whether a talk gives certificates, the share to attend and any designated credits. Certificates already issued keep what they say. */
export async function setCertificateSettings(viewer: Viewer, talkId: string, input: CertificateSettingsInput, now = new Date()) {
  const share = input.minSharePercent
  if (!Number.isInteger(share) || share < 1 || share > 100) throw new PublicError('Enter a share from 1 to 100 percent.', 400, 'minSharePercent')
  const provider = input.creditProvider?.trim() || null
  const credits = input.credits
  if (credits !== null && (!Number.isFinite(credits) || credits <= 0 || credits > 100 || Math.round(credits * 100) !== credits * 100)) {
    throw new PublicError('Enter credits from 0.01 to 100, with at most two decimals.', 400, 'credits')
  }
  if (provider && provider.length > 200) throw new PublicError('Keep the provider’s name under 200 characters.', 400, 'creditProvider')
  if ((credits === null) !== (provider === null)) {
    throw new PublicError(
      credits === null ? 'Enter the credits the provider designated, or leave the provider empty.' : 'Enter the name of the accredited provider who designated the credits.',
      400,
      credits === null ? 'credits' : 'creditProvider',
    )
  }
  return db.transaction(async (tx) => {
    const talk = await requireCertificateAdmin(tx, viewer, talkId)
    const values = {
      enabled: input.enabled,
      minSharePercent: share,
      credits: credits === null ? null : credits.toFixed(2),
      creditProvider: provider,
      updatedBy: viewer!.userId,
      updatedAt: now,
    }
    await tx
      .insert(talkCertificateSettings)
      .values({ talkId: talk.talkId, ...values })
      .onConflictDoUpdate({ target: talkCertificateSettings.talkId, set: values })
    return { talkId: talk.talkId }
  })
}

/** Revokes a certificate, with a reason the holder sees; its verify page then says it was revoked, and when. */
export async function revokeCertificate(viewer: Viewer, certificateId: string, reason: string, now = new Date()) {
  if (!viewer) throw new PublicError('Sign in to manage certificates.', 401)
  const id = normaliseCertificateId(certificateId)
  if (!id) throw new PublicError('We could not find that certificate.', 404)
  const why = typeof reason === 'string' ? reason.trim() : ''
  if (why.length < 3) throw new PublicError('Say why the certificate is revoked; the doctor sees it.', 400, 'reason')
  if (why.length > 500) throw new PublicError('Keep the reason under 500 characters.', 400, 'reason')
  return db.transaction(async (tx) => {
    const [row] = await tx.execute<{ talkId: string | null; revokedAt: string | null; role: ClubRole | null }>(sql`
      select a.talk_id as "talkId", a.revoked_at as "revokedAt",
        (select m.role from ${clubMembers} m where m.club_id = a.club_id and m.user_id = ${viewer.userId}) as role
      from ${attendanceCertificates} a where a.id = ${id} for update`)
    if (!row) throw new PublicError('We could not find that certificate.', 404)
    if (!can(row.role, 'manage:certificates')) throw notAdmin()
    if (row.revokedAt) throw new PublicError('This certificate is already revoked.', 409)
    await tx.execute(sql`update ${attendanceCertificates} set revoked_at = ${now.toISOString()}::timestamptz, revoked_by = ${viewer.userId}, revoke_reason = ${why}
      where id = ${id}`)
    return { id, talkId: row.talkId }
  })
}

/** Whether the viewer may manage the talk's certificates (the club's admins), for showing the link. */
export async function mayManageCertificates(viewer: Viewer, talkId: string): Promise<boolean> {
  try {
    await requireCertificateAdmin(db, viewer, talkId)
    return true
  } catch (error) {
    if (error instanceof PublicError) return false
    throw error
  }
}
