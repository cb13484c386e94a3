import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import jsQR from 'jsqr'
import { PDFParse } from 'pdf-parse'
import { PNG } from 'pngjs'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { setCertificateSettings } from '../../db/certificates'
import { closeDatabase, openDatabase, rawSql } from '../../db/client'
import { createDoctor, createTalk, createTestClub, viewerOf } from '../support/factories'
import { screenshot, setUpBrowser, signIn, siteNav } from './support'

const { newUserContext, expectBrowserErrors } = setUpBrowser()

beforeAll(async () => {
  await openDatabase({ url: inject('databaseUrl'), runMigrations: false, maxConnections: 2 })
})
afterAll(async () => {
  await closeDatabase()
})

/** A talk that ended yesterday, giving certificates, which the doctor attended for 60 of its 75 minutes (with a break). */
async function attendedTalk() {
  const owner = await createDoctor()
  const club = await createTestClub(owner, { name: 'Nephrology Case Club' })
  const opened = new Date(Date.now() - 26 * 60 * 60 * 1000)
  const minute = (m: number) => new Date(opened.getTime() + m * 60_000)
  const talk = await createTalk({ clubId: club.id, hostId: owner.id, startsAt: opened, status: 'ended', title: 'Hyperkalaemia on the ward' })
  await rawSql()`update talks set opened_at = ${opened.toISOString()}, ended_at = ${minute(75).toISOString()}, duration_minutes = 75 where id = ${talk.id}`
  await setCertificateSettings(viewerOf(owner), talk.id, { enabled: true, minSharePercent: 75, credits: 1, creditProvider: 'Delhi Medical Council' })
  const doctor = await createDoctor({ name: 'Dr Kiran Desai' })
  for (const [from, to] of [[0, 40], [30, 45], [50, 68]]) {
    await rawSql()`insert into talk_attendance (id, talk_id, user_id, socket_id, joined_at, left_at)
      values (${randomUUID()}, ${talk.id}, ${doctor.id}, ${randomUUID()}, ${minute(from).toISOString()}, ${minute(to).toISOString()})`
  }
  return { doctor, talk }
}

describe('certificates of attendance', () => {
  test('a doctor downloads the certificate from My learning; its QR code opens the check page in a fresh browser', async () => {
    const { doctor, talk } = await attendedTalk()
    const { page } = await newUserContext()
    await signIn(page, { ...doctor, dateOfBirth: '' })
    await siteNav(page).getByRole('link', { name: 'My learning' }).click()
    await page.waitForURL((url) => url.pathname === '/learning')
    const entry = page.getByTestId('learning-list').getByRole('listitem').filter({ hasText: talk.title })
    // 40 + 5 (overlap merged) + 18 after a break = 63 minutes, credited as 60.
    expect(await entry.getByTestId('learning-minutes').innerText()).toContain('60 minutes attended')
    await screenshot(page, 'learning')

    const [download] = await Promise.all([page.waitForEvent('download'), entry.getByTestId('certificate-download').click()])
    const bytes = new Uint8Array(await readFile((await download.path())!))
    const parser = new PDFParse({ data: bytes })
    const { text } = await parser.getText()
    const images = await parser.getImage()
    await parser.destroy()
    expect(text).toContain('Dr Kiran Desai')
    expect(text).toContain('Hyperkalaemia on the ward')
    expect(text).toContain('Time attended: 60 minutes')
    const image = images.pages[0].images[0]
    const png = PNG.sync.read(Buffer.from(image.data))
    const link = jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data
    expect(link).toMatch(/\/certificates\/[0-9A-Z]{20}$/)
    const number = link!.split('/').at(-1)!
    expect(text).toContain(number.match(/.{4}/g)!.join('-'))

    // The page now names the certificate.
    await page.reload()
    await entry.getByText(number.slice(0, 4), { exact: false }).waitFor()

    // Anyone with the code: a fresh browser, not signed in.
    const { page: stranger } = await newUserContext()
    await stranger.goto(new URL(link!).pathname)
    const card = stranger.getByTestId('certificate-check')
    expect(await card.getByTestId('certificate-state').innerText()).toBe('Valid certificate of attendance')
    expect(await card.getByTestId('certificate-holder').innerText()).toBe('Dr Kiran Desai')
    expect(await card.innerText()).toContain('Hyperkalaemia on the ward')
    expect(await card.innerText()).toContain('1.00, designated by Delhi Medical Council')
    expect(await card.locator('a').count()).toBe(0)
    await screenshot(stranger, 'certificate-check')

    // A mistyped number says so.
    expectBrowserErrors(/status of 404/)
    const response = await stranger.goto('/certificates/ABCD-EFGH-JKMN-PQRS-TVWX')
    expect(response?.status()).toBe(404)
    await stranger.getByText('No certificate has this number.', { exact: false }).waitFor()
  })
})
