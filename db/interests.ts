/** The curated interests offered as chips when a new member says what interests them; others are typed in freely. */
export const interestVocabulary = [
  'ECG',
  'Echocardiography',
  'Heart failure',
  'Atrial fibrillation',
  'Hypertension',
  'Stroke',
  'Epilepsy',
  'Multiple sclerosis',
  'Point-of-care ultrasound',
  'Resuscitation',
  'Trauma',
  'Sepsis',
  'Diabetes',
  'Paediatric emergencies',
  'Medical education',
  'Clinical trials',
  'AI in imaging',
  'Palliative care',
  'Global health',
  'Simulation training',
] as const

/** How many interests a profile holds, and how long each may be. */
export const MAX_INTERESTS = 10
export const MAX_INTEREST_LENGTH = 40
