import { expect } from 'vitest'
import { createCampaign, decideAdvertiser, flushAdEvents, forgetRunningCampaigns, registerAdvertiser, reviewCampaign, selectAd } from '../../db/ads/index'
import { rawSql } from '../../db/client'
import { PublicError } from '../../db/errors'
import { createDoctor, viewerOf } from './factories'

// Advertisers, reviewers and campaigns for the ads tests, made through the data layer.

export const DAY_MS = 24 * 60 * 60 * 1000

/** A staff member with the `ads_reviewer` duty. */
export async function adsReviewer() {
  const staff = await createDoctor({ name: 'Dr Ads Reviewer' })
  await rawSql()`update users set role = 'staff' where id = ${staff.id}`
  await rawSql()`insert into staff_duties (user_id, duty) values (${staff.id}, 'ads_reviewer')`
  return viewerOf(staff, 'staff')
}

export type AdsReviewer = Awaited<ReturnType<typeof adsReviewer>>

/** An organisation staff approved, and the account that acts for it. */
export async function approvedAdvertiser(staff: AdsReviewer, name = 'Acme Cardio') {
  const person = await createDoctor({ name: `${name} marketing` })
  const { id } = await registerAdvertiser(viewerOf(person), { name, website: 'https://acme.example' })
  await decideAdvertiser(staff, id, 'approve')
  return { person, viewer: viewerOf(person), advertiserId: id }
}

export type TestAdvertiser = Awaited<ReturnType<typeof approvedAdvertiser>>

/** A campaign's form as an advertiser fills it: running from yesterday for a week. */
export const campaignFields = (overrides: Record<string, string | undefined> = {}) => ({
  name: 'Stent launch',
  headline: 'A stent for small vessels',
  body: 'Two-year outcomes from the trial.',
  imageAlt: 'A coronary stent on a blue background',
  landingUrl: 'https://acme.example/stent',
  sponsorName: 'Acme Cardio Ltd',
  startsOn: new Date(Date.now() - DAY_MS).toISOString().slice(0, 10),
  endsOn: new Date(Date.now() + 7 * DAY_MS).toISOString().slice(0, 10),
  dailyCap: '1000',
  ...overrides,
})

/** A campaign staff approved, inside its dates. */
export async function runningCampaign(staff: AdsReviewer, advertiser: { viewer: TestAdvertiser['viewer'] }, overrides: Record<string, string | undefined> = {}) {
  const { id } = await createCampaign(advertiser.viewer, campaignFields(overrides), 'ad-test.webp')
  await reviewCampaign(staff, id, 'approve', null)
  return id
}

/** The promise is refused with a PublicError of this status and message. */
export async function expectAdRefusal(promise: Promise<unknown>, status: number, message: RegExp) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(PublicError)
  expect((error as PublicError).status).toBe(status)
  expect((error as PublicError).message).toMatch(message)
}

/** Ends every campaign earlier tests left running, so selection sees only what a test makes next. */
export async function endAllCampaigns() {
  await rawSql()`update ad_campaigns set status = 'ended' where status in ('approved', 'paused')`
  await flushAdEvents()
  forgetRunningCampaigns()
}

/** The campaign's stored row, to show a refused change left everything as it was. */
export async function campaignRow(id: string) {
  const [row] = await rawSql()`select * from ad_campaigns where id = ${id}`
  return row
}

/** The ad this member would be shown on their home page now (nothing is counted). */
export function homeAdFor(member: { id: string }) {
  return selectAd(viewerOf(member), { kind: 'home' }, { record: false })
}
