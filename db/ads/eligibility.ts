/*
 * Whether one campaign may be shown to one member in one place, and the exact reasons to tell
 * them. A pure function of the facts (no queries), so every combination of consent, age,
 * verification and campaign flag is tested directly (tests/db/ad-eligibility.test.ts).
 */

/** Where an ad would appear. Live rooms and talks that issue certificates never carry ads. */
export type AdPlacement =
  | { kind: 'home' }
  | {
      kind: 'club'
      clubId: string
      clubName: string
      /** The club's specialities: the page's subject. */
      specialities: string[]
      /** Titles of the talks listed on the page, matched against topic targeting. */
      talkTitles: string[]
      /** A talk listed on the page issues certificates: no ad beside it. */
      besideCertificateTalk: boolean
    }
  | { kind: 'talk'; issuesCertificates: boolean }
  | { kind: 'live' }

/** What Rounds knows of the member that targeting may use. */
export type AdViewerFacts = {
  /** 18 or over by the date of birth given at sign-up. */
  adult: boolean
  /** A doctor whose registration staff verified (and not lapsed). */
  verified: boolean
  speciality: string | null
  /** Personalised ads on, targeting cookies accepted, no objection, adult. */
  personalised: boolean
  /** Inferred interests, not removed; used only when `personalised`. */
  interests: { key: string; label: string }[]
  /** Clubs the member is in, by id, with their names. */
  clubs: { id: string; name: string }[]
  hiddenAdvertiserIds: string[]
}

export type AdTargeting = {
  advertiserId: string
  targetClubIds: string[]
  targetPageSpecialities: string[]
  targetTopics: string[]
  audienceSpecialities: string[]
  targetInterests: string[]
  verifiedOnly: boolean
  prescriptionDrug: boolean
}

export type AdReason = { text: string; link?: string }

export type AdRefusal = 'placement' | 'under_18' | 'hidden' | 'not_verified' | 'speciality' | 'no_match'

export type AdDecision = { eligible: true; reasons: AdReason[] } | { eligible: false; refusal: AdRefusal }

const lower = (s: string) => s.trim().toLowerCase()

/** Whether a place may carry an ad at all. */
export function placementAllowsAds(placement: AdPlacement): boolean {
  if (placement.kind === 'live') return false
  if (placement.kind === 'talk') return !placement.issuesCertificates
  if (placement.kind === 'club') return !placement.besideCertificateTalk
  return true
}

export function adEligibility(campaign: AdTargeting, viewer: AdViewerFacts, placement: AdPlacement): AdDecision {
  if (!placementAllowsAds(placement)) return { eligible: false, refusal: 'placement' }
  // Never to anyone under 18: not contextual, not anything.
  if (!viewer.adult) return { eligible: false, refusal: 'under_18' }
  if (viewer.hiddenAdvertiserIds.includes(campaign.advertiserId)) return { eligible: false, refusal: 'hidden' }

  const facts: AdReason[] = []
  if (campaign.prescriptionDrug || campaign.verifiedOnly) {
    if (!viewer.verified) return { eligible: false, refusal: 'not_verified' }
    facts.push({ text: 'You are a verified doctor' })
  }
  if (campaign.audienceSpecialities.length) {
    const mine = viewer.speciality ? lower(viewer.speciality) : null
    const match = mine ? campaign.audienceSpecialities.find((s) => lower(s) === mine) : undefined
    if (!match || !viewer.speciality) return { eligible: false, refusal: 'speciality' }
    facts.push({ text: `Your speciality: ${viewer.speciality}` })
  }

  const hasMatchers =
    campaign.targetClubIds.length + campaign.targetPageSpecialities.length + campaign.targetTopics.length + campaign.targetInterests.length > 0
  if (!hasMatchers) {
    return { eligible: true, reasons: facts.length ? facts : [{ text: 'Shown to every doctor on Rounds' }] }
  }

  const matched: AdReason[] = []
  // Contextual: always allowed.
  if (placement.kind === 'club' && campaign.targetClubIds.includes(placement.clubId)) {
    matched.push({ text: `You are viewing ${placement.clubName}` })
  } else {
    const club = viewer.clubs.find((c) => campaign.targetClubIds.includes(c.id))
    if (club) matched.push({ text: `You are in ${club.name}` })
  }
  if (placement.kind === 'club') {
    const pageSpecialities = placement.specialities.map(lower)
    const speciality = campaign.targetPageSpecialities.find((s) => pageSpecialities.includes(lower(s)))
    if (speciality) matched.push({ text: `This page is about ${speciality}` })
    const titles = placement.talkTitles.map(lower)
    const topic = campaign.targetTopics.find((t) => lower(t) && titles.some((title) => title.includes(lower(t))))
    if (topic) matched.push({ text: `A talk on this page is about ${topic}` })
  }
  // Interest-based: only with personalised ads on and targeting cookies accepted.
  if (viewer.personalised && campaign.targetInterests.length) {
    const wanted = campaign.targetInterests.map(lower)
    const interest = viewer.interests.find((i) => wanted.includes(lower(i.key)))
    if (interest) matched.push({ text: `Your interest: ${interest.label} (you can remove it)`, link: '/settings/ads' })
  }
  if (!matched.length) return { eligible: false, refusal: 'no_match' }
  return { eligible: true, reasons: [...matched, ...facts] }
}
