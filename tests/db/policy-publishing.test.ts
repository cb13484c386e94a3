import { describe, expect, it } from 'vitest'
import { db, rawSql } from '../../db/client'
import { getPageChrome } from '../../db/page-chrome'
import {
  acknowledgePolicy,
  currentPolicy,
  diffPolicyText,
  nextPolicyVersion,
  previewPolicyChange,
  publishPolicy,
} from '../../db/privacy/index'
import { listDevMail } from '../../db/mailbox'
import { PRIVACY_POLICY_V1, seedPolicyVersions } from '../../db/seed'
import { runDueJobs } from '../../server/jobs/index'
import { createDoctor, viewerOf } from '../support/factories'

const officer = async () => viewerOf(await createDoctor({ name: 'Dr Privacy Officer' }), 'staff')

/** The newest version, which a draft is compared with. */
async function latest() {
  const [row] = await rawSql()<{ version: string; body: string }[]>`select version, body from policy_versions order by effective_at desc, created_at desc limit 1`
  return row
}

async function counts() {
  const [row] = await rawSql()<{ versions: number; notices: number; deliveries: number; jobs: number }[]>`
    select (select count(*)::int from policy_versions) as versions,
      (select count(*)::int from notifications where kind = 'policy') as notices,
      (select count(*)::int from notification_deliveries) as deliveries,
      (select count(*)::int from jobs where queue = 'notification.email') as jobs`
  return row
}

describe('publishing a privacy policy version', () => {
  it('tells every active member exactly once, in the app and by email; deactivated and erased people get nothing; a minor change tells no one', async () => {
    await seedPolicyVersions(db)
    const staff = await officer()
    const active = [await createDoctor(), await createDoctor(), await createDoctor()]
    const deactivated = await createDoctor()
    await rawSql()`update users set deactivated_at = now() where id = ${deactivated.id}`
    // Erased under a legal hold: the account row stays, anonymised, with no profile.
    const erased = await createDoctor()
    await rawSql()`delete from profiles where user_id = ${erased.id}`
    const [{ n: activeCount }] = await rawSql()<{ n: number }[]>`
      select count(*)::int as n from users u where u.deactivated_at is null and exists (select 1 from profiles p where p.user_id = u.id)`

    const before = await counts()
    const minor = await publishPolicy(staff, { body: `${PRIVACY_POLICY_V1.body}\n\nTypo fixed.`, summary: 'A typo.', significant: false, basedOn: '1' })
    expect(minor).toMatchObject({ version: '1.1', notified: 0, emailed: 0 })
    const afterMinor = await counts()
    expect(afterMinor).toEqual({ ...before, versions: before.versions + 1 })
    expect((await currentPolicy())?.version).toBe('1.1')

    const body = `${PRIVACY_POLICY_V1.body}\n\nTypo fixed.\n\n# Recordings\nWe now keep recordings for 90 days.`
    const major = await publishPolicy(staff, { body, summary: 'Recordings are kept for 90 days.', significant: true, basedOn: '1.1' })
    expect(major).toMatchObject({ version: '2', notified: activeCount, emailed: activeCount })

    const perPerson = await rawSql()<{ user_id: string; n: number }[]>`
      select user_id, count(*)::int as n from notifications where kind = 'policy' and subject = '2' group by user_id`
    expect(perPerson).toHaveLength(activeCount)
    expect(perPerson.every((r) => r.n === 1)).toBe(true)
    const told = new Set(perPerson.map((r) => r.user_id))
    for (const doctor of active) expect(told.has(doctor.id)).toBe(true)
    expect(told.has(deactivated.id)).toBe(false)
    expect(told.has(erased.id)).toBe(false)
    const afterMajor = await counts()
    expect(afterMajor.deliveries - afterMinor.deliveries).toBe(activeCount)
    expect(afterMajor.jobs - afterMinor.jobs).toBe(activeCount)

    // The mail goes out by the notification job, with the summary and a link to the new version.
    expect(await runDueJobs()).toMatchObject({ failed: 0 })
    const [mail] = await listDevMail({ to: active[0].email })
    expect(mail.subject).toBe('Our privacy policy has changed')
    expect(mail.text).toContain('Recordings are kept for 90 days.')
    expect(mail.text).toContain('/privacy?version=2')
    expect(await listDevMail({ to: deactivated.email })).toEqual([])
  })

  it('asks each member to acknowledge on every page until they do, and records the time and version', async () => {
    await seedPolicyVersions(db)
    const staff = await officer()
    const reader = await createDoctor()
    const base = await latest()
    const published = await publishPolicy(staff, { body: `${base.body}\n- A new right.`, summary: 'A new right.', significant: true, basedOn: base.version })
    const due = (await getPageChrome(reader.id, null)).policyDue
    expect(due).toMatchObject({ version: published.version, summary: 'A new right.' })
    // Reading the notice in the notification centre is not acknowledging it.
    await rawSql()`update notifications set read_at = now() where user_id = ${reader.id}`
    expect((await getPageChrome(reader.id, null)).policyDue).toMatchObject({ version: published.version })

    const at = new Date('2026-12-01T09:30:00Z')
    await acknowledgePolicy(reader.id, published.version, at)
    expect((await getPageChrome(reader.id, null)).policyDue).toBeNull()
    const rows = await rawSql()`select version, acknowledged_at::text as at from policy_acknowledgements where user_id = ${reader.id}`
    expect(rows).toEqual([{ version: published.version, at: '2026-12-01 09:30:00+00' }])
    // A visitor is never asked.
    expect((await getPageChrome(null, null)).policyDue).toBeNull()
  })

  it('refuses an empty or unchanged text, and a stale preview, changing nothing', async () => {
    await seedPolicyVersions(db)
    const staff = await officer()
    const base = await latest()
    const before = await counts()
    for (const body of ['', '   \n\n  ', base.body, `${base.body.replace(/\n/g, '\r\n')}   \n`]) {
      await expect(publishPolicy(staff, { body, summary: 'Changes.', significant: true, basedOn: base.version })).rejects.toMatchObject({ status: 400 })
      await expect(previewPolicyChange(staff, body)).rejects.toMatchObject({ status: 400 })
    }
    await expect(publishPolicy(staff, { body: 'New text', summary: '  ', significant: true, basedOn: base.version })).rejects.toMatchObject({ status: 400 })
    await expect(publishPolicy(staff, { body: 'New text', summary: 'New.', significant: true, basedOn: '0.9' })).rejects.toMatchObject({ status: 409 })
    expect(await counts()).toEqual(before)
  })

  it('is for staff only: anyone else is told the page does not exist', async () => {
    await seedPolicyVersions(db)
    const member = viewerOf(await createDoctor())
    const before = await counts()
    await expect(previewPolicyChange(member, 'New text')).rejects.toMatchObject({ status: 404 })
    await expect(publishPolicy(member, { body: 'New text', summary: 'x', significant: true, basedOn: '1' })).rejects.toMatchObject({ status: 404 })
    await expect(publishPolicy(null, { body: 'New text', summary: 'x', significant: true, basedOn: '1' })).rejects.toMatchObject({ status: 404 })
    expect(await counts()).toEqual(before)
  })
})

describe('the preview of a change', () => {
  it('shows added and removed lines, and folds long unchanged stretches', () => {
    const same = Array.from({ length: 10 }, (_, i) => `Line ${i + 1}`)
    const before = [...same, 'We keep recordings for 30 days.', 'End.'].join('\n')
    const after = [...same, 'We keep recordings for 90 days.', 'End.'].join('\n')
    const { lines, added, removed } = diffPolicyText(before, after)
    expect({ added, removed }).toEqual({ added: 1, removed: 1 })
    expect(lines).toEqual([
      { kind: 'skipped', text: '8 unchanged lines' },
      { kind: 'same', text: 'Line 9' },
      { kind: 'same', text: 'Line 10' },
      { kind: 'removed', text: 'We keep recordings for 30 days.' },
      { kind: 'added', text: 'We keep recordings for 90 days.' },
      { kind: 'same', text: 'End.' },
    ])
  })

  it('numbers the next version by the kind of change', () => {
    expect(nextPolicyVersion(null, true)).toBe('1')
    expect(nextPolicyVersion('1', true)).toBe('2')
    expect(nextPolicyVersion('1', false)).toBe('1.1')
    expect(nextPolicyVersion('2.3', false)).toBe('2.4')
    expect(nextPolicyVersion('2.3', true)).toBe('3')
    expect(nextPolicyVersion('2025-spring', true, new Date('2026-12-04T00:00:00Z'))).toBe('2026-12-04')
  })
})
