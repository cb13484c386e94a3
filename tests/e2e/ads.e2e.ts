import { randomUUID } from 'node:crypto'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { rollUpAds } from '../../db/ads/rollup'
import { closeDatabase, openDatabase, rawSql } from '../../db/client'
import { addClubMember, createDoctor, createTestClub, DEFAULT_PASSWORD, type TestDoctor } from '../support/factories'
import { screenshot, setUpBrowser, signIn, type Doctor } from './support'

const { newUserContext, expectBrowserErrors } = setUpBrowser()

// The demo's staff member holds the ads_reviewer duty (db/seed.ts).
const reviewer: Doctor = { name: 'Privacy Officer', email: 'privacy.officer@demo.rounds.local', password: 'rounds-demo-2026', dateOfBirth: '' }
const asDoctor = (d: TestDoctor): Doctor => ({ name: d.name, email: d.email, password: DEFAULT_PASSWORD, dateOfBirth: '' })

beforeAll(async () => {
  await openDatabase({ url: inject('databaseUrl'), runMigrations: false, maxConnections: 2 })
})
afterAll(async () => {
  await closeDatabase()
})

const tag = Date.now().toString(36)
const interestKey = `ecg-${tag}`
let clubSlug = ''
let clubName = ''
let contextualId = ''
let advertiser: TestDoctor

async function image() {
  return sharp({ create: { width: 120, height: 63, channels: 3, background: '#b91c1c' } }).png().toBuffer()
}

describe('ads that respect ad preferences', () => {
  test('an advertiser is approved, two campaigns pass review, and each member sees only what their choices allow, with the reasons', async () => {
    const owner = await createDoctor()
    clubName = `Cardiology Grand Rounds ${tag}`
    const club = await createTestClub(owner, { name: clubName, specialities: ['Cardiology'] })
    clubSlug = club.slug

    advertiser = await createDoctor({ name: 'Dr Acme Marketing' })
    const { page: adv } = await newUserContext()
    await signIn(adv, asDoctor(advertiser))
    await adv.goto('/advertise')
    await adv.getByLabel('Organisation name').fill(`Acme Cardio ${tag}`)
    await adv.getByLabel('Website (https://…)').fill('https://acme.example')
    await adv.getByRole('button', { name: 'Ask to advertise' }).click()
    await adv.getByTestId('advertiser-pending').waitFor()

    const { page: staff } = await newUserContext()
    await signIn(staff, reviewer)
    await staff.goto('/staff/ads')
    await staff.getByRole('button', { name: `Approve Acme Cardio ${tag}` }).click()
    await staff.getByText('Advertiser approved.').waitFor()

    const fillCampaign = async (name: string, target: { clubs?: string; interests?: string }, landing = 'https://acme.example/stent') => {
      await adv.goto('/advertise/campaigns/new')
      await adv.getByLabel('Campaign name (only you see it)').fill(name)
      await adv.getByLabel('Sponsored by').fill('Acme Cardio Ltd')
      await adv.getByLabel('Headline').fill(`${name}: a stent for small vessels`)
      await adv.getByLabel('Text').fill('Two-year outcomes from the trial.')
      await adv.getByLabel('Image (JPEG, PNG, WebP or GIF, up to 5 MB)').setInputFiles({ name: 'stent.png', mimeType: 'image/png', buffer: await image() })
      await adv.getByLabel('Image description').fill('A coronary stent on a red background')
      await adv.getByLabel('Landing page (https://…)').fill(landing)
      if (target.clubs) await adv.getByLabel(/^Clubs/).fill(target.clubs)
      if (target.interests) await adv.getByLabel(/^Interests/).fill(target.interests)
      await adv.getByRole('button', { name: 'Send for review' }).click()
    }
    // An http landing page is refused, and nothing is created.
    expectBrowserErrors(/status of 400/)
    await fillCampaign('Refused', { clubs: clubSlug }, 'http://acme.example/stent')
    await adv.getByRole('alert').filter({ hasText: 'The landing page must be a full https:// address.' }).waitFor()

    await fillCampaign('Contextual', { clubs: clubSlug })
    await adv.waitForURL((url) => url.searchParams.get('submitted') === '1')
    contextualId = adv.url().split('/').at(-1)!.split('?')[0]
    await fillCampaign('Interest', { interests: interestKey })
    await adv.waitForURL((url) => url.searchParams.get('submitted') === '1')
    expect(await adv.getByTestId('campaign-status').innerText()).toContain('Waiting for review')

    await staff.goto('/staff/ads')
    for (let i = 0; i < 2; i++) {
      await staff.getByRole('button', { name: 'Approve campaign' }).first().click()
      await staff.getByText('Campaign approved: it runs on its dates.').waitFor()
    }
    await staff.getByText('No campaigns are waiting.').waitFor()

    // In the club, personalised ads off — though an interest is on record: only the club's ad.
    const contextual = await createDoctor({ name: 'Dr Contextual Only' })
    await addClubMember(club, contextual)
    await rawSql()`insert into ad_interests (user_id, key, label, source) values (${contextual.id}, ${interestKey}, 'ECG', 'interest')`
    const { page: one } = await newUserContext()
    await signIn(one, asDoctor(contextual))
    for (let i = 0; i < 4; i++) {
      await one.goto('/')
      const slot = one.getByTestId('ad-slot')
      expect(await slot.innerText()).toContain('Contextual: a stent for small vessels')
    }
    await one.getByText('Why am I seeing this?').click()
    const why = await one.getByTestId('ad-why').innerText()
    expect(why).toContain(`You are in ${clubName}`)
    expect(why).not.toContain('Your interest')
    await screenshot(one, 'ads-home-contextual')

    // Outside the club, personalised ads on and targeting cookies accepted: the interest ad, saying so.
    const personal = await createDoctor({ name: 'Dr Personalised' })
    await rawSql()`insert into privacy_settings (user_id, personalised_ads, personalised_ads_chosen_at) values (${personal.id}, true, now())`
    await rawSql()`insert into cookie_consents (id, user_id, consent_id, performance, functionality, targeting, policy_version)
      values (${randomUUID()}, ${personal.id}, ${randomUUID().replace(/-/g, '')}, false, false, true, '1')`
    await rawSql()`insert into ad_interests (user_id, key, label, source) values (${personal.id}, ${interestKey}, 'ECG', 'interest')`
    const { page: two } = await newUserContext()
    await signIn(two, asDoctor(personal))
    await two.goto('/')
    expect(await two.getByTestId('ad-slot').innerText()).toMatch(/^Sponsored · by Acme Cardio Ltd/i)
    expect(await two.getByTestId('ad-slot').innerText()).toContain('Interest: a stent for small vessels')
    await two.getByText('Why am I seeing this?').click()
    const link = two.getByRole('link', { name: 'Your interest: ECG (you can remove it)' })
    expect(await link.getAttribute('href')).toBe('/settings/ads')

    // Hiding the advertiser works as a plain form, and the ad is gone.
    await two.getByRole('button', { name: 'Hide this advertiser' }).click()
    await two.getByTestId('ad-slot').waitFor({ state: 'detached' })
    expect(new URL(two.url()).pathname).toBe('/')
    await two.reload()
    expect(await two.getByTestId('ad-slot').count()).toBe(0)

    // The club page carries the club's ad for a signed-in doctor outside it.
    await two.goto(`/c/${clubSlug}`)
    expect(await two.getByTestId('ad-slot').count()).toBe(0)
    await one.goto(`/c/${clubSlug}`)
    await one.getByText('Why am I seeing this?').click()
    expect(await one.getByTestId('ad-why').innerText()).toContain(`You are viewing ${clubName}`)
  })

  test('the advertiser sees figures only for groups of at least 50 doctors', async () => {
    const day = new Date(Date.now() - 3 * 24 * 60 * 60 * 1000).toISOString().slice(0, 10)
    // Yesterday's audience, as the event buffer writes it: 63 cardiologists and 2 dermatologists.
    for (let i = 0; i < 65; i++) {
      await rawSql()`insert into ad_events (campaign_id, day_token, kind, placement, sponsor_name, speciality, region, day)
        values (${contextualId}, ${`t${i}`}, 'impression', 'home', 'Acme Cardio Ltd', ${i < 63 ? 'Cardiology' : 'Dermatology'}, 'Asia', ${day})`
    }
    await rollUpAds()
    const { page: adv } = await newUserContext()
    await signIn(adv, asDoctor(advertiser))
    await adv.goto(`/advertise/campaigns/${contextualId}?day=${day}`)
    const dayRow = adv.getByTestId('report-row').filter({ hasText: day }).first()
    expect(await dayRow.getAttribute('data-suppressed')).toBe('false')
    // 65 doctors, one impression each, rounded to the nearest 10.
    expect(await dayRow.innerText()).toMatch(/70\s+70\s+0\s+0%\s+1/)
    const speciality = adv.getByRole('table').filter({ hasText: 'By speciality' })
    expect(await speciality.getByTestId('report-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-suppressed')))).toEqual(['true', 'true'])
    expect(await speciality.innerText()).toContain('Held back to protect a small group')
    await screenshot(adv, 'ads-report')
    // The held-back cell cannot be asked for directly.
    const cell = await adv.request.get(`/advertise/campaigns/${contextualId}/cell?day=${day}&dimension=speciality&value=Dermatology`)
    expect(cell.status()).toBe(403)
    // Another advertiser is told the campaign does not exist.
    const rival = await createDoctor({ name: 'Dr Rival Marketing' })
    const rivalId = randomUUID()
    await rawSql()`insert into advertisers (id, name, website, status) values (${rivalId}, 'Rival Pharma', 'https://rival.example', 'approved')`
    await rawSql()`insert into advertiser_members (advertiser_id, user_id) values (${rivalId}, ${rival.id})`
    const { page: other } = await newUserContext()
    await signIn(other, asDoctor(rival))
    expectBrowserErrors(/status of 404/)
    const response = await other.goto(`/advertise/campaigns/${contextualId}`)
    expect(response?.status()).toBe(404)
  })

  test('the advertiser pauses, resumes, changes and ends a campaign from its page, with JavaScript off', async () => {
    const [club] = await rawSql()<{ id: string }[]>`select id from clubs where slug = ${clubSlug}`
    const member = await createDoctor({ name: 'Dr Club Member' })
    await addClubMember(club, member)
    const { page: reader } = await newUserContext()
    await signIn(reader, asDoctor(member))
    const adsOnHome = async () => {
      await reader.goto('/')
      return reader.getByTestId('ad-slot').count()
    }
    expect(await adsOnHome()).toBe(1)

    const { page: adv } = await newUserContext({ javaScriptEnabled: false })
    await signIn(adv, asDoctor(advertiser))
    await adv.goto(`/advertise/campaigns/${contextualId}`)
    const status = adv.getByTestId('campaign-status')
    expect(await status.getAttribute('data-phase')).toBe('running')
    expect(await adv.getByRole('button', { name: 'Resume' }).count()).toBe(0)

    await adv.getByRole('button', { name: 'Pause' }).click()
    await adv.getByText('Paused. Doctors no longer see it.').waitFor()
    expect(await status.getAttribute('data-phase')).toBe('paused')
    expect(await adv.getByRole('button', { name: 'Pause' }).count()).toBe(0)
    expect(await adsOnHome()).toBe(0)

    await adv.getByRole('button', { name: 'Resume' }).click()
    await adv.getByText('Resumed. It runs on its dates.').waitFor()
    expect(await adsOnHome()).toBe(1)

    // A new headline goes back to staff; the old approval does not carry it.
    await adv.getByRole('link', { name: 'Edit', exact: true }).click()
    await adv.getByLabel('Headline').fill('Contextual: now for large vessels too')
    await adv.getByRole('button', { name: 'Save changes' }).click()
    await adv.getByText('Saved and sent to Rounds staff.').waitFor()
    expect(await status.innerText()).toContain('Changes waiting for review')
    expect(await adsOnHome()).toBe(0)
    await screenshot(adv, 'ads-campaign-changes-waiting')

    await adv.getByText('End campaign…').click()
    await adv.getByRole('button', { name: 'End the campaign for good' }).click()
    await adv.getByText('Ended. It is not shown again; its figures stay here.').waitFor()
    expect(await status.getAttribute('data-phase')).toBe('ended')
    expect(await adv.getByTestId('campaign-controls').count()).toBe(0)
    expect(await adv.getByText('Edit the campaign').count()).toBe(0)
  })
})
