import { readdir } from 'node:fs/promises'
import sharp from 'sharp'
import { beforeEach, describe, expect, it } from 'vitest'
import * as hideRoute from '../../app/routes/ads.hide'
import * as campaignRoute from '../../app/routes/advertise.campaigns.$id'
import { rawSql } from '../../db/client'
import { deleteUpload, uploadsDir } from '../../server/uploads'
import { adsReviewer, approvedAdvertiser, campaignFields, campaignRow, endAllCampaigns, homeAdFor, runningCampaign, type AdsReviewer, type TestAdvertiser } from '../support/ads'
import { createDoctor } from '../support/factories'
import { callAction, callLoader, signIn, type SignedIn } from '../support/routes'

/*
 * /advertise/campaigns/<id> as the browser uses it, without JavaScript: every change is a form
 * POST with an `intent`, answered with a redirect back to the page or a 4xx saying why.
 * And "Hide this advertiser" (/ads/hide), posted as the ad's plain form.
 */

const sql = () => rawSql()

type Refusal = { ok: false; intent: string | null; field: string | null; message: string; values: Record<string, unknown> | null }

async function adImages() {
  return (await readdir(uploadsDir()).catch(() => [] as string[])).filter((f) => f.startsWith('ad-')).sort()
}

let staff: AdsReviewer
let advertiser: TestAdvertiser
let auth: SignedIn

beforeEach(async () => {
  await endAllCampaigns()
  staff = await adsReviewer()
  advertiser = await approvedAdvertiser(staff)
  auth = await signIn(advertiser.person.id)
})

const page = (id: string, query = '') => callLoader(campaignRoute, { url: `/advertise/campaigns/${id}${query}`, params: { id }, auth })
const post = (id: string, form: Record<string, string | Blob>, as: SignedIn = auth) =>
  callAction(campaignRoute, { url: `/advertise/campaigns/${id}`, params: { id }, auth: as, form })

describe('managing a campaign from its page', () => {
  it('pauses, resumes and ends it, offering only the buttons that do something, and refuses the rest with a 409', async () => {
    const id = await runningCampaign(staff, advertiser)
    const member = await createDoctor()
    const running = await page(id)
    expect(running.status).toBe(200)
    expect(running.data).toMatchObject({ phase: 'running', actions: ['pause', 'edit', 'end'] })

    const paused = await post(id, { intent: 'pause' })
    expect([paused.status, paused.location]).toEqual([302, `/advertise/campaigns/${id}?done=paused`])
    expect((await campaignRow(id)).status).toBe('paused')
    expect(await homeAdFor(member)).toBeNull()
    expect((await page(id, '?done=paused')).data).toMatchObject({ phase: 'paused', actions: ['resume', 'edit', 'end'], done: 'paused' })

    const again = await post(id, { intent: 'pause' })
    expect(again.status).toBe(409)
    expect((again.data as Refusal).message).toMatch(/Only an approved campaign/)

    const resumed = await post(id, { intent: 'resume' })
    expect([resumed.status, resumed.location]).toEqual([302, `/advertise/campaigns/${id}?done=resumed`])
    expect((await homeAdFor(member))?.campaignId).toBe(id)

    const ended = await post(id, { intent: 'end' })
    expect([ended.status, ended.location]).toEqual([302, `/advertise/campaigns/${id}?done=ended`])
    expect(await homeAdFor(member)).toBeNull()
    // Still readable, with no control left.
    expect((await page(id)).data).toMatchObject({ phase: 'ended', actions: [] })
    const before = await campaignRow(id)
    for (const intent of ['resume', 'pause', 'end']) {
      const refused = await post(id, { intent })
      expect(refused.status).toBe(409)
      expect((refused.data as Refusal).message).toMatch(/has ended/)
    }
    const edit = await post(id, { intent: 'edit', ...campaignFields({ headline: 'Back again' }) })
    expect(edit.status).toBe(409)
    expect(await campaignRow(id)).toEqual(before)
  })

  it('answers an unknown or missing intent with a 400 saying what can be done', async () => {
    const id = await runningCampaign(staff, advertiser)
    const before = await campaignRow(id)
    const forms: Record<string, string>[] = [{ intent: 'delete' }, { intent: '' }, {}]
    for (const form of forms) {
      const refused = await post(id, form)
      expect(refused.status).toBe(400)
      expect(refused.data).toMatchObject({ ok: false, field: 'intent', message: expect.stringMatching(/Choose pause, resume, end or edit/) })
    }
    expect(await campaignRow(id)).toEqual(before)
  })

  it('refuses a bad edit with the creation messages, keeping what was typed and storing nothing', async () => {
    const id = await runningCampaign(staff, advertiser)
    const before = await campaignRow(id)
    const imagesBefore = await adImages()
    const notAnImage = new File(['<svg onload="alert(1)"></svg>'], 'stent.png', { type: 'image/png' })
    const cases: [Record<string, string | Blob>, number, string | null, RegExp][] = [
      [{ ...campaignFields({ headline: 'New words' }), image: notAnImage }, 400, 'image', /not an image/],
      [campaignFields({ landingUrl: 'http://acme.example' }), 400, 'landingUrl', /full https:\/\/ address/],
      [campaignFields({ sponsorName: '' }), 400, 'sponsorName', /who the ad is sponsored by/],
      [campaignFields({ audienceAge: 'under_18' }), 422, 'audienceAge', /never shown to anyone under 18/],
      [campaignFields({ interestConsent: 'ignore' }), 422, 'interestConsent', /turned on personalised ads/],
    ]
    for (const [fields, status, field, message] of cases) {
      const refused = await post(id, { intent: 'edit', ...fields })
      expect(refused.status).toBe(status)
      const reply = refused.data as Refusal
      expect(reply).toMatchObject({ ok: false, intent: 'edit', field })
      expect(reply.message).toMatch(message)
    }
    const typed = (await post(id, { intent: 'edit', ...campaignFields({ landingUrl: 'http://acme.example/typed' }) })).data as Refusal
    expect(typed.values).toMatchObject({ landingUrl: 'http://acme.example/typed', headline: 'A stent for small vessels' })
    expect(await campaignRow(id)).toEqual(before)
    expect(await adImages()).toEqual(imagesBefore)
  })

  it('saves an edit of the ad with a new image, stops showing it and says the changes wait for review', async () => {
    const id = await runningCampaign(staff, advertiser)
    const member = await createDoctor()
    expect((await homeAdFor(member))?.campaignId).toBe(id)
    const png = await sharp({ create: { width: 60, height: 30, channels: 3, background: '#0a7' } }).png().toBuffer()
    const image = new File([new Uint8Array(png)], 'stent.png', { type: 'image/png' })
    const saved = await post(id, { intent: 'edit', ...campaignFields({ headline: 'Now for large vessels too' }), image })
    expect([saved.status, saved.location]).toEqual([302, `/advertise/campaigns/${id}?done=sent-for-review`])
    const row = await campaignRow(id)
    expect(row).toMatchObject({ status: 'pending_review', headline: 'Now for large vessels too' })
    expect(row.image_path).toMatch(/^ad-[0-9a-f-]{36}\.webp$/)
    expect(await adImages()).toContain(row.image_path)
    expect(await homeAdFor(member)).toBeNull()
    expect((await page(id, '?done=sent-for-review')).data).toMatchObject({ phase: 'changes_pending', actions: ['edit', 'end'], done: 'sent-for-review' })

    // A new name alone, while the changes wait, is saved as it is: still waiting.
    const renamed = await post(id, { intent: 'edit', ...campaignFields({ name: 'Stent launch, phase 2', headline: 'Now for large vessels too' }) })
    expect(renamed.location).toBe(`/advertise/campaigns/${id}?done=saved`)
    expect(await campaignRow(id)).toMatchObject({ name: 'Stent launch, phase 2', status: 'pending_review', image_path: row.image_path })
    await deleteUpload(row.image_path as string)
  })

  it('tells another advertiser the page does not exist and changes nothing, whatever they post', async () => {
    const id = await runningCampaign(staff, advertiser)
    const rival = await approvedAdvertiser(staff, 'Rival Pharma')
    const rivalAuth = await signIn(rival.person.id)
    const before = await campaignRow(id)
    const seen = await callLoader(campaignRoute, { url: `/advertise/campaigns/${id}`, params: { id }, auth: rivalAuth })
    expect([seen.status, seen.thrown]).toEqual([404, true])
    for (const form of [{ intent: 'pause' }, { intent: 'resume' }, { intent: 'end' }, { intent: 'edit', ...campaignFields({ headline: 'Rival words' }) }]) {
      const refused = await post(id, form, rivalAuth)
      expect([refused.status, refused.thrown]).toEqual([404, true])
      expect(refused.data).toMatch(/could not find that campaign/)
    }
    expect(await campaignRow(id)).toEqual(before)
  })
})

describe('Hide this advertiser', () => {
  it('works as a plain form post: a redirect back, and the advertiser hidden for that member only', async () => {
    const id = await runningCampaign(staff, advertiser)
    const member = await createDoctor()
    const other = await createDoctor()
    const ad = await homeAdFor(member)
    expect(ad?.campaignId).toBe(id)

    // What the ad's <form method="post" action="/ads/hide"> sends: url-encoded fields, no script.
    const hidden = await callAction(hideRoute, {
      url: '/ads/hide',
      auth: await signIn(member.id),
      form: { advertiserId: ad!.advertiserId, redirectTo: '/c/cardiology-grand-rounds' },
    })
    expect([hidden.status, hidden.location]).toEqual([302, '/c/cardiology-grand-rounds'])
    expect(await sql()`select advertiser_id from ad_hidden_advertisers where user_id = ${member.id}`).toEqual([{ advertiser_id: advertiser.advertiserId }])
    expect(await homeAdFor(member)).toBeNull()
    expect((await homeAdFor(other))?.campaignId).toBe(id)
  })

  it('sends the member back only within Rounds, and refuses a missing advertiser with a 400', async () => {
    await runningCampaign(staff, advertiser)
    const memberAuth = await signIn((await createDoctor()).id)
    const offsite = await callAction(hideRoute, { url: '/ads/hide', auth: memberAuth, form: { advertiserId: advertiser.advertiserId, redirectTo: 'https://evil.example/' } })
    expect([offsite.status, offsite.location]).toEqual([302, '/'])
    const missing = await callAction(hideRoute, { url: '/ads/hide', auth: memberAuth, form: { redirectTo: '/' } })
    expect(missing.status).toBe(400)
    expect(missing.data).toMatchObject({ ok: false, message: 'Choose an advertiser to hide.' })
    // A visitor is asked to sign in, and nothing is written.
    const visitor = await callAction(hideRoute, { url: '/ads/hide', form: { advertiserId: advertiser.advertiserId } })
    expect(visitor.location).toMatch(/^\/login\?redirectTo=/)
    expect(await sql()`select 1 from ad_hidden_advertisers where advertiser_id = ${advertiser.advertiserId} and user_id <> ${memberAuth.user.id}`).toEqual([])
  })
})
