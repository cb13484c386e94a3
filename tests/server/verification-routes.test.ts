import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeDatabase, openDatabase, rawSql } from '../../db/client'
import { startAppServer, type AppServer } from '../support/app-server'
import { createDoctor, type TestDoctor } from '../support/factories'
import { httpClient, signInOverHttp } from '../support/http-client'

/*
 * Verification over real HTTP: a doctor applies through the settings form (multipart, no
 * JavaScript), a verifier reviews and approves, and everyone else finds no queue and no
 * document. The badge then shows on the profile and in its loader data, and the number nowhere.
 */

const NUMBER = 'KMC-7314159'
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 9, 9, 9])

let app: AppServer
let applicant: TestDoctor
let member: TestDoctor
const cookies: Record<'applicant' | 'member' | 'officer' | 'verifier', string> = { applicant: '', member: '', officer: '', verifier: '' }
let applicationId = ''

async function post(path: string, cookie: string, body: FormData | URLSearchParams) {
  return fetch(new URL(path, app.baseUrl), { method: 'POST', body, headers: { cookie, origin: app.baseUrl }, redirect: 'manual' })
}

beforeAll(async () => {
  app = await startAppServer()
  await closeDatabase()
  await openDatabase({ url: app.databaseUrl, runMigrations: false, maxConnections: 3 })
  applicant = await createDoctor({ name: 'Dr Kavya Menon' })
  member = await createDoctor()
  const officer = await createDoctor()
  const verifier = await createDoctor({ name: 'Dr Vera Fier' })
  await rawSql()`update users set role = 'staff' where id in (${officer.id}, ${verifier.id})`
  await rawSql()`insert into staff_duties (user_id, duty) values (${verifier.id}, 'verifier')`
  for (const [key, doctor] of [['applicant', applicant], ['member', member], ['officer', officer], ['verifier', verifier]] as const) {
    cookies[key] = await signInOverHttp(app.baseUrl, doctor.email, doctor.password)
  }
}, 300_000)

afterAll(async () => {
  await app?.stop()
})

describe('verification over HTTP', () => {
  it('refuses a wrong-format number with a 400 and writes nothing, then takes a right one and shows it masked to its owner', async () => {
    const bad = new FormData()
    bad.set('council', 'karnataka')
    bad.set('registrationYear', '2009')
    bad.set('registrationNumber', 'not a number')
    bad.set('document', new Blob([PNG], { type: 'image/png' }), 'certificate.png')
    const refused = await post('/settings/verification', cookies.applicant, bad)
    expect(refused.status).toBe(400)
    expect(await refused.text()).toContain('does not look right')
    const [none] = await rawSql()<{ n: number }[]>`select count(*)::int as n from doctor_verifications where user_id = ${applicant.id}`
    expect(none.n).toBe(0)

    const form = new FormData()
    form.set('council', 'karnataka')
    form.set('registrationYear', '2009')
    form.set('registrationNumber', NUMBER)
    form.set('document', new Blob([PNG], { type: 'image/png' }), 'certificate.png')
    const applied = await post('/settings/verification', cookies.applicant, form)
    expect(applied.status).toBe(302)
    const [row] = await rawSql()<{ id: string }[]>`select id from doctor_verifications where user_id = ${applicant.id} and status = 'pending'`
    applicationId = row.id
    const page = await httpClient(app.baseUrl, cookies.applicant).get('/settings/verification')
    expect(page.text).toContain('•••• 4159')
    expect(page.text).not.toContain('7314159')
  })

  it('gives the queue, the review page and the document to a verifier only; everyone else finds no such page', async () => {
    for (const who of [null, cookies.member, cookies.officer, cookies.applicant]) {
      const client = httpClient(app.baseUrl, who)
      for (const path of ['/staff/verification', `/staff/verification/${applicationId}`, `/staff/verification/${applicationId}/document`]) {
        const res = await client.get(path)
        expect([403, 404], `${path} as ${who ? 'a non-verifier' : 'a visitor'}`).toContain(res.status)
        expect(res.text).not.toContain('7314159')
      }
      const tried = await post(`/staff/verification/${applicationId}`, who ?? '', new URLSearchParams({ intent: 'approve' }))
      expect([403, 404]).toContain(tried.status)
    }
    const [still] = await rawSql()<{ status: string }[]>`select status::text as status from doctor_verifications where id = ${applicationId}`
    expect(still.status).toBe('pending')

    const verifier = httpClient(app.baseUrl, cookies.verifier)
    expect((await verifier.get('/staff/verification')).text).toContain('Dr Kavya Menon')
    const review = await verifier.get(`/staff/verification/${applicationId}`)
    expect(review.status).toBe(200)
    expect(review.text).toContain(NUMBER)
    expect(review.text).toContain('https://www.nmc.org.in/')
    const document = await verifier.get(`/staff/verification/${applicationId}/document`)
    expect(document.status).toBe(200)
    expect(document.headers.get('content-type')).toBe('image/png')
    expect(document.headers.get('cache-control')).toContain('no-store')
  })

  it('approves, and the profile page and its loader data show the badge but never the number', async () => {
    const approved = await post(`/staff/verification/${applicationId}`, cookies.verifier, new URLSearchParams({ intent: 'approve' }))
    expect(approved.status).toBe(302)
    const gone = await httpClient(app.baseUrl, cookies.verifier).get(`/staff/verification/${applicationId}/document`)
    expect(gone.status).toBe(404)
    for (const who of [cookies.member, null]) {
      const client = httpClient(app.baseUrl, who)
      const page = await client.get(`/u/${applicant.handle}`)
      expect(page.status).toBe(200)
      expect(page.text).toContain('Verified doctor · Karnataka Medical Council · since 2009')
      expect(page.text).not.toContain('7314159')
      expect(page.text).not.toContain('4159')
      const data = await client.loaderData(`/u/${applicant.handle}`, 'routes/u.$handle')
      expect(JSON.parse(data.text)).toMatchObject({ verified: { council: 'Karnataka Medical Council', since: 2009 } })
      expect(data.text).not.toContain('4159')
    }
  })

  it('shows the badge on people cards, such as a following list, and not the number', async () => {
    await rawSql()`insert into follows (follower_id, followee_id, status) values (${member.id}, ${applicant.id}, 'approved')`
    const client = httpClient(app.baseUrl, cookies.member)
    const page = await client.get(`/u/${member.handle}/following`)
    expect(page.status).toBe(200)
    expect(page.text).toContain('Verified doctor · Karnataka Medical Council · since 2009')
    const data = await client.loaderData(`/u/${member.handle}/following`, 'routes/u.$handle.following')
    const list = (JSON.parse(data.text) as { list: { people: { handle: string; verified: unknown }[] } }).list
    expect(list.people.find((p) => p.handle === applicant.handle)?.verified).toEqual({ council: 'Karnataka Medical Council', since: 2009 })
    expect(data.text).not.toContain('4159')
  })
})
