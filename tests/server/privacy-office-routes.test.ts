import { describe, expect, it } from 'vitest'
import * as rootRoute from '../../app/root'
import * as acknowledgeRoute from '../../app/routes/privacy_.acknowledge'
import * as privacyRoute from '../../app/routes/privacy'
import * as accessLogRoute from '../../app/routes/staff.privacy.access-log'
import * as incidentRoute from '../../app/routes/staff.privacy.incidents.$id'
import * as incidentsRoute from '../../app/routes/staff.privacy.incidents._index'
import * as newIncidentRoute from '../../app/routes/staff.privacy.incidents.new'
import * as policyRoute from '../../app/routes/staff.privacy.policy'
import { db, rawSql } from '../../db/client'
import { requestCorrection, viewSubjectData } from '../../db/data-rights/index'
import { seedPolicyVersions } from '../../db/seed'
import { personalDataSections, requestDetailFields } from '../../app/utils/personal-data-labels'
import { createDoctor, viewerOf, type TestDoctor } from '../support/factories'
import { callAction, callLoader, signIn } from '../support/routes'

async function staffMember(name = 'Dr Privacy Officer') {
  const doctor = await createDoctor({ name })
  await rawSql()`update users set role = 'staff' where id = ${doctor.id}`
  return { doctor, auth: await signIn(doctor.id) }
}

async function latest() {
  const [row] = await rawSql()<{ version: string; body: string }[]>`select version, body from policy_versions order by effective_at desc, created_at desc limit 1`
  return row
}

const policyCounts = async () => {
  const [row] = await rawSql()<{ versions: number; notices: number }[]>`
    select (select count(*)::int from policy_versions) as versions, (select count(*)::int from notifications where kind = 'policy') as notices`
  return row
}

const incidentCount = async () => (await rawSql()<{ n: number }[]>`select count(*)::int as n from privacy_incidents`)[0].n

describe('Privacy office → Policy (/staff/privacy/policy)', () => {
  it('previews a draft against the newest version and publishes it; a member sees the banner and acknowledges it without JavaScript', async () => {
    await seedPolicyVersions(db)
    const { auth } = await staffMember()
    const member = await createDoctor()
    const memberAuth = await signIn(member.id)
    const base = await latest()
    const page = await callLoader(policyRoute, { url: '/staff/privacy/policy', auth })
    expect(page.status).toBe(200)
    expect(page.data).toMatchObject({ latest: { version: base.version, body: base.body } })

    const draft = `${base.body}\n\n# Recordings\nWe keep recordings for 90 days.`
    const preview = await callAction(policyRoute, { url: '/staff/privacy/policy', auth, form: { intent: 'preview', body: draft, summary: '' } })
    expect(preview.status).toBe(200)
    const shown = preview.data as { stage: string; preview: { lines: { kind: string; text: string }[]; added: number; removed: number; against: { version: string } } }
    expect(shown.stage).toBe('preview')
    expect(shown.preview).toMatchObject({ added: 3, removed: 0, against: { version: base.version } })
    expect(shown.preview.lines).toContainEqual({ kind: 'added', text: 'We keep recordings for 90 days.' })

    const before = await policyCounts()
    const published = await callAction(policyRoute, {
      url: '/staff/privacy/policy',
      auth,
      form: { intent: 'publish', body: draft, summary: 'Recordings are kept for 90 days.', change: 'significant', basedOn: base.version },
    })
    expect(published.status).toBe(200)
    expect(published.data).toMatchObject({ stage: 'published', ok: true })
    const after = await policyCounts()
    expect(after.versions).toBe(before.versions + 1)
    expect(after.notices).toBeGreaterThan(before.notices)
    const version = (await latest()).version

    const root = await callLoader(rootRoute, { url: '/clubs', auth: memberAuth })
    expect(root.data).toMatchObject({ policyDue: { version, summary: 'Recordings are kept for 90 days.' } })

    // Bad input to the banner's form: 4xx, nothing recorded.
    for (const form of [{}, { version: '../../etc' }, { version: 'x'.repeat(30) }] as Record<string, string>[]) {
      const res = await callAction(acknowledgeRoute, { url: '/privacy/acknowledge', auth: memberAuth, form })
      expect(res.status).toBe(400)
    }
    expect((await callAction(acknowledgeRoute, { url: '/privacy/acknowledge', auth: memberAuth, form: { version: '999' } })).status).toBe(404)
    expect(await rawSql()`select 1 from policy_acknowledgements where user_id = ${member.id}`).toHaveLength(0)
    // A visitor is sent to sign in.
    expect((await callAction(acknowledgeRoute, { url: '/privacy/acknowledge', form: { version } })).location).toMatch(/^\/login/)

    const done = await callAction(acknowledgeRoute, { url: '/privacy/acknowledge', auth: memberAuth, form: { version, redirectTo: '/clubs?x=1' } })
    expect(done).toMatchObject({ status: 302, location: '/clubs?x=1' })
    expect((await callLoader(rootRoute, { url: '/clubs', auth: memberAuth })).data).toMatchObject({ policyDue: null })
    const [ack] = await rawSql()<{ version: string }[]>`select version from policy_acknowledgements where user_id = ${member.id}`
    expect(ack.version).toBe(version)
    // Another site as the way back is refused: home instead.
    const elsewhere = await callAction(acknowledgeRoute, { url: '/privacy/acknowledge', auth: memberAuth, form: { version, redirectTo: '//evil.example/' } })
    expect(elsewhere.location).toBe('/')
  })

  it('refuses an empty or unchanged text and bad choices with 400, publishing nothing', async () => {
    await seedPolicyVersions(db)
    const { auth } = await staffMember()
    const base = await latest()
    const before = await policyCounts()
    const forms: Record<string, string>[] = [
      { intent: 'preview', body: '' },
      { intent: 'preview', body: '  \n ' },
      { intent: 'preview', body: base.body },
      { intent: 'publish', body: base.body, summary: 'Nothing.', change: 'significant', basedOn: base.version },
      { intent: 'publish', body: 'New text', summary: '', change: 'significant', basedOn: base.version },
      { intent: 'publish', body: 'New text', summary: 'New.', change: 'huge', basedOn: base.version },
      { intent: 'publish', body: 'x'.repeat(90_001), summary: 'New.', change: 'minor', basedOn: base.version },
      { intent: 'delete' },
      {},
    ]
    for (const form of forms) {
      const res = await callAction(policyRoute, { url: '/staff/privacy/policy', auth, form })
      expect(res.status, JSON.stringify(form).slice(0, 80)).toBe(400)
      expect((res.data as { ok: boolean; message: string }).message).toBeTruthy()
    }
    expect(await policyCounts()).toEqual(before)
  })
})

const DAY = 24 * 60 * 60 * 1000
/** A day relative to today, as the date field sends it (the officer has no zone set: UTC). */
const dayFromToday = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10)

describe('Privacy office → Incidents (/staff/privacy/incidents)', () => {
  const fields = (emails: string) => ({
    title: 'Export link shared',
    whatHappened: 'A download link for a data export was forwarded outside the hospital.',
    foundDate: dayFromToday(-3),
    foundTime: '08:15',
    dataKinds: 'email',
    whatWeDid: 'We expired the link within the hour.',
    whatYouCanDo: 'Ask for a new copy of your data from Settings → Your data.',
    audience: 'emails',
    emails,
  })

  it('counts the affected people, then records the incident and tells them; each sees it in their privacy centre', async () => {
    const { auth } = await staffMember()
    const affected = await createDoctor()
    const other = await createDoctor()
    const counted = await callAction(newIncidentRoute, { url: '/staff/privacy/incidents/new', auth, form: { intent: 'count', ...fields(`${affected.email}\nnobody@nowhere.test`) } })
    expect(counted.status).toBe(200)
    expect(counted.data).toMatchObject({ ok: true, count: { n: 1, unmatched: 1 } })

    // Sending without the count first is refused.
    const blind = await callAction(newIncidentRoute, { url: '/staff/privacy/incidents/new', auth, form: { intent: 'send', ...fields(affected.email) } })
    expect(blind.status).toBe(400)

    const sent = await callAction(newIncidentRoute, { url: '/staff/privacy/incidents/new', auth, form: { intent: 'send', expected: '1', ...fields(affected.email) } })
    expect(sent.status).toBe(302)
    const id = /^\/staff\/privacy\/incidents\/([0-9a-f-]{36})\?sent=1$/.exec(sent.location ?? '')?.[1]
    expect(id).toBeDefined()

    const detail = await callLoader(incidentRoute, { url: `/staff/privacy/incidents/${id}`, params: { id: id! }, auth })
    expect(detail.data).toMatchObject({ incident: { title: 'Export link shared', affectedCount: 1, dataKinds: ['Email address'], audience: { kind: 'emails', listed: 1 } } })
    const list = await callLoader(incidentsRoute, { url: '/staff/privacy/incidents', auth })
    expect((list.data as { incidents: { id: string }[] }).incidents.map((i) => i.id)).toContain(id)

    const mine = await callLoader(privacyRoute, { url: '/privacy', auth: await signIn(affected.id) })
    expect(mine.data).toMatchObject({ incidents: [{ id, title: 'Export link shared', affected: ['Email address'] }] })
    expect((await callLoader(privacyRoute, { url: '/privacy', auth: await signIn(other.id) })).data).toMatchObject({ incidents: [] })

    // The report to the Board: bad input is refused, a good one recorded.
    const reports: Record<string, string>[] = [
      { intent: 'board-report', reportedDate: 'yesterday', reportedTime: '10:00' },
      { intent: 'board-report', reportedDate: '2026-02-30', reportedTime: '10:00' },
      // Before the incident was found.
      { intent: 'board-report', reportedDate: dayFromToday(-30), reportedTime: '10:00' },
      {},
    ]
    for (const form of reports) {
      expect((await callAction(incidentRoute, { url: `/staff/privacy/incidents/${id}`, params: { id: id! }, auth, form })).status).toBe(400)
    }
    const reported = await callAction(incidentRoute, {
      url: `/staff/privacy/incidents/${id}`,
      params: { id: id! },
      auth,
      form: { intent: 'board-report', reportedDate: dayFromToday(-2), reportedTime: '09:00', reference: 'DPB-7' },
    })
    expect(reported.status).toBe(200)
    expect((await callLoader(incidentRoute, { url: `/staff/privacy/incidents/${id}`, params: { id: id! }, auth })).data).toMatchObject({
      incident: { boardReference: 'DPB-7', overdue: false },
    })
  })

  it('refuses an incident with no one affected and bad input with 400, recording nothing', async () => {
    const { auth } = await staffMember()
    const person = await createDoctor()
    const before = await incidentCount()
    const bad: Record<string, string>[] = [
      { intent: 'send', expected: '0', ...fields('nobody@nowhere.test') },
      { intent: 'count', ...fields('not-an-address') },
      { intent: 'send', expected: '1', ...fields(person.email), dataKinds: 'secrets' },
      { intent: 'send', expected: '1', ...fields(person.email), title: '' },
      { intent: 'send', expected: '1', ...fields(person.email), foundDate: '2026-13-40' },
      { intent: 'send', expected: '1', ...fields(person.email), audience: 'everyone' },
      { intent: 'send', expected: '1', ...fields(person.email), audience: 'club', club: '' },
      { intent: 'send', expected: '1', ...fields(person.email), audience: 'sessions', fromDate: '', toDate: '' },
      { intent: 'launch', ...fields(person.email) },
    ]
    for (const form of bad) {
      const res = await callAction(newIncidentRoute, { url: '/staff/privacy/incidents/new', auth, form })
      expect(res.status, JSON.stringify(form).slice(0, 120)).toBe(400)
    }
    const noKinds = fields(person.email) as Record<string, string>
    delete noKinds.dataKinds
    expect((await callAction(newIncidentRoute, { url: '/staff/privacy/incidents/new', auth, form: { intent: 'send', expected: '1', ...noKinds } })).status).toBe(400)
    expect(await incidentCount()).toBe(before)
  })
})

describe('Privacy office → Access log (/staff/privacy/access-log)', () => {
  it('lists who opened whose data, when and why, filtered by staff member, person and date', async () => {
    const { doctor: officerDoctor, auth } = await staffMember('Dr Officer One')
    const { doctor: second } = await staffMember('Dr Officer Two')
    const subject = await createDoctor({ name: 'Dr Data Subject' })
    const other = await createDoctor()
    const { id: requestId } = await requestCorrection(viewerOf(subject), { field: 'date_of_birth', requested: '1980-01-02', note: null })
    const { id: otherRequest } = await requestCorrection(viewerOf(other), { field: 'email', requested: 'new@hospital.test', note: 'Changed jobs' })
    await viewSubjectData(viewerOf(officerDoctor, 'staff'), requestId, 'Checking the date of birth')
    await viewSubjectData(viewerOf(second, 'staff'), otherRequest, 'Checking the email change')

    type Log = { rows: { staff: { handle: string } | null; person: { name: string } | null; reason: string; request: { kind: string } | null }[]; error: string | null }
    const all = (await callLoader(accessLogRoute, { url: '/staff/privacy/access-log', auth })).data as Log
    expect(all.rows.length).toBeGreaterThanOrEqual(2)
    const byStaff = (await callLoader(accessLogRoute, { url: `/staff/privacy/access-log?staff=@${officerDoctor.handle}`, auth })).data as Log
    expect(byStaff.rows).toEqual([
      expect.objectContaining({ staff: expect.objectContaining({ handle: officerDoctor.handle }), person: expect.objectContaining({ name: 'Dr Data Subject' }), reason: 'Checking the date of birth', request: expect.objectContaining({ kind: 'correction' }) }),
    ])
    const byPerson = (await callLoader(accessLogRoute, { url: `/staff/privacy/access-log?person=${other.handle}`, auth })).data as Log
    expect(byPerson.rows.map((r) => r.reason)).toEqual(['Checking the email change'])
    const past = (await callLoader(accessLogRoute, { url: '/staff/privacy/access-log?from=2020-01-01&to=2020-01-31', auth })).data as Log
    expect(past.rows).toEqual([])

    for (const query of ['?staff=no-such-handle', '?from=yesterday', '?person=%3Cscript%3E', '?from=2026-12-10&to=2026-12-01']) {
      const res = await callLoader(accessLogRoute, { url: `/staff/privacy/access-log${query}`, auth })
      expect(res.status, query).toBe(400)
      expect((res.data as Log).error).toBeTruthy()
    }
  })
})

describe('the privacy office is for staff only', () => {
  it('answers "not found" to members and visitors on every new page and form, and changes nothing', async () => {
    await seedPolicyVersions(db)
    const member: TestDoctor = await createDoctor()
    const memberAuth = await signIn(member.id)
    const before = { ...(await policyCounts()), incidents: await incidentCount() }
    const id = '00000000-0000-4000-8000-000000000000'
    for (const auth of [memberAuth, null]) {
      for (const [route, url, params] of [
        [policyRoute, '/staff/privacy/policy', {}],
        [incidentsRoute, '/staff/privacy/incidents', {}],
        [newIncidentRoute, '/staff/privacy/incidents/new', {}],
        [incidentRoute, `/staff/privacy/incidents/${id}`, { id }],
        [accessLogRoute, '/staff/privacy/access-log', {}],
      ] as const) {
        expect((await callLoader(route, { url, params, auth })).status, url).toBe(404)
      }
      expect((await callAction(policyRoute, { url: '/staff/privacy/policy', auth, form: { intent: 'publish', body: 'Take over', summary: 'x', change: 'significant', basedOn: '1' } })).status).toBe(404)
      expect((await callAction(newIncidentRoute, { url: '/staff/privacy/incidents/new', auth, form: { intent: 'send', expected: '1', title: 'x' } })).status).toBe(404)
      expect((await callAction(incidentRoute, { url: `/staff/privacy/incidents/${id}`, params: { id }, auth, form: { intent: 'board-report' } })).status).toBe(404)
    }
    expect({ ...(await policyCounts()), incidents: await incidentCount() }).toEqual(before)
  })
})

describe('readable request details and data views', () => {
  it('names what a request asked for and what a person has, by kind rather than by table', () => {
    expect(requestDetailFields({ field: 'date_of_birth', requested: '1980-01-02', note: null })).toEqual([
      { label: 'What to correct', value: 'Date of birth' },
      { label: 'Correct value, as they gave it', value: '1980-01-02' },
    ])
    expect(requestDetailFields({ topic: 'erasure', some_new_field: ['a', 'b'] })).toEqual([
      { label: 'Topic', value: 'erasure' },
      { label: 'Some new field', value: 'a, b' },
    ])
    const { sections, empty } = personalDataSections({ users: 1, follows: 3, talk_comments: 2, quiz_answers: 0, brand_new_table: 4 })
    expect(sections).toEqual([
      { title: 'Account and sign-in', items: [{ label: 'Account', count: 1 }] },
      { title: 'People', items: [{ label: 'Follows (either way)', count: 3 }] },
      { title: 'Talks and quizzes', items: [{ label: 'Comments', count: 2 }] },
      { title: 'Other', items: [{ label: 'Brand new table', count: 4 }] },
    ])
    expect(empty).toBe(1)
  })
})
