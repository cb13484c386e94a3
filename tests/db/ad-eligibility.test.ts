import { describe, expect, it } from 'vitest'
import { adEligibility, placementAllowsAds, type AdPlacement, type AdTargeting, type AdViewerFacts } from '../../db/ads/eligibility'

const CLUB = { id: 'club-cardio', name: 'Cardiology Grand Rounds' }

const campaign = (overrides: Partial<AdTargeting> = {}): AdTargeting => ({
  advertiserId: 'adv-1',
  targetClubIds: [],
  targetPageSpecialities: [],
  targetTopics: [],
  audienceSpecialities: [],
  targetInterests: [],
  verifiedOnly: false,
  prescriptionDrug: false,
  ...overrides,
})

const member = (overrides: Partial<AdViewerFacts> = {}): AdViewerFacts => ({
  adult: true,
  verified: false,
  speciality: 'Cardiology',
  personalised: false,
  interests: [{ key: 'ecg', label: 'ECG' }],
  clubs: [CLUB],
  hiddenAdvertiserIds: [],
  ...overrides,
})

const home: AdPlacement = { kind: 'home' }

describe('ad eligibility', () => {
  // Every combination of age, consent, verification, campaign flag and kind of targeting.
  const ages = [true, false] as const
  const consents = [true, false] as const
  const verifications = [true, false] as const
  const flags = ['none', 'verifiedOnly', 'prescriptionDrug'] as const
  const kinds = ['contextual', 'interest', 'everyone'] as const
  for (const adult of ages)
    for (const personalised of consents)
      for (const verified of verifications)
        for (const flag of flags)
          for (const kind of kinds) {
            it(`adult=${adult} personalised=${personalised} verified=${verified} flag=${flag} targeting=${kind}`, () => {
              const c = campaign({
                verifiedOnly: flag === 'verifiedOnly',
                prescriptionDrug: flag === 'prescriptionDrug',
                targetClubIds: kind === 'contextual' ? [CLUB.id] : [],
                targetInterests: kind === 'interest' ? ['ecg'] : [],
              })
              // A personalised member is an adult by definition; the facts never say otherwise.
              const facts = member({ adult, personalised: personalised && adult, verified })
              const decision = adEligibility(c, facts, home)
              const expected = adult && (flag === 'none' || verified) && (kind !== 'interest' || (personalised && adult))
              expect(decision.eligible).toBe(expected)
              if (!adult) expect(decision).toEqual({ eligible: false, refusal: 'under_18' })
              else if (flag !== 'none' && !verified) expect(decision).toEqual({ eligible: false, refusal: 'not_verified' })
              if (decision.eligible) {
                const texts = decision.reasons.map((r) => r.text)
                if (kind === 'contextual') expect(texts).toContain('You are in Cardiology Grand Rounds')
                if (kind === 'interest') expect(decision.reasons).toContainEqual({ text: 'Your interest: ECG (you can remove it)', link: '/settings/ads' })
                if (flag !== 'none') expect(texts).toContain('You are a verified doctor')
                // An interest is never a reason unless the member consented.
                if (!personalised) expect(texts.some((t) => t.startsWith('Your interest'))).toBe(false)
              }
            })
          }

  it('never matches inferred interests without consent, even if the campaign also targets a club the member is not in', () => {
    const c = campaign({ targetInterests: ['ecg'], targetClubIds: ['another-club'] })
    expect(adEligibility(c, member({ personalised: false }), home)).toEqual({ eligible: false, refusal: 'no_match' })
    const both = campaign({ targetInterests: ['ecg'], targetClubIds: [CLUB.id] })
    const decision = adEligibility(both, member({ personalised: false }), home)
    expect(decision).toEqual({ eligible: true, reasons: [{ text: 'You are in Cardiology Grand Rounds' }] })
  })

  it('refuses every place that may not carry ads: a live room, a talk with certificates, a club page beside one', () => {
    const c = campaign()
    expect(adEligibility(c, member(), { kind: 'live' })).toEqual({ eligible: false, refusal: 'placement' })
    expect(adEligibility(c, member(), { kind: 'talk', issuesCertificates: true })).toEqual({ eligible: false, refusal: 'placement' })
    expect(adEligibility(c, member(), { kind: 'talk', issuesCertificates: false }).eligible).toBe(true)
    const club = (besideCertificateTalk: boolean): AdPlacement => ({
      kind: 'club',
      clubId: CLUB.id,
      clubName: CLUB.name,
      specialities: ['Cardiology'],
      talkTitles: ['ECG in atrial fibrillation'],
      besideCertificateTalk,
    })
    expect(placementAllowsAds(club(true))).toBe(false)
    expect(adEligibility(c, member(), club(true))).toEqual({ eligible: false, refusal: 'placement' })
    expect(placementAllowsAds(club(false))).toBe(true)
  })

  it('matches the page: its club, its speciality and the topics of its talks, each as a reason', () => {
    const placement: AdPlacement = {
      kind: 'club',
      clubId: CLUB.id,
      clubName: CLUB.name,
      specialities: ['Cardiology'],
      talkTitles: ['ECG in atrial fibrillation'],
      besideCertificateTalk: false,
    }
    const c = campaign({ targetClubIds: [CLUB.id], targetPageSpecialities: ['cardiology'], targetTopics: ['atrial fibrillation'] })
    expect(adEligibility(c, member({ clubs: [] }), placement)).toEqual({
      eligible: true,
      reasons: [{ text: 'You are viewing Cardiology Grand Rounds' }, { text: 'This page is about cardiology' }, { text: 'A talk on this page is about atrial fibrillation' }],
    })
    // The same campaign on the home page of someone outside the club has nothing to match.
    expect(adEligibility(c, member({ clubs: [] }), home)).toEqual({ eligible: false, refusal: 'no_match' })
  })

  it('requires a declared speciality when the campaign names one, and honours a hidden advertiser', () => {
    const c = campaign({ audienceSpecialities: ['Dermatology'] })
    expect(adEligibility(c, member(), home)).toEqual({ eligible: false, refusal: 'speciality' })
    expect(adEligibility(c, member({ speciality: null }), home)).toEqual({ eligible: false, refusal: 'speciality' })
    expect(adEligibility(c, member({ speciality: 'Dermatology' }), home)).toEqual({ eligible: true, reasons: [{ text: 'Your speciality: Dermatology' }] })
    expect(adEligibility(campaign(), member({ hiddenAdvertiserIds: ['adv-1'] }), home)).toEqual({ eligible: false, refusal: 'hidden' })
  })
})
