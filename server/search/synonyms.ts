/*
 * Words doctors use for the same speciality or topic: abbreviations, British and
 * American spellings, the specialist's name for the field. One list for both
 * engines: the Postgres engine widens each query word with its group
 * (server/search/query.ts); Meilisearch gets the same groups as its `synonyms`
 * setting (server/search/meili-settings.ts).
 *
 * Every entry is lowercase words separated by single spaces. Entries of a group
 * are interchangeable both ways.
 */
export const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ['cardiology', 'cardio', 'cardiac', 'cardiologist'],
  ['neurology', 'neuro', 'neurologist'],
  ['neurosurgery', 'neurosurg', 'neurosurgeon'],
  ['dermatology', 'derm', 'derma', 'dermatologist'],
  ['otorhinolaryngology', 'ent', 'ear nose and throat'],
  ['gynaecology', 'gynecology', 'gynae', 'gyn', 'obgyn', 'obstetrics'],
  ['orthopaedics', 'orthopedics', 'ortho', 'orthopaedic', 'orthopedic'],
  ['paediatrics', 'pediatrics', 'paeds', 'peds', 'paediatric', 'pediatric'],
  ['gastroenterology', 'gastro', 'gi'],
  ['oncology', 'onc', 'onco', 'oncologist'],
  ['psychiatry', 'psych', 'psychiatrist'],
  ['pulmonology', 'pulm', 'pulmo', 'respiratory', 'chest medicine'],
  ['rheumatology', 'rheum', 'rheumatologist'],
  ['emergency medicine', 'emergency', 'ed', 'er'],
  ['general practice', 'gp', 'family medicine'],
  ['internal medicine', 'im'],
  ['infectious diseases', 'infectious disease', 'id'],
  ['haematology', 'hematology', 'haem', 'heme'],
  ['endocrinology', 'endo', 'endocrine'],
  ['nephrology', 'nephro', 'renal'],
  ['urology', 'uro', 'urologist'],
  ['ophthalmology', 'ophth', 'ophtho', 'eye'],
  ['anaesthesiology', 'anesthesiology', 'anaesthesia', 'anesthesia', 'anaesthetics', 'anaesthetist', 'anesthetist'],
  ['radiology', 'rads', 'radiologist', 'imaging'],
  ['geriatrics', 'geriatric', 'elderly care'],
  ['critical care', 'icu', 'itu', 'intensive care'],
  ['point of care ultrasound', 'pocus'],
  ['myocardial infarction', 'mi', 'heart attack'],
]

const byPhrase = new Map<string, readonly string[]>()
for (const group of SYNONYM_GROUPS) {
  for (const entry of group) byPhrase.set(entry, group)
}

/** The longest phrase, in words, any entry has. */
export const LONGEST_SYNONYM = Math.max(...SYNONYM_GROUPS.flat().map((e) => e.split(' ').length))

/** The other entries of a phrase's group, or none. */
export function synonymsOf(phrase: string): string[] {
  const group = byPhrase.get(phrase)
  return group ? group.filter((e) => e !== phrase) : []
}
