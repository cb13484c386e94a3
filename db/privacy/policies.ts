import { diffLines } from 'diff'
import { and, desc, eq, isNull, lte, sql } from 'drizzle-orm'
import { activeUserSql } from '../access/people'
import { requireStaff } from '../access/staff'
import { db, type Transaction } from '../client'
import { PublicError } from '../errors'
import { notifications, policyAcknowledgements, policyVersions, users } from '../schema/index'
import type { Viewer } from '../viewer'
import { fanOutNotice } from './fan-out'

// Privacy policy versions, publishing them, their acknowledgements, and the notices that announce them.

export type PolicyVersion = {
  version: string
  effectiveAt: Date
  significant: boolean
  body: string
  summary: string
}

export type PolicyInput = PolicyVersion

const policyColumns = {
  version: policyVersions.version,
  effectiveAt: policyVersions.effectiveAt,
  significant: policyVersions.significant,
  body: policyVersions.body,
  summary: policyVersions.summary,
}

/** The version in force now: the latest whose effective date has come. */
export async function currentPolicy(now = new Date()): Promise<PolicyVersion | null> {
  const [row] = await db
    .select(policyColumns)
    .from(policyVersions)
    .where(lte(policyVersions.effectiveAt, now))
    .orderBy(desc(policyVersions.effectiveAt))
    .limit(1)
  return row ?? null
}

export async function getPolicyVersion(version: string): Promise<PolicyVersion | null> {
  const [row] = await db.select(policyColumns).from(policyVersions).where(eq(policyVersions.version, version))
  return row ?? null
}

/** Every version, newest first, without the full text. */
export async function listPolicyVersions(): Promise<Omit<PolicyVersion, 'body'>[]> {
  return db
    .select({
      version: policyVersions.version,
      effectiveAt: policyVersions.effectiveAt,
      significant: policyVersions.significant,
      summary: policyVersions.summary,
    })
    .from(policyVersions)
    .orderBy(desc(policyVersions.effectiveAt))
}

export const POLICY_NOTICE = 'policy'

const POLICY_MAX = 90_000
const SUMMARY_MAX = 2000

function checkPolicyInput(input: Pick<PolicyInput, 'version' | 'body' | 'summary'>) {
  if (!/^[0-9A-Za-z.-]{1,20}$/.test(input.version)) throw new PublicError('A version is 1–20 letters, digits, dots or hyphens.', 400, 'version')
  if (!input.body.trim() || input.body.length > 200_000) throw new PublicError('The policy text is empty or too long.', 400, 'body')
  if (!input.summary.trim() || input.summary.length > 4000) throw new PublicError('The summary of changes is empty or too long.', 400, 'summary')
}

/**
 * Stores a version. A significant one tells every active member — in the app and by email, one
 * statement for everyone (fan-out.ts) — and asks each to acknowledge it; deactivated and erased
 * accounts get nothing. A minor one tells no one.
 */
async function insertPolicyVersion(tx: Transaction, input: PolicyInput, now: Date) {
  const inserted = await tx.insert(policyVersions).values(input).onConflictDoNothing().returning({ version: policyVersions.version })
  if (inserted.length === 0) throw new PublicError(`Version ${input.version} already exists.`, 409, 'version')
  if (!input.significant) return { notified: 0, emailed: 0 }
  const effective = input.effectiveAt.getTime() > now.getTime() ? `changes on ${input.effectiveAt.toISOString().slice(0, 10)}` : 'has changed'
  return fanOutNotice(tx, {
    recipients: sql`select u.id from ${users} u where ${activeUserSql(sql`u.id`)}`,
    kind: POLICY_NOTICE,
    subject: input.version,
    title: `Our privacy policy ${effective}`,
    body: input.summary,
    link: `/privacy?version=${encodeURIComponent(input.version)}`,
    email: true,
    now,
  })
}

/** Stores a new policy version (seeding, tests); the console publishes with `publishPolicy`. */
export async function createPolicyVersion(input: PolicyInput, now = new Date()): Promise<{ notified: number; emailed: number }> {
  checkPolicyInput(input)
  return db.transaction((tx) => insertPolicyVersion(tx, input, now))
}

/** Line endings and trailing spaces do not make a new version. */
export function normalisePolicyText(body: string) {
  return body
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim()
}

/** The newest version, whether or not it is in force yet: a draft is compared with it. */
async function latestPolicy(executor: Transaction | typeof db = db): Promise<PolicyVersion | null> {
  const [row] = await executor.select(policyColumns).from(policyVersions).orderBy(desc(policyVersions.effectiveAt), desc(policyVersions.createdAt)).limit(1)
  return row ?? null
}

/** The number the next version gets: "3" after "2" for a significant change, "2.1" for a minor one. */
export function nextPolicyVersion(latest: string | null, significant: boolean, now = new Date()) {
  if (!latest) return '1'
  const match = /^(\d{1,6})(?:\.(\d{1,6}))?$/.exec(latest)
  if (!match) return `${now.toISOString().slice(0, 10)}${significant ? '' : '-minor'}`
  const major = Number(match[1])
  const minor = Number(match[2] ?? 0)
  return significant ? String(major + 1) : `${major}.${minor + 1}`
}

export type PolicyDiffLine = { kind: 'added' | 'removed' | 'same' | 'skipped'; text: string }

export type PolicyPreview = {
  against: { version: string; effectiveAt: Date } | null
  body: string
  lines: PolicyDiffLine[]
  added: number
  removed: number
  nextVersion: { significant: string; minor: string }
}

const CONTEXT = 2

/** The draft against the newest version, line by line; long unchanged stretches are folded. */
export function diffPolicyText(before: string, after: string): { lines: PolicyDiffLine[]; added: number; removed: number } {
  const lines: PolicyDiffLine[] = []
  let added = 0
  let removed = 0
  // Both end with a newline, so adding text after the last line does not show that line as changed.
  const parts = diffLines(before ? `${before}\n` : '', after ? `${after}\n` : '')
  parts.forEach((part, index) => {
    const text = part.value.endsWith('\n') ? part.value.slice(0, -1) : part.value
    const partLines = text.split('\n')
    if (part.added || part.removed) {
      for (const line of partLines) lines.push({ kind: part.added ? 'added' : 'removed', text: line })
      if (part.added) added += partLines.length
      else removed += partLines.length
      return
    }
    const keepHead = index === 0 ? 0 : CONTEXT
    const keepTail = index === parts.length - 1 ? 0 : CONTEXT
    if (partLines.length <= keepHead + keepTail + 1) {
      for (const line of partLines) lines.push({ kind: 'same', text: line })
      return
    }
    for (const line of partLines.slice(0, keepHead)) lines.push({ kind: 'same', text: line })
    const hidden = partLines.length - keepHead - keepTail
    lines.push({ kind: 'skipped', text: `${hidden} unchanged line${hidden === 1 ? '' : 's'}` })
    for (const line of partLines.slice(partLines.length - keepTail)) lines.push({ kind: 'same', text: line })
  })
  return { lines, added, removed }
}

function checkDraft(body: string) {
  const text = normalisePolicyText(body)
  if (!text) throw new PublicError('The policy text is empty. Paste or write the whole policy.', 400, 'body')
  if (text.length > POLICY_MAX) throw new PublicError(`The policy text can be at most ${POLICY_MAX.toLocaleString('en-GB')} characters.`, 400, 'body')
  return text
}

function unchanged(latest: PolicyVersion | null, text: string) {
  return latest !== null && normalisePolicyText(latest.body) === text
}

/** What publishing the draft would change. An empty or unchanged draft is refused (400). */
export async function previewPolicyChange(viewer: Viewer, body: string, now = new Date()): Promise<PolicyPreview> {
  requireStaff(viewer)
  const text = checkDraft(body)
  const latest = await latestPolicy()
  if (unchanged(latest, text)) throw new PublicError(`This text is the same as version ${latest!.version}. Change something before publishing.`, 400, 'body')
  const { lines, added, removed } = diffPolicyText(latest ? normalisePolicyText(latest.body) : '', text)
  return {
    against: latest ? { version: latest.version, effectiveAt: latest.effectiveAt } : null,
    body: text,
    lines,
    added,
    removed,
    nextVersion: { significant: nextPolicyVersion(latest?.version ?? null, true, now), minor: nextPolicyVersion(latest?.version ?? null, false, now) },
  }
}

export type PublishInput = { body: string; summary: string; significant: boolean; /** The version the draft was compared with, null for the first. */ basedOn: string | null }

/**
 * Publishes the draft as the next version, in force at once. Refused, changing nothing, when the
 * text is empty or the same as the newest version, or when another version was published since
 * the preview (the officer must look at the new difference).
 */
export async function publishPolicy(viewer: Viewer, input: PublishInput, now = new Date()) {
  requireStaff(viewer)
  const text = checkDraft(input.body)
  const summary = input.summary.trim()
  if (!summary) throw new PublicError('Say in a sentence or two what changes: members read this first.', 400, 'summary')
  if (summary.length > SUMMARY_MAX) throw new PublicError(`The summary can be at most ${SUMMARY_MAX} characters.`, 400, 'summary')
  return db.transaction(async (tx) => {
    // One publication at a time, so two officers cannot both publish "the next" version.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('policy-publish'))`)
    const latest = await latestPolicy(tx)
    if ((latest?.version ?? null) !== input.basedOn) {
      throw new PublicError('Another version was published after your preview. Preview again to see what changes now.', 409, 'body')
    }
    if (unchanged(latest, text)) throw new PublicError(`This text is the same as version ${latest!.version}. Change something before publishing.`, 400, 'body')
    const version = nextPolicyVersion(latest?.version ?? null, input.significant, now)
    const effectiveAt = latest && latest.effectiveAt.getTime() >= now.getTime() ? new Date(latest.effectiveAt.getTime() + 1000) : now
    const result = await insertPolicyVersion(tx, { version, effectiveAt, significant: input.significant, body: text, summary }, now)
    return { version, ...result }
  })
}

/** Records that the person has read a version, and clears its notice. */
export async function acknowledgePolicy(userId: string, version: string, now = new Date()) {
  await db.transaction(async (tx) => {
    const [policy] = await tx.select({ version: policyVersions.version }).from(policyVersions).where(eq(policyVersions.version, version))
    if (!policy) throw new PublicError('That policy version does not exist.', 404, 'version')
    await tx.insert(policyAcknowledgements).values({ userId, version, acknowledgedAt: now }).onConflictDoNothing()
    await tx
      .update(notifications)
      .set({ readAt: now })
      .where(and(eq(notifications.userId, userId), eq(notifications.kind, POLICY_NOTICE), eq(notifications.subject, version), isNull(notifications.readAt)))
  })
}

export async function acknowledgedVersions(userId: string): Promise<string[]> {
  const rows = await db
    .select({ version: policyAcknowledgements.version })
    .from(policyAcknowledgements)
    .where(eq(policyAcknowledgements.userId, userId))
  return rows.map((r) => r.version)
}

/**
 * The significant version the person was told about and has not acknowledged, newest first;
 * acknowledging a later version counts for the earlier ones. As SQL, for the page frame.
 */
export function policyToAcknowledgeSql(userId: unknown) {
  return sql`(select json_build_object('version', pv.version, 'summary', pv.summary, 'effectiveAt', pv.effective_at)
    from ${notifications} pn join ${policyVersions} pv on pv.version = pn.subject
    where pn.user_id = ${userId} and pn.kind = ${POLICY_NOTICE} and pv.significant
      and not exists (select 1 from ${policyAcknowledgements} pa join ${policyVersions} av on av.version = pa.version
        where pa.user_id = ${userId} and av.effective_at >= pv.effective_at)
    order by pv.effective_at desc limit 1)`
}

export type Notice = { id: string; kind: string; subject: string; title: string; body: string; link: string | null; createdAt: Date }

export async function listUnreadNotices(userId: string, limit = 3): Promise<Notice[]> {
  return db
    .select({
      id: notifications.id,
      kind: notifications.kind,
      subject: notifications.subject,
      title: notifications.title,
      body: notifications.body,
      link: notifications.link,
      createdAt: notifications.createdAt,
    })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
    .orderBy(desc(notifications.createdAt))
    .limit(limit)
}
