import { randomUUID } from 'node:crypto'
import type { Database } from './client'
import {
  clubFollows,
  clubMembers,
  clubs,
  follows,
  policyVersions,
  profiles,
  quizOptions,
  quizQuestions,
  quizzes,
  staffDuties,
  talkRsvps,
  talks,
  users,
} from './schema/index'

/*
 * Demo data for Rounds. Everything lives in plain arrays so the demo is the
 * same on every machine; only the dates move with the clock (talks are placed
 * a number of days before or after today).
 */

const DEMO_PASSWORD = 'rounds-demo-2026'
const EMAIL_DOMAIN = 'demo.rounds.local'

/** Accounts a visitor can sign in with. */
/** A staff account for the privacy officer console (/staff/privacy). */
export const demoStaffLogin = { email: 'privacy.officer@demo.rounds.local', password: DEMO_PASSWORD }

export const demoLogins = [
  // Public-profile cardiologist who owns 'cardiology-grand-rounds' and 'cath-lab-fellows'.
  { email: 'asha.rao@demo.rounds.local', password: DEMO_PASSWORD },
  // Private-profile neurologist, member of private clubs.
  { email: 'tom.becker@demo.rounds.local', password: DEMO_PASSWORD },
]

type Speciality =
  | 'Cardiology'
  | 'Neurology'
  | 'Paediatrics'
  | 'Oncology'
  | 'Emergency Medicine'
  | 'General Surgery'
  | 'Dermatology'
  | 'Psychiatry'
  | 'Radiology'
  | 'Orthopaedics'
  | 'General Practice'
  | 'Anaesthesiology'

type DoctorSeed = {
  /** 'first-last'; the email is 'first.last@demo.rounds.local'. */
  handle: string
  name: string
  speciality: Speciality
  city: string
  interests: string[]
  bio: string
  registrationNumber: string
  dateOfBirth: string
  visibility: 'public' | 'private'
}

const doctors: DoctorSeed[] = [
  {
    handle: 'asha-rao',
    name: 'Asha Rao',
    speciality: 'Cardiology',
    city: 'Mumbai',
    interests: ['Heart failure', 'Echocardiography', 'Interventional cardiology'],
    bio: 'Interventional cardiologist running a busy cath lab in Mumbai. I host our weekly grand rounds and love a good ECG puzzle.',
    registrationNumber: 'MCI-2009-31874',
    dateOfBirth: '1979-04-12',
    visibility: 'public',
  },
  {
    handle: 'tom-becker',
    name: 'Tom Becker',
    speciality: 'Neurology',
    city: 'Berlin',
    interests: ['Stroke', 'Epilepsy', 'Neurocritical care'],
    bio: 'Stroke neurologist on a comprehensive stroke unit in Berlin. Mostly here for the thrombectomy cases and the EEG teaching.',
    registrationNumber: 'AEK-BE 204511',
    dateOfBirth: '1984-09-03',
    visibility: 'private',
  },
  {
    handle: 'priya-nair',
    name: 'Priya Nair',
    speciality: 'Cardiology',
    city: 'Bengaluru',
    interests: ['Preventive cardiology', 'Lipidology', 'Cardio-obstetrics'],
    bio: 'Consultant cardiologist with a soft spot for prevention clinics. Happy to talk Lp(a) with anyone who will listen.',
    registrationNumber: 'KMC-2012-77340',
    dateOfBirth: '1986-01-27',
    visibility: 'public',
  },
  {
    handle: 'james-okafor',
    name: 'James Okafor',
    speciality: 'Cardiology',
    city: 'Lagos',
    interests: ['Hypertension', 'Echocardiography', 'Rheumatic heart disease'],
    bio: 'Cardiologist at a teaching hospital in Lagos. Working on getting point-of-care echo into district hospitals.',
    registrationNumber: 'MDCN/R/41277',
    dateOfBirth: '1981-06-18',
    visibility: 'public',
  },
  {
    handle: 'grace-oconnor',
    name: "Grace O'Connor",
    speciality: 'Cardiology',
    city: 'Dublin',
    interests: ['Electrophysiology', 'Atrial fibrillation'],
    bio: 'EP fellow in Dublin. Ablations by day, arguing about anticoagulation by night.',
    registrationNumber: 'IMC 412876',
    dateOfBirth: '1991-11-05',
    visibility: 'private',
  },
  {
    handle: 'arjun-iyer',
    name: 'Arjun Iyer',
    speciality: 'Cardiology',
    city: 'Chennai',
    interests: ['Complex PCI', 'Chronic total occlusions', 'Intravascular imaging'],
    bio: 'Interventional cardiologist doing complex and CTO PCI. I share our complication cases so others do not have to learn them the hard way.',
    registrationNumber: 'TNMC-2010-58219',
    dateOfBirth: '1980-02-14',
    visibility: 'public',
  },
  {
    handle: 'ananya-sharma',
    name: 'Ananya Sharma',
    speciality: 'Neurology',
    city: 'Mumbai',
    interests: ['Autoimmune neurology', 'Multiple sclerosis', 'Functional disorders'],
    bio: 'Neurologist with an interest in neuroimmunology. I run the neuro case club and always need more interesting cases.',
    registrationNumber: 'MCI-2011-48213',
    dateOfBirth: '1983-07-22',
    visibility: 'public',
  },
  {
    handle: 'elena-petrova',
    name: 'Elena Petrova',
    speciality: 'Neurology',
    city: 'Vienna',
    interests: ['Stroke', 'Thrombolysis', 'Clinical trials'],
    bio: 'Vascular neurologist and trialist in Vienna. Currently obsessed with our tenecteplase registry data.',
    registrationNumber: 'OAEK 91532',
    dateOfBirth: '1977-12-09',
    visibility: 'public',
  },
  {
    handle: 'daniel-kim',
    name: 'Daniel Kim',
    speciality: 'Radiology',
    city: 'Toronto',
    interests: ['Neuroradiology', 'Cardiac CT', 'AI in imaging'],
    bio: 'Radiologist splitting my week between neuro and cardiac imaging. I join case discussions to show what the scan was trying to tell us.',
    registrationNumber: 'CPSO 98214',
    dateOfBirth: '1985-03-30',
    visibility: 'public',
  },
  {
    handle: 'aiko-tanaka',
    name: 'Aiko Tanaka',
    speciality: 'Radiology',
    city: 'Tokyo',
    interests: ['Interventional neuroradiology', 'Oncologic imaging'],
    bio: 'Interventional neuroradiologist in Tokyo. I mostly lurk and occasionally post angiograms.',
    registrationNumber: 'MHLW 412398',
    dateOfBirth: '1982-05-16',
    visibility: 'private',
  },
  {
    handle: 'chidinma-eze',
    name: 'Chidinma Eze',
    speciality: 'Paediatrics',
    city: 'Lagos',
    interests: ['Neonatal sepsis', 'Paediatric emergencies', 'Global child health'],
    bio: 'Paediatrician in Lagos working across the emergency unit and the special care baby unit. Febrile neonates keep me up at night.',
    registrationNumber: 'MDCN/R/52904',
    dateOfBirth: '1988-08-25',
    visibility: 'public',
  },
  {
    handle: 'sarah-thompson',
    name: 'Sarah Thompson',
    speciality: 'Paediatrics',
    city: 'Sydney',
    interests: ['Paediatric emergency medicine', 'Bronchiolitis', 'Simulation training'],
    bio: 'Paediatric emergency physician in Sydney and simulation nerd. I run the paeds emergency forum for anyone who sees sick kids.',
    registrationNumber: 'MED0001823456',
    dateOfBirth: '1978-10-02',
    visibility: 'public',
  },
  {
    handle: 'lucas-oliveira',
    name: 'Lucas Oliveira',
    speciality: 'Emergency Medicine',
    city: 'São Paulo',
    interests: ['Resuscitation', 'Point-of-care ultrasound', 'Trauma'],
    bio: 'Emergency physician in São Paulo. POCUS evangelist and reluctant night-shift veteran.',
    registrationNumber: 'CRM-SP 154872',
    dateOfBirth: '1987-02-11',
    visibility: 'public',
  },
  {
    handle: 'mateo-garcia',
    name: 'Mateo García',
    speciality: 'Emergency Medicine',
    city: 'Madrid',
    interests: ['Toxicology', 'Airway management', 'ECG interpretation'],
    bio: 'Urgencias consultant in Madrid. Toxicology and ECGs are the best part of any shift.',
    registrationNumber: 'CMM 282849371',
    dateOfBirth: '1984-12-20',
    visibility: 'public',
  },
  {
    handle: 'hannah-schmidt',
    name: 'Hannah Schmidt',
    speciality: 'Anaesthesiology',
    city: 'Munich',
    interests: ['Regional anaesthesia', 'Perioperative medicine', 'Geriatric anaesthesia'],
    bio: 'Consultant anaesthetist in Munich with a focus on regional blocks for hip fractures.',
    registrationNumber: 'BLAEK 318820',
    dateOfBirth: '1982-04-08',
    visibility: 'public',
  },
  {
    handle: 'lars-johansson',
    name: 'Lars Johansson',
    speciality: 'Anaesthesiology',
    city: 'Stockholm',
    interests: ['Cardiac anaesthesia', 'Intensive care'],
    bio: 'Cardiothoracic anaesthetist and intensivist in Stockholm.',
    registrationNumber: 'SOS 8712345',
    dateOfBirth: '1972-09-14',
    visibility: 'private',
  },
  {
    handle: 'oliver-bennett',
    name: 'Oliver Bennett',
    speciality: 'General Surgery',
    city: 'London',
    interests: ['Colorectal surgery', 'Laparoscopy', 'Enhanced recovery'],
    bio: 'Consultant colorectal surgeon in London. I bring the surgical view to the tumour board and the occasional theatre video.',
    registrationNumber: 'GMC 7012345',
    dateOfBirth: '1976-01-19',
    visibility: 'public',
  },
  {
    handle: 'yusuf-demir',
    name: 'Yusuf Demir',
    speciality: 'General Surgery',
    city: 'Istanbul',
    interests: ['Hepatobiliary surgery', 'Pancreatic surgery', 'Surgical education'],
    bio: 'HPB surgeon in Istanbul. I teach residents and believe every Whipple deserves a good debrief.',
    registrationNumber: 'TTB 98712',
    dateOfBirth: '1979-06-03',
    visibility: 'public',
  },
  {
    handle: 'fatima-alsayed',
    name: 'Fatima Al-Sayed',
    speciality: 'Oncology',
    city: 'Dubai',
    interests: ['Breast cancer', 'Precision oncology', 'Survivorship'],
    bio: 'Medical oncologist in Dubai focusing on breast cancer. Co-chair of our virtual tumour board.',
    registrationNumber: 'DHA-P-0087654',
    dateOfBirth: '1983-03-21',
    visibility: 'public',
  },
  {
    handle: 'isabella-rossi',
    name: 'Isabella Rossi',
    speciality: 'Oncology',
    city: 'Milan',
    interests: ['Immunotherapy', 'Gastrointestinal cancers', 'Immune-related adverse events'],
    bio: 'Oncologist in Milan working on GI cancers and immunotherapy. I started the virtual tumour board during the pandemic and never stopped.',
    registrationNumber: 'OMCeO-MI 41255',
    dateOfBirth: '1975-08-29',
    visibility: 'public',
  },
  {
    handle: 'mei-tan',
    name: 'Mei Tan',
    speciality: 'Dermatology',
    city: 'Singapore',
    interests: ['Dermoscopy', 'Skin cancer', 'Teledermatology'],
    bio: 'Dermatologist in Singapore. I post an image every week; guesses from GPs are very welcome.',
    registrationNumber: 'SMC M12345A',
    dateOfBirth: '1985-11-11',
    visibility: 'public',
  },
  {
    handle: 'camila-ferreira',
    name: 'Camila Ferreira',
    speciality: 'Dermatology',
    city: 'São Paulo',
    interests: ['Tropical dermatology', 'Leprosy', 'Paediatric dermatology'],
    bio: 'Dermatologist in São Paulo with an interest in infectious and tropical skin disease.',
    registrationNumber: 'CRM-SP 178230',
    dateOfBirth: '1989-05-07',
    visibility: 'private',
  },
  {
    handle: 'rahul-mehta',
    name: 'Rahul Mehta',
    speciality: 'Orthopaedics',
    city: 'Delhi',
    interests: ['Trauma surgery', 'Fracture fixation', 'Shoulder surgery'],
    bio: 'Orthopaedic trauma surgeon in Delhi. We stream selected cases from theatre with the patient’s consent.',
    registrationNumber: 'DMC-2008-29174',
    dateOfBirth: '1974-07-15',
    visibility: 'public',
  },
  {
    handle: 'benjamin-wright',
    name: 'Benjamin Wright',
    speciality: 'Orthopaedics',
    city: 'Melbourne',
    interests: ['Orthogeriatrics', 'Hip fractures', 'Arthroplasty'],
    bio: 'Orthopaedic surgeon in Melbourne working closely with our orthogeriatric team.',
    registrationNumber: 'MED0001547892',
    dateOfBirth: '1981-10-23',
    visibility: 'public',
  },
  {
    handle: 'emily-walsh',
    name: 'Emily Walsh',
    speciality: 'General Practice',
    city: 'Dublin',
    interests: ['Women’s health', 'Dermatology in primary care', 'Doctor wellbeing'],
    bio: 'GP in a busy Dublin practice. I join the case clubs to keep my hospital medicine sharp.',
    registrationNumber: 'IMC 421093',
    dateOfBirth: '1990-02-28',
    visibility: 'private',
  },
  {
    handle: 'ngozi-adeyemi',
    name: 'Ngozi Adeyemi',
    speciality: 'General Practice',
    city: 'London',
    interests: ['Cardiovascular prevention', 'Diabetes', 'Medical education'],
    bio: 'GP partner in south London and trainer for GP registrars. Prevention is better than a cath lab.',
    registrationNumber: 'GMC 6098431',
    dateOfBirth: '1980-12-01',
    visibility: 'public',
  },
  {
    handle: 'kwame-mensah',
    name: 'Kwame Mensah',
    speciality: 'Psychiatry',
    city: 'Accra',
    interests: ['Physician burnout', 'Sleep medicine', 'Global mental health'],
    bio: 'Psychiatrist in Accra. I run a small, confidential wellbeing circle for colleagues; no case is too small to talk about.',
    registrationNumber: 'MDC/RN/8821',
    dateOfBirth: '1977-03-09',
    visibility: 'public',
  },
  {
    handle: 'david-cohen',
    name: 'David Cohen',
    speciality: 'Psychiatry',
    city: 'Toronto',
    interests: ['Consultation-liaison psychiatry', 'Second victim support'],
    bio: 'Consultation-liaison psychiatrist in Toronto working on peer support after adverse events.',
    registrationNumber: 'CPSO 87123',
    dateOfBirth: '1969-06-26',
    visibility: 'private',
  },
]

type ClubRole = 'owner' | 'admin' | 'moderator' | 'member'

type ClubSeed = {
  slug: string
  name: string
  description: string
  specialities: Speciality[]
  visibility: 'public' | 'private'
  owner: string
  /** How long ago the club was started. */
  createdDaysAgo: number
  /** Handles of the members other than the owner, with their roles. */
  members: [handle: string, role: Exclude<ClubRole, 'owner'>][]
}

const clubSeeds: ClubSeed[] = [
  {
    slug: 'cardiology-grand-rounds',
    name: 'Cardiology Grand Rounds',
    description:
      'Weekly grand rounds for cardiologists, physicians and anyone who reads ECGs. Expect real cases, a short evidence update and the occasional ECG quiz. Trainees are very welcome to present.',
    specialities: ['Cardiology'],
    visibility: 'public',
    owner: 'asha-rao',
    createdDaysAgo: 210,
    members: [
      ['priya-nair', 'admin'],
      ['james-okafor', 'moderator'],
      ['arjun-iyer', 'member'],
      ['grace-oconnor', 'member'],
      ['daniel-kim', 'member'],
      ['hannah-schmidt', 'member'],
      ['ngozi-adeyemi', 'member'],
      ['emily-walsh', 'member'],
      ['mateo-garcia', 'member'],
      ['lucas-oliveira', 'member'],
    ],
  },
  {
    slug: 'cath-lab-fellows',
    name: 'Cath Lab Fellows',
    description:
      'A closed group for interventional fellows and consultants to review difficult PCI cases and complications. What is shared here stays here. Please anonymise all images before posting.',
    specialities: ['Cardiology', 'Radiology'],
    visibility: 'private',
    owner: 'asha-rao',
    createdDaysAgo: 150,
    members: [
      ['arjun-iyer', 'admin'],
      ['grace-oconnor', 'member'],
      ['james-okafor', 'member'],
      ['priya-nair', 'member'],
      ['daniel-kim', 'member'],
      ['lars-johansson', 'member'],
    ],
  },
  {
    slug: 'neuro-case-club',
    name: 'Neuro Case Club',
    description:
      'Fortnightly neurology case discussions, from the classic to the baffling. Bring your localisation skills; imaging is revealed at the end. Non-neurologists are encouraged to join in.',
    specialities: ['Neurology', 'Radiology'],
    visibility: 'public',
    owner: 'ananya-sharma',
    createdDaysAgo: 180,
    members: [
      ['tom-becker', 'admin'],
      ['elena-petrova', 'moderator'],
      ['aiko-tanaka', 'member'],
      ['daniel-kim', 'member'],
      ['david-cohen', 'member'],
      ['mateo-garcia', 'member'],
      ['emily-walsh', 'member'],
      ['kwame-mensah', 'member'],
    ],
  },
  {
    slug: 'stroke-thrombectomy-network',
    name: 'Stroke Thrombectomy Network',
    description:
      'A private network of stroke neurologists and neurointerventionists comparing notes on thrombectomy decisions. We review borderline cases and share pathway data between centres.',
    specialities: ['Neurology', 'Radiology', 'Emergency Medicine'],
    visibility: 'private',
    owner: 'tom-becker',
    createdDaysAgo: 95,
    members: [
      ['elena-petrova', 'admin'],
      ['aiko-tanaka', 'moderator'],
      ['daniel-kim', 'member'],
      ['ananya-sharma', 'member'],
      ['lucas-oliveira', 'member'],
    ],
  },
  {
    slug: 'paeds-emergency-forum',
    name: 'Paediatric Emergency Forum',
    description:
      'For everyone who looks after sick children at the front door: paediatricians, emergency physicians and GPs. We discuss recent cases and new guidelines. Short, practical sessions that fit around a shift.',
    specialities: ['Paediatrics', 'Emergency Medicine'],
    visibility: 'public',
    owner: 'sarah-thompson',
    createdDaysAgo: 160,
    members: [
      ['chidinma-eze', 'admin'],
      ['lucas-oliveira', 'moderator'],
      ['mateo-garcia', 'member'],
      ['ngozi-adeyemi', 'member'],
      ['emily-walsh', 'member'],
      ['hannah-schmidt', 'member'],
      ['benjamin-wright', 'member'],
    ],
  },
  {
    slug: 'virtual-tumour-board',
    name: 'Virtual Tumour Board',
    description:
      'A multidisciplinary tumour board open to oncologists, surgeons, radiologists and pathologists worldwide. Each session reviews two or three anonymised cases. Recommendations are educational, not a substitute for your local MDT.',
    specialities: ['Oncology', 'General Surgery', 'Radiology'],
    visibility: 'public',
    owner: 'isabella-rossi',
    createdDaysAgo: 240,
    members: [
      ['fatima-alsayed', 'admin'],
      ['mei-tan', 'moderator'],
      ['oliver-bennett', 'member'],
      ['yusuf-demir', 'member'],
      ['aiko-tanaka', 'member'],
      ['daniel-kim', 'member'],
      ['ngozi-adeyemi', 'member'],
    ],
  },
  {
    slug: 'derm-image-of-the-week',
    name: 'Dermatology Image of the Week',
    description:
      'One clinical image a week, a short history and a live discussion of the differential. Perfect for GPs and emergency doctors who want to sharpen their eye for skin.',
    specialities: ['Dermatology', 'General Practice'],
    visibility: 'public',
    owner: 'mei-tan',
    createdDaysAgo: 120,
    members: [
      ['camila-ferreira', 'admin'],
      ['emily-walsh', 'member'],
      ['ngozi-adeyemi', 'member'],
      ['fatima-alsayed', 'member'],
      ['isabella-rossi', 'member'],
      ['sarah-thompson', 'member'],
      ['priya-nair', 'member'],
    ],
  },
  {
    slug: 'ortho-trauma-theatre',
    name: 'Orthopaedic Trauma Theatre',
    description:
      'Live and recorded orthopaedic trauma procedures with commentary from the operating surgeon and anaesthetist. Between cases we debate fixation choices and perioperative care.',
    specialities: ['Orthopaedics', 'Anaesthesiology', 'Emergency Medicine'],
    visibility: 'public',
    owner: 'rahul-mehta',
    createdDaysAgo: 200,
    members: [
      ['benjamin-wright', 'admin'],
      ['hannah-schmidt', 'moderator'],
      ['lars-johansson', 'member'],
      ['lucas-oliveira', 'member'],
      ['mateo-garcia', 'member'],
      ['oliver-bennett', 'member'],
      ['yusuf-demir', 'member'],
      ['sarah-thompson', 'member'],
    ],
  },
  {
    slug: 'doctors-wellbeing-circle',
    name: "Doctors' Wellbeing Circle",
    description:
      'A small, confidential space to talk about the parts of medicine that do not make it into case reports. Sessions are facilitated by psychiatrists and are never recorded.',
    specialities: ['Psychiatry', 'General Practice'],
    visibility: 'private',
    owner: 'kwame-mensah',
    createdDaysAgo: 130,
    members: [
      ['david-cohen', 'admin'],
      ['emily-walsh', 'member'],
      ['ngozi-adeyemi', 'member'],
      ['tom-becker', 'member'],
      ['chidinma-eze', 'member'],
      ['hannah-schmidt', 'member'],
      ['james-okafor', 'member'],
    ],
  },
]

type TalkSeed = {
  club: string
  host: string
  type: 'talk' | 'case_discussion' | 'surgery' | 'quiz'
  title: string
  description: string
  /** Days from today: negative is in the past (ended), positive is upcoming (scheduled). */
  day: number
  /** Start time of day, UTC, 'HH:MM'. */
  at: string
  durationMinutes: number
}

const talkSeeds: TalkSeed[] = [
  // cardiology-grand-rounds
  {
    club: 'cardiology-grand-rounds',
    host: 'asha-rao',
    type: 'talk',
    title: 'HFpEF in 2026: what actually changes management',
    description:
      'A practical update on heart failure with preserved ejection fraction: SGLT2 inhibitors, GLP-1 agonists in obesity-related HFpEF, and who still needs a right heart catheter.',
    day: -12,
    at: '13:00',
    durationMinutes: 60,
  },
  {
    club: 'cardiology-grand-rounds',
    host: 'priya-nair',
    type: 'case_discussion',
    title: 'Chest pain, normal troponin, abnormal CT coronary angiogram',
    description:
      'A 52-year-old with exertional chest pain, serial troponins within range and a CTCA showing a high-risk plaque. Medical therapy, functional testing or straight to the cath lab?',
    day: -5,
    at: '14:00',
    durationMinutes: 45,
  },
  {
    club: 'cardiology-grand-rounds',
    host: 'asha-rao',
    type: 'quiz',
    title: 'ECG Friday: 3 rhythm strips',
    description:
      'Three rhythm strips, 30 seconds each, live leaderboard. We go through every strip afterwards with the tricks for telling them apart at 3 a.m.',
    day: 2,
    at: '12:30',
    durationMinutes: 30,
  },
  {
    club: 'cardiology-grand-rounds',
    host: 'priya-nair',
    type: 'talk',
    title: 'Lipoprotein(a): who to test and what to tell them',
    description:
      'Why a once-in-a-lifetime Lp(a) measurement is becoming standard, how to explain a high result to patients, and where the outcome trials stand.',
    day: 9,
    at: '13:00',
    durationMinutes: 60,
  },
  // cath-lab-fellows
  {
    club: 'cath-lab-fellows',
    host: 'asha-rao',
    type: 'case_discussion',
    title: 'Calcified left main: lithotripsy or rotablation? Two cases',
    description:
      'Two heavily calcified distal left main lesions treated with different strategies. IVUS runs, what went well and what we would do differently.',
    day: -8,
    at: '17:00',
    durationMinutes: 60,
  },
  {
    club: 'cath-lab-fellows',
    host: 'arjun-iyer',
    type: 'case_discussion',
    title: 'Complications review: coronary perforation during CTO PCI',
    description:
      'An Ellis type III perforation during retrograde CTO crossing: recognition, balloon tamponade, covered stent and the lessons for the team.',
    day: 6,
    at: '17:00',
    durationMinutes: 45,
  },
  // neuro-case-club
  {
    club: 'neuro-case-club',
    host: 'ananya-sharma',
    type: 'case_discussion',
    title: 'Subacute cerebellar ataxia in a 34-year-old',
    description:
      'Three weeks of progressive unsteadiness and dysarthria with a normal first MRI. We walk through the autoimmune and paraneoplastic work-up step by step.',
    day: -15,
    at: '15:00',
    durationMinutes: 60,
  },
  {
    club: 'neuro-case-club',
    host: 'tom-becker',
    type: 'talk',
    title: 'Reading the EEG for non-neurologists',
    description:
      'Enough EEG to be dangerous: normal background, common artefacts, and the patterns that should make you call neurology about non-convulsive status.',
    day: -3,
    at: '15:00',
    durationMinutes: 45,
  },
  {
    club: 'neuro-case-club',
    host: 'ananya-sharma',
    type: 'case_discussion',
    title: 'Functional neurological disorder: making a positive diagnosis',
    description:
      'Two cases of functional weakness presenting as suspected stroke. Hoover’s sign, how to explain the diagnosis, and getting physiotherapy involved early.',
    day: 11,
    at: '15:00',
    durationMinutes: 60,
  },
  // stroke-thrombectomy-network
  {
    club: 'stroke-thrombectomy-network',
    host: 'tom-becker',
    type: 'case_discussion',
    title: 'Thrombectomy beyond 24 hours: three borderline cases',
    description:
      'Late-window large vessel occlusions with favourable perfusion imaging. Would your centre have taken them to the angio suite?',
    day: -10,
    at: '18:00',
    durationMinutes: 60,
  },
  {
    club: 'stroke-thrombectomy-network',
    host: 'elena-petrova',
    type: 'talk',
    title: 'Tenecteplase instead of alteplase: our first year of data',
    description:
      'Door-to-needle times, recanalisation before thrombectomy and bleeding rates after switching our network to tenecteplase.',
    day: 4,
    at: '18:00',
    durationMinutes: 45,
  },
  // paeds-emergency-forum
  {
    club: 'paeds-emergency-forum',
    host: 'sarah-thompson',
    type: 'talk',
    title: 'Bronchiolitis season: high-flow, when and when not',
    description:
      'What the trials tell us about high-flow nasal cannula in bronchiolitis, how we wean, and keeping infants out of the ICU who do not need to be there.',
    day: -20,
    at: '09:00',
    durationMinutes: 60,
  },
  {
    club: 'paeds-emergency-forum',
    host: 'chidinma-eze',
    type: 'case_discussion',
    title: 'The febrile infant under 60 days',
    description:
      'A well-appearing 5-week-old with a fever of 38.4 °C. Risk stratification with and without procalcitonin, and what changes when the lab is a long way off.',
    day: -2,
    at: '09:00',
    durationMinutes: 45,
  },
  {
    club: 'paeds-emergency-forum',
    host: 'sarah-thompson',
    type: 'talk',
    title: 'Paediatric sepsis: the Phoenix criteria in practice',
    description:
      'How the new paediatric sepsis criteria differ from SIRS-based definitions, and what they mean for triage and escalation in the emergency department.',
    day: 14,
    at: '09:00',
    durationMinutes: 60,
  },
  // virtual-tumour-board
  {
    club: 'virtual-tumour-board',
    host: 'isabella-rossi',
    type: 'case_discussion',
    title: 'Tumour board: borderline resectable pancreatic cancer',
    description:
      'A 61-year-old with a pancreatic head tumour abutting the SMV. Neoadjuvant FOLFIRINOX, restaging and the surgical view on venous resection.',
    day: -7,
    at: '16:00',
    durationMinutes: 90,
  },
  {
    club: 'virtual-tumour-board',
    host: 'fatima-alsayed',
    type: 'case_discussion',
    title: 'Tumour board: HER2-low metastatic breast cancer',
    description:
      'Sequencing antibody–drug conjugates after endocrine therapy in HER2-low disease, with two anonymised cases and a pathology review of HER2 scoring.',
    day: 3,
    at: '16:00',
    durationMinutes: 90,
  },
  {
    club: 'virtual-tumour-board',
    host: 'isabella-rossi',
    type: 'talk',
    title: 'Immunotherapy toxicities the on-call team should know',
    description:
      'Colitis, hepatitis, pneumonitis and myocarditis from checkpoint inhibitors: how they present out of hours and when to start steroids.',
    day: 17,
    at: '16:00',
    durationMinutes: 60,
  },
  // derm-image-of-the-week
  {
    club: 'derm-image-of-the-week',
    host: 'mei-tan',
    type: 'case_discussion',
    title: 'Image of the week: a changing pigmented lesion on the sole',
    description:
      'A 67-year-old noticed a dark patch on her heel growing over a year. Dermoscopy patterns on acral skin and why the parallel ridge pattern matters.',
    day: -9,
    at: '11:00',
    durationMinutes: 30,
  },
  {
    club: 'derm-image-of-the-week',
    host: 'camila-ferreira',
    type: 'case_discussion',
    title: 'Image of the week: annular plaques in a returning traveller',
    description:
      'Anaesthetic annular plaques after a long stay in northern Brazil. Tinea, granuloma annulare or something we should not miss?',
    day: 5,
    at: '11:00',
    durationMinutes: 30,
  },
  // ortho-trauma-theatre
  {
    club: 'ortho-trauma-theatre',
    host: 'rahul-mehta',
    type: 'surgery',
    title: 'Live theatre: intramedullary nailing of a tibial shaft fracture',
    description:
      'Suprapatellar nailing of a closed tibial shaft fracture, with commentary on reduction tricks, blocking screws and avoiding malalignment.',
    day: -14,
    at: '07:30',
    durationMinutes: 90,
  },
  {
    club: 'ortho-trauma-theatre',
    host: 'benjamin-wright',
    type: 'case_discussion',
    title: 'Hip fractures in the over-90s: timing and anaesthesia',
    description:
      'Surgery within 36 hours, spinal versus general anaesthesia and fascia iliaca blocks in the emergency department, discussed with our anaesthetists.',
    day: -4,
    at: '08:00',
    durationMinutes: 60,
  },
  {
    club: 'ortho-trauma-theatre',
    host: 'rahul-mehta',
    type: 'surgery',
    title: 'Live theatre: reverse shoulder arthroplasty for a proximal humerus fracture',
    description:
      'A four-part proximal humerus fracture in a 78-year-old treated with a reverse total shoulder. Tuberosity repair, implant positioning and rehabilitation.',
    day: 8,
    at: '07:30',
    durationMinutes: 90,
  },
  // doctors-wellbeing-circle
  {
    club: 'doctors-wellbeing-circle',
    host: 'kwame-mensah',
    type: 'talk',
    title: 'Night shifts and sleep: what the evidence says',
    description:
      'Anchor sleep, napping strategies and light exposure for doctors on rotating rotas, followed by an open discussion.',
    day: -6,
    at: '19:00',
    durationMinutes: 60,
  },
  {
    club: 'doctors-wellbeing-circle',
    host: 'david-cohen',
    type: 'case_discussion',
    title: 'The second victim: supporting colleagues after a serious incident',
    description:
      'An anonymised account of a medication error and its aftermath for the doctor involved. How peer support works and what we wish someone had said to us.',
    day: 10,
    at: '19:00',
    durationMinutes: 60,
  },
]

type QuizSeed = {
  club: string
  /** Title of the club's 'quiz' talk the quiz belongs to. */
  talk: string
  author: string
  title: string
  questions: {
    prompt: string
    explanation: string
    timeLimitSeconds: number
    options: { label: string; correct?: true }[]
  }[]
}

const quizSeeds: QuizSeed[] = [
  {
    club: 'cardiology-grand-rounds',
    talk: 'ECG Friday: 3 rhythm strips',
    author: 'asha-rao',
    title: 'ECG Friday: 3 rhythm strips',
    questions: [
      {
        prompt:
          'Strip 1: an irregularly irregular narrow-complex rhythm at about 130 bpm, no discernible P waves and a fine undulating baseline. What is the rhythm?',
        explanation:
          'Irregularly irregular QRS complexes without organised atrial activity are atrial fibrillation. Multifocal atrial tachycardia is also irregular but shows at least three distinct P-wave morphologies.',
        timeLimitSeconds: 20,
        options: [
          { label: 'Atrial fibrillation', correct: true },
          { label: 'Atrial flutter with variable block' },
          { label: 'Multifocal atrial tachycardia' },
          { label: 'Sinus tachycardia with frequent ectopics' },
        ],
      },
      {
        prompt:
          'Strip 2: a regular narrow-complex tachycardia at exactly 150 bpm with a sawtooth baseline best seen in II, III and aVF. What is the rhythm?',
        explanation:
          'Atrial flutter typically has an atrial rate near 300 per minute; with 2:1 conduction the ventricular rate sits at about 150. A regular rate of 150 should always make you look for hidden flutter waves.',
        timeLimitSeconds: 25,
        options: [
          { label: 'AV nodal re-entrant tachycardia' },
          { label: 'Atrial flutter with 2:1 conduction', correct: true },
          { label: 'Sinus tachycardia' },
          { label: 'Ventricular tachycardia' },
        ],
      },
      {
        prompt:
          'Strip 3: the PR interval lengthens with each beat until a P wave is not followed by a QRS, and then the cycle repeats. What is the rhythm?',
        explanation:
          'Progressive PR prolongation before a dropped beat is Mobitz type I (Wenckebach) second-degree AV block, usually at the level of the AV node. Mobitz II drops beats without PR prolongation and is more likely to need pacing.',
        timeLimitSeconds: 30,
        options: [
          { label: 'First-degree AV block' },
          { label: 'Second-degree AV block, Mobitz type II' },
          { label: 'Second-degree AV block, Mobitz type I (Wenckebach)', correct: true },
          { label: 'Third-degree (complete) heart block' },
        ],
      },
    ],
  },
]

const DAY_MS = 24 * 60 * 60 * 1000

/** Midnight UTC of today, shifted by `days`, at the given 'HH:MM' (UTC). */
function dayAt(today: Date, days: number, time: string) {
  const [hours, minutes] = time.split(':').map(Number)
  const midnight = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate())
  return new Date(midnight + days * DAY_MS + (hours * 60 + minutes) * 60 * 1000)
}

function emailFor(handle: string) {
  return `${handle.replace('-', '.')}@${EMAIL_DOMAIN}`
}

/**
 * Fills an empty database with demo doctors, clubs, talks and a quiz.
 * Does nothing (and returns `{ seeded: false }`) when any user exists.
 */
export async function seedDemoData(
  database: Database,
  options: { hashPassword: (password: string) => Promise<string> },
): Promise<{ seeded: boolean }> {
  if (await hasUsers(database)) return { seeded: false }

  // Hashing is slow: once for everyone, and before the transaction opens.
  const passwordHash = await options.hashPassword(DEMO_PASSWORD)
  const now = new Date()

  const userIds = new Map(doctors.map((doctor) => [doctor.handle, randomUUID()]))
  const userId = (handle: string) => {
    const id = userIds.get(handle)
    if (!id) throw new Error(`Seed data refers to an unknown doctor: ${handle}`)
    return id
  }

  const userRows = doctors.map((doctor, index) => ({
    id: userId(doctor.handle),
    email: emailFor(doctor.handle),
    emailVerifiedAt: now,
    passwordHash,
    dateOfBirth: doctor.dateOfBirth,
    role: 'member' as const,
    createdAt: new Date(now.getTime() - (300 - index * 3) * DAY_MS),
  }))

  const profileRows = doctors.map((doctor) => ({
    userId: userId(doctor.handle),
    handle: doctor.handle,
    name: doctor.name,
    speciality: doctor.speciality,
    city: doctor.city,
    interests: doctor.interests,
    bio: doctor.bio,
    registrationNumber: doctor.registrationNumber,
    visibility: doctor.visibility,
    updatedAt: now,
  }))

  const clubIds = new Map(clubSeeds.map((club) => [club.slug, randomUUID()]))
  const clubId = (slug: string) => {
    const id = clubIds.get(slug)
    if (!id) throw new Error(`Seed data refers to an unknown club: ${slug}`)
    return id
  }

  const clubRows = clubSeeds.map((club) => ({
    id: clubId(club.slug),
    slug: club.slug,
    name: club.name,
    description: club.description,
    specialities: club.specialities,
    visibility: club.visibility,
    ownerId: userId(club.owner),
    createdAt: new Date(now.getTime() - club.createdDaysAgo * DAY_MS),
  }))

  const roles = new Map<string, ClubRole>()
  const memberRows = clubSeeds.flatMap((club) => {
    const created = now.getTime() - club.createdDaysAgo * DAY_MS
    const members: [string, ClubRole][] = [[club.owner, 'owner'], ...club.members]
    return members.map(([handle, role], index) => {
      roles.set(`${club.slug}/${handle}`, role)
      return {
        clubId: clubId(club.slug),
        userId: userId(handle),
        role,
        // The owner joins on day one; the rest trickle in over the following weeks.
        joinedAt: new Date(created + index * 4 * DAY_MS),
      }
    })
  })

  const talkIds = new Map<string, string>()
  const talkRows = talkSeeds.map((talk) => {
    const role = roles.get(`${talk.club}/${talk.host}`)
    if (role !== 'owner' && role !== 'admin') {
      throw new Error(`Seed data: ${talk.host} cannot host in ${talk.club}`)
    }
    const id = randomUUID()
    talkIds.set(`${talk.club}/${talk.title}`, id)
    return {
      id,
      clubId: clubId(talk.club),
      hostId: userId(talk.host),
      type: talk.type,
      title: talk.title,
      description: talk.description,
      startsAt: dayAt(now, talk.day, talk.at),
      durationMinutes: talk.durationMinutes,
      status: talk.day < 0 ? ('ended' as const) : ('scheduled' as const),
      createdAt: new Date(
        Math.min(now.getTime(), dayAt(now, talk.day, talk.at).getTime() - 14 * DAY_MS),
      ),
    }
  })

  const quizRows: (typeof quizzes.$inferInsert)[] = []
  const questionRows: (typeof quizQuestions.$inferInsert)[] = []
  const optionRows: (typeof quizOptions.$inferInsert)[] = []
  for (const quiz of quizSeeds) {
    const talkId = talkIds.get(`${quiz.club}/${quiz.talk}`)
    if (!talkId) throw new Error(`Seed data: no talk '${quiz.talk}' in ${quiz.club}`)
    const quizId = randomUUID()
    quizRows.push({
      id: quizId,
      clubId: clubId(quiz.club),
      talkId,
      authorId: userId(quiz.author),
      title: quiz.title,
      createdAt: new Date(now.getTime() - 3 * DAY_MS),
    })
    quiz.questions.forEach((question, questionIndex) => {
      const questionId = randomUUID()
      questionRows.push({
        id: questionId,
        quizId,
        position: questionIndex + 1,
        prompt: question.prompt,
        explanation: question.explanation,
        timeLimitSeconds: question.timeLimitSeconds,
        points: 1000,
      })
      question.options.forEach((option, optionIndex) => {
        optionRows.push({
          id: randomUUID(),
          questionId,
          position: optionIndex + 1,
          label: option.label,
          correct: option.correct === true,
        })
      })
    })
  }

  // The social graph: each doctor follows the next five in the list (a request,
  // for the last of them when that profile is private), follows two public
  // clubs, and members say they are going to some upcoming talks.
  const followRows = doctors.flatMap((doctor, index) =>
    [1, 2, 3, 4, 5].map((step) => {
      const target = doctors[(index + step) % doctors.length]
      const pending = target.visibility === 'private' && step === 5
      return {
        followerId: userId(doctor.handle),
        followeeId: userId(target.handle),
        status: pending ? ('pending' as const) : ('approved' as const),
        createdAt: new Date(now.getTime() - (step * 7 + index) * DAY_MS),
        approvedAt: pending ? null : new Date(now.getTime() - (step * 7 + index) * DAY_MS),
      }
    }),
  )
  const publicClubs = clubSeeds.filter((club) => club.visibility === 'public')
  const clubFollowRows = doctors.flatMap((doctor, index) =>
    [0, 2].map((step) => ({
      clubId: clubId(publicClubs[(index + step) % publicClubs.length].slug),
      userId: userId(doctor.handle),
    })),
  )
  const rsvpRows = talkRows
    .filter((talk) => talk.status === 'scheduled')
    .flatMap((talk, index) =>
      memberRows
        .filter((member) => member.clubId === talk.clubId)
        .slice(0, 2 + (index % 6))
        .map((member) => ({ talkId: talk.id, userId: member.userId })),
    )

  return database.transaction(async (tx) => {
    // Another process may have seeded between the check and the transaction.
    if (await hasUsers(tx)) return { seeded: false }
    await tx.insert(users).values(userRows)
    await tx.insert(profiles).values(profileRows)
    const staffId = randomUUID()
    await tx.insert(users).values({
      id: staffId,
      email: demoStaffLogin.email,
      emailVerifiedAt: now,
      passwordHash,
      dateOfBirth: '1984-09-17',
      role: 'staff',
    })
    await tx.insert(profiles).values({ userId: staffId, handle: 'privacy-officer', name: 'Privacy Officer', visibility: 'private' })
    // The demo's one staff member also reviews doctors' registrations, moderates and reviews ads, so every staff page can be tried.
    await tx.insert(staffDuties).values([
      { userId: staffId, duty: 'verifier' },
      { userId: staffId, duty: 'moderator' },
      { userId: staffId, duty: 'ads_reviewer' },
    ])
    await tx.insert(clubs).values(clubRows)
    await tx.insert(clubMembers).values(memberRows)
    await tx.insert(talks).values(talkRows)
    if (quizRows.length > 0) {
      await tx.insert(quizzes).values(quizRows)
      await tx.insert(quizQuestions).values(questionRows)
      await tx.insert(quizOptions).values(optionRows)
    }
    await tx.insert(follows).values(followRows)
    await tx.insert(clubFollows).values(clubFollowRows).onConflictDoNothing()
    await tx.insert(talkRsvps).values(rsvpRows)
    return { seeded: true }
  })
}

async function hasUsers(database: Pick<Database, 'select'>) {
  const rows = await database.select({ id: users.id }).from(users).limit(1)
  return rows.length > 0
}

// ---------------------------------------------------------------- privacy policy

/** The first privacy policy. Not demo data: every deployment needs it, so it is seeded apart. */
export const PRIVACY_POLICY_V1 = {
  version: '1',
  effectiveAt: new Date('2025-01-01T00:00:00Z'),
  significant: false,
  summary: 'First version of the Rounds privacy policy.',
  body: `# Who we are
Rounds is a community and live-learning platform for doctors. This policy says what we collect about you, why, and the choices you have.

# What we collect
- Your account: email address, date of birth and password (stored only as a hash).
- Your profile: name, photo, speciality, city, interest areas, bio and registration number. The registration number is never shown to anyone but you.
- What you do on Rounds: clubs you join or follow, doctors you follow, talks you attend, your comments, questions and poll answers.
- With your consent only: pages you view (analytics) and interest categories for personalised ads.

# Who sees what
- A public profile is seen in full by any signed-in doctor; a private one shows only your name, photo and speciality to anyone you have not approved.
- You choose who sees your followers and following lists, whether you appear in search, and who may invite you to clubs (Settings → Privacy).

# Cookies
- Strictly necessary cookies keep you signed in and remember your cookie choice. They are always on.
- Performance, functionality and targeting cookies are used only if you accept them, and you can change your choice at any time (Cookie settings, at the foot of every page).

# Ads
- Ads are contextual unless you turn on personalised ads and accept targeting cookies. Doctors under 18 never see personalised ads.
- Advertisers receive only aggregate figures, never your identity.

# Messages
- Service messages (sign-in codes, security and policy notices) are always sent. Everything else can be turned off per channel in Settings → Notifications, or with the unsubscribe link in each email.

# Your rights
- You may see, export, correct and erase your data, object to personalisation and analytics, name a nominee to act for you, and deactivate your account for a while.
- Ask our privacy officer to act on any of these rights; each request gets a reference, a deadline and an answer.`,
}

/** Adds the policy versions a fresh database needs; running it again changes nothing. */
export async function seedPolicyVersions(database: Pick<Database, 'insert'>) {
  await database.insert(policyVersions).values(PRIVACY_POLICY_V1).onConflictDoNothing()
}
