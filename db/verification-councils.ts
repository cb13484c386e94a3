/*
 * The councils a doctor may be registered with: India's National Medical Commission and the state
 * medical councils, or "another country" with the regulator's name. Every Indian registration is
 * searchable in the NMC's Indian Medical Register, so a verifier checks there; the page is opened by
 * the verifier, Rounds never reads it.
 */

export const INDIAN_MEDICAL_REGISTER = 'https://www.nmc.org.in/information-desk/indian-medical-register/'

export const COUNCILS = [
  { code: 'nmc', name: 'National Medical Commission' },
  { code: 'andhra-pradesh', name: 'Andhra Pradesh Medical Council' },
  { code: 'arunachal-pradesh', name: 'Arunachal Pradesh Medical Council' },
  { code: 'assam', name: 'Assam Medical Council' },
  { code: 'bihar', name: 'Bihar Medical Council' },
  { code: 'chhattisgarh', name: 'Chhattisgarh Medical Council' },
  { code: 'delhi', name: 'Delhi Medical Council' },
  { code: 'goa', name: 'Goa Medical Council' },
  { code: 'gujarat', name: 'Gujarat Medical Council' },
  { code: 'haryana', name: 'Haryana Medical Council' },
  { code: 'himachal-pradesh', name: 'Himachal Pradesh Medical Council' },
  { code: 'jammu-kashmir', name: 'Jammu & Kashmir Medical Council' },
  { code: 'jharkhand', name: 'Jharkhand Medical Council' },
  { code: 'karnataka', name: 'Karnataka Medical Council' },
  { code: 'kerala', name: 'Travancore Cochin Medical Council (Kerala)' },
  { code: 'madhya-pradesh', name: 'Madhya Pradesh Medical Council' },
  { code: 'maharashtra', name: 'Maharashtra Medical Council' },
  { code: 'manipur', name: 'Manipur Medical Council' },
  { code: 'meghalaya', name: 'Meghalaya Medical Council' },
  { code: 'mizoram', name: 'Mizoram Medical Council' },
  { code: 'nagaland', name: 'Nagaland Medical Council' },
  { code: 'odisha', name: 'Odisha Council of Medical Registration' },
  { code: 'punjab', name: 'Punjab Medical Council' },
  { code: 'rajasthan', name: 'Rajasthan Medical Council' },
  { code: 'sikkim', name: 'Sikkim Medical Council' },
  { code: 'tamil-nadu', name: 'Tamil Nadu Medical Council' },
  { code: 'telangana', name: 'Telangana State Medical Council' },
  { code: 'tripura', name: 'Tripura Medical Council' },
  { code: 'uttar-pradesh', name: 'Uttar Pradesh Medical Council' },
  { code: 'uttarakhand', name: 'Uttarakhand Medical Council' },
  { code: 'west-bengal', name: 'West Bengal Medical Council' },
  { code: 'other', name: 'Another country' },
] as const

export type CouncilCode = (typeof COUNCILS)[number]['code']

export function isCouncilCode(code: string): code is CouncilCode {
  return COUNCILS.some((c) => c.code === code)
}

/** The name shown on a badge: the council's, or for another country the regulator's as given. */
export function councilName(code: string, regulatorName: string | null) {
  if (code === 'other') return regulatorName ?? 'A regulator outside India'
  return COUNCILS.find((c) => c.code === code)?.name ?? code
}

/** Where a verifier looks the registration up by hand; null when Rounds knows no public register. */
export function registerSearchUrl(code: string) {
  return code === 'other' ? null : INDIAN_MEDICAL_REGISTER
}

/**
 * The format rule, deliberately simple: an Indian registration number is 3 to 8 digits, optionally
 * after up to 5 letters and a slash or dash ("45678", "MMC/2011/045678" is written "MMC-045678");
 * another country's is 3 to 20 letters, digits, dashes or slashes with at least one digit.
 * Spaces are dropped and letters upper-cased first.
 */
export function normaliseRegistrationNumber(code: string, raw: string): string | null {
  const value = raw.replace(/\s+/g, '').toUpperCase()
  if (code === 'other') return /^(?=.*\d)[A-Z0-9/-]{3,20}$/.test(value) ? value : null
  return /^([A-Z]{1,5}[/-])?\d{3,8}$/.test(value) ? value : null
}

export function registrationNumberRule(code: string) {
  return code === 'other'
    ? 'Use 3 to 20 letters, digits, dashes or slashes, with at least one digit.'
    : 'Use 3 to 8 digits, optionally after up to 5 letters and a dash, such as 45678 or MMC-45678.'
}
