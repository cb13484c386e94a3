/**
 * Seeds a database at "social scale" for `npm run bench:social`: thousands of
 * doctors, hundreds of clubs, a follow graph, a year of talks either side of
 * today, memberships, club follows and RSVPs.
 *
 * Everything is set-based SQL (`insert … select … from generate_series(…)`),
 * one statement per table, so seeding takes seconds rather than minutes. The
 * values are pseudo-random but deterministic: each one hashes a key such as
 * 'club-visibility:42' with md5 (`bench_h` below), so two runs with the same
 * sizes build the same graph — only timestamps move with the clock.
 */
import type postgres from 'postgres'
import { specialities } from '../../db/specialities'

export type ScaleOptions = {
  doctors: number
  clubs: number
  follows: number
  talks: number
  /** Members per club, owner included: a uniform draw in [min, max]. */
  membersPerClub: [number, number]
  /** Share of clubs that are private. */
  privateClubShare: number
  /** Share of profiles that are private. */
  privateProfileShare: number
  /** Talks start uniformly in [now - pastDays, now + futureDays]. */
  pastDays: number
  futureDays: number
}

export const defaultScale: ScaleOptions = {
  doctors: 10_000,
  clubs: 500,
  follows: 100_000,
  talks: 20_000,
  membersPerClub: [10, 60],
  privateClubShare: 0.2,
  privateProfileShare: 0.25,
  pastDays: 365,
  futureDays: 365,
}

export type SeedReport = {
  totalMs: number
  steps: { name: string; rows: number; ms: number }[]
  counts: Record<string, number>
}

const FIRST_NAMES = [
  'Asha', 'Tom', 'Priya', 'Chidi', 'Aoife', 'Mateo', 'Yuki', 'Fatima', 'Lars', 'Amara', 'Noah', 'Mei', 'Omar', 'Sofia',
  'Ravi', 'Ingrid', 'Kwame', 'Lucia', 'Hamid', 'Elena', 'Jonas', 'Nadia', 'Pedro', 'Zara', 'Arjun', 'Hana', 'Felix',
  'Leila', 'Samuel', 'Anya',
]
const LAST_NAMES = [
  'Rao', 'Becker', 'Iyer', 'Okafor', 'Murphy', 'García', 'Tanaka', 'Haddad', 'Nilsson', 'Mensah', 'Cohen', 'Chen',
  'Farouk', 'Rossi', 'Menon', 'Larsen', 'Boateng', 'Fernández', 'Karimi', 'Petrova', 'Schmidt', 'Aziz', 'Silva',
  'Khan', 'Patel', 'Kim', 'Weber', 'Nasser', 'Adeyemi', 'Novak',
]
const CITIES = [
  'Mumbai', 'Berlin', 'Bengaluru', 'Lagos', 'Dublin', 'Madrid', 'Tokyo', 'Beirut', 'Stockholm', 'Accra', 'Toronto',
  'Singapore', 'Cairo', 'Milan', 'Chennai', 'Oslo', 'Nairobi', 'Buenos Aires', 'Tehran', 'Sofia',
]
const INTERESTS = [
  'Heart failure', 'Echocardiography', 'Stroke', 'Epilepsy', 'Sepsis', 'Point-of-care ultrasound', 'Medical education',
  'Quality improvement', 'Clinical research', 'Global health', 'Palliative care', 'Critical care', 'Imaging', 'Diabetes',
  'Hypertension', 'Paediatric emergencies', 'Trauma', 'Antimicrobial stewardship', 'Sleep medicine', 'Sports medicine',
  'Wellbeing', 'Simulation', 'Genomics', 'Telemedicine',
]
const CLUB_WORDS = ['Grand Rounds', 'Journal Club', 'Case Club', 'Fellows', 'Network', 'Circle', 'Forum', 'Society']
const TALK_TOPICS = [
  'Case review', 'Guideline update', 'Difficult cases', 'Imaging quiz', 'Morbidity & mortality', 'Journal club',
  'Live surgery', 'Ask the expert', 'Research in progress', 'Teaching session',
]

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`
const arr = (xs: readonly string[]) => `array[${xs.map(lit).join(', ')}]::text[]`

/** The hash every pseudo-random value comes from: 48 bits of md5(key), as a bigint in [0, 2^48). */
const HASH_FN = `
create or replace function bench_h(key text) returns bigint
language sql immutable parallel safe
as $$ select ('x' || substr(md5(key), 1, 12))::bit(48)::bigint $$`
/** A uniform float in [0, 1) from a key. */
const u = (key: string) => `(bench_h(${key})::float8 / 281474976710656.0)`
/** A text id for user number `i` (1-based), uuid-shaped. */
const userId = (i: string) => `md5('user:' || (${i}))::uuid::text`
const clubId = (c: string) => `md5('club:' || (${c}))::uuid::text`

export async function seedScale(sql: postgres.Sql, options: Partial<ScaleOptions> = {}, log: (line: string) => void = () => {}) {
  const o = { ...defaultScale, ...options }
  const N = o.doctors
  const C = o.clubs
  const steps: SeedReport['steps'] = []
  const started = performance.now()

  async function step(name: string, query: string) {
    const t0 = performance.now()
    const result = await sql.unsafe(query)
    const ms = performance.now() - t0
    steps.push({ name, rows: result.count ?? 0, ms })
    log(`  ${name.padEnd(34)} ${String(result.count ?? 0).padStart(8)} rows ${ms.toFixed(0).padStart(7)} ms`)
  }

  await sql.unsafe(HASH_FN)

  await step(
    'users',
    `insert into users (id, email, email_verified_at, password_hash, date_of_birth, role, created_at)
     select ${userId('i')},
            'doctor' || i || '@bench.rounds.local',
            now() - interval '400 days',
            '$argon2id$v=19$bench$not-a-real-hash',
            date '1955-01-01' + (bench_h('dob:' || i) % 15000)::int,
            'member',
            now() - make_interval(days => 400 + (bench_h('ucreated:' || i) % 700)::int)
     from generate_series(1, ${N}) i`,
  )

  await step(
    'profiles',
    `insert into profiles (user_id, handle, name, speciality, city, interests, bio, registration_number, visibility, updated_at)
     select ${userId('i')},
            'doctor-' || i,
            (a.first)[1 + bench_h('first:' || i) % cardinality(a.first)] || ' ' ||
              (a.last)[1 + bench_h('last:' || i) % cardinality(a.last)],
            (a.specs)[1 + bench_h('spec:' || i) % cardinality(a.specs)],
            (a.cities)[1 + bench_h('city:' || i) % cardinality(a.cities)],
            array[(a.interests)[1 + bench_h('int1:' || i) % cardinality(a.interests)],
                  (a.interests)[1 + bench_h('int2:' || i) % cardinality(a.interests)],
                  (a.interests)[1 + bench_h('int3:' || i) % cardinality(a.interests)]],
            'Doctor number ' || i || ' on the bench data set.',
            'REG-' || lpad(i::text, 6, '0'),
            (case when ${u(`'pvis:' || i`)} < ${o.privateProfileShare} then 'private' else 'public' end)::profile_visibility,
            now() - make_interval(days => (bench_h('pupd:' || i) % 300)::int)
     from generate_series(1, ${N}) i,
          (select ${arr(FIRST_NAMES)} as first, ${arr(LAST_NAMES)} as last, ${arr(specialities)} as specs,
                  ${arr(CITIES)} as cities, ${arr(INTERESTS)} as interests) a`,
  )

  // Owners: a third come from the 1,000 most active doctors, so some own several clubs.
  await step(
    'clubs',
    `insert into clubs (id, slug, name, description, specialities, visibility, owner_id, created_at)
     select ${clubId('c')},
            'club-' || c,
            s.spec || ' ' || (a.words)[1 + bench_h('cword:' || c) % cardinality(a.words)] || ' ' || c,
            'A club for doctors interested in ' || lower(s.spec) || ' and ' ||
              lower((a.interests)[1 + bench_h('cint:' || c) % cardinality(a.interests)]) || '.',
            case when bench_h('cspec2:' || c) % 3 = 0
                 then array[s.spec, (a.specs)[1 + bench_h('cspecb:' || c) % cardinality(a.specs)]]
                 else array[s.spec] end,
            (case when ${u(`'cvis:' || c`)} < ${o.privateClubShare} then 'private' else 'public' end)::club_visibility,
            ${userId(`case when bench_h('cownsrc:' || c) % 3 = 0 then 1 + bench_h('cowner:' || c) % least(1000, ${N})
                            else 1 + bench_h('cowner:' || c) % ${N} end`)},
            now() - make_interval(days => 370 + (bench_h('ccreated:' || c) % 400)::int)
     from generate_series(1, ${C}) c,
          (select ${arr(specialities)} as specs, ${arr(CLUB_WORDS)} as words, ${arr(INTERESTS)} as interests) a,
          lateral (select (a.specs)[1 + bench_h('cspec:' || c) % cardinality(a.specs)] as spec) s`,
  )

  await step(
    'club_members (owners)',
    `insert into club_members (club_id, user_id, role, joined_at) select id, owner_id, 'owner', created_at from clubs`,
  )

  // The rest of each club: two admins, a moderator, members. A third of the seats go to
  // the 1,000 most active doctors, so a few people are in many clubs.
  const [minM, maxM] = o.membersPerClub
  await step(
    'club_members (others)',
    `insert into club_members (club_id, user_id, role, joined_at)
     select ${clubId('c')},
            ${userId(`case when bench_h('cmsrc:' || c || ':' || j) % 3 = 0
                            then 1 + bench_h('cm:' || c || ':' || j) % least(1000, ${N})
                            else 1 + bench_h('cm:' || c || ':' || j) % ${N} end`)},
            (case when j <= 2 then 'admin' when j = 3 then 'moderator' else 'member' end)::club_role,
            now() - make_interval(days => (bench_h('cmjoined:' || c || ':' || j) % 365)::int)
     from generate_series(1, ${C}) c,
          lateral generate_series(1, ${minM - 1} + (bench_h('csize:' || c) % ${maxM - minM + 1})::int) j
     on conflict do nothing`,
  )

  // Public clubs: 0–80 followers from anyone; private clubs: about a third of their members.
  await step(
    'club_follows',
    `insert into club_follows (club_id, user_id, created_at)
     select ${clubId('c')}, ${userId(`1 + bench_h('cf:' || c || ':' || j) % ${N}`)},
            now() - make_interval(days => (bench_h('cfat:' || c || ':' || j) % 365)::int)
     from generate_series(1, ${C}) c
     join clubs on clubs.id = ${clubId('c')} and clubs.visibility = 'public',
          lateral generate_series(1, (bench_h('cfn:' || c) % 81)::int) j
     union all
     select m.club_id, m.user_id, m.joined_at
     from club_members m join clubs on clubs.id = m.club_id
     where clubs.visibility = 'private' and bench_h('cfm:' || m.club_id || m.user_id) % 3 = 0
     on conflict do nothing`,
  )

  // Followers are uniform; followees are skewed (floor(N·r²)), so a few doctors have ~1,000
  // followers. Following a private profile is 'pending' a third of the time.
  await step(
    'follows',
    `insert into follows (follower_id, followee_id, status, created_at, approved_at)
     select f.follower_id, f.followee_id, f.status::follow_status, f.created_at,
            case when f.status = 'approved' then f.created_at + interval '1 hour' end
     from (
       select distinct on (s.a, s.b)
              ${userId('s.a')} as follower_id, ${userId('s.b')} as followee_id,
              case when ${u(`'pvis:' || s.b`)} < ${o.privateProfileShare}
                        and bench_h('fst:' || s.i) % 3 = 0
                   then 'pending' else 'approved' end as status,
              now() - make_interval(days => (bench_h('fat:' || s.i) % 500)::int) as created_at,
              s.i
       from (
         select i, 1 + bench_h('fa:' || i) % ${N} as a,
                1 + least(${N - 1}, floor(${N} * power(${u(`'fb:' || i`)}, 2)))::bigint as b
         from generate_series(1, ${Math.ceil(o.follows * 1.15)}) i
       ) s
       where s.a <> s.b
       order by s.a, s.b, s.i
     ) f
     order by f.i
     limit ${o.follows}`,
  )

  // Talks: half in any club, half in the 100 busiest; hosted by the club's owner or an admin.
  const spanMinutes = (o.pastDays + o.futureDays) * 24 * 60
  await step(
    'talks',
    `with hosts as (
       select club_id, array_agg(user_id order by role, user_id) as ids
       from club_members where role in ('owner', 'admin') group by club_id
     )
     insert into talks (id, club_id, host_id, type, title, description, starts_at, duration_minutes, status, created_at)
     select md5('talk:' || t.n)::uuid::text,
            t.club_id,
            h.ids[1 + bench_h('thost:' || t.n) % cardinality(h.ids)],
            (array['talk', 'talk', 'case_discussion', 'surgery', 'quiz'])[1 + bench_h('ttype:' || t.n) % 5]::talk_type,
            (a.topics)[1 + bench_h('ttopic:' || t.n) % cardinality(a.topics)] || ' #' || t.n,
            'A bench talk.',
            t.starts_at,
            t.duration,
            (case when t.starts_at + make_interval(mins => t.duration) < now() then 'ended'
                  when t.starts_at <= now() then 'live'
                  else 'scheduled' end)::talk_status,
            least(t.starts_at, now()) - make_interval(days => 1 + (bench_h('tcreated:' || t.n) % 30)::int)
     from (
       select n,
              ${clubId(`case when bench_h('tcsrc:' || n) % 2 = 0 then 1 + bench_h('tc:' || n) % ${C}
                             else 1 + bench_h('tc:' || n) % least(100, ${C}) end`)} as club_id,
              date_trunc('hour', now()) - interval '${o.pastDays} days'
                + make_interval(mins => 15 * ((bench_h('tstart:' || n) % ${spanMinutes}) / 15)::int) as starts_at,
              (array[30, 45, 60, 60, 90])[1 + bench_h('tdur:' || n) % 5] as duration
       from generate_series(1, ${o.talks}) n
     ) t
     join hosts h on h.club_id = t.club_id,
     (select ${arr(TALK_TOPICS)} as topics) a`,
  )

  // RSVPs: each talk draws 0–60% of its club's members, plus 0–4 outsiders in public clubs.
  await step(
    'talk_rsvps',
    `insert into talk_rsvps (talk_id, user_id, created_at)
     select t.id, m.user_id, t.created_at + interval '1 hour'
     from talks t join club_members m on m.club_id = t.club_id
     where bench_h('rsvp:' || t.id || m.user_id) % 100 < bench_h('rsvppct:' || t.id) % 60
     union all
     select t.id, ${userId(`1 + bench_h('rsvpx:' || t.id || ':' || j) % ${N}`)}, t.created_at + interval '2 hours'
     from talks t join clubs c on c.id = t.club_id and c.visibility = 'public',
          lateral generate_series(1, (bench_h('rsvpxn:' || t.id) % 5)::int) j
     on conflict do nothing`,
  )

  await sql.unsafe('drop function bench_h(text)')
  const t0 = performance.now()
  await sql.unsafe('vacuum (analyze)')
  steps.push({ name: 'vacuum (analyze)', rows: 0, ms: performance.now() - t0 })
  log(`  ${'vacuum (analyze)'.padEnd(34)} ${''.padStart(8)}      ${(performance.now() - t0).toFixed(0).padStart(7)} ms`)

  const counts: Record<string, number> = {}
  const rows = await sql.unsafe<{ name: string; n: number }[]>(
    `select 'users' as name, count(*)::int as n from users
     union all select 'profiles (private)', count(*)::int from profiles where visibility = 'private'
     union all select 'clubs', count(*)::int from clubs
     union all select 'clubs (private)', count(*)::int from clubs where visibility = 'private'
     union all select 'club_members', count(*)::int from club_members
     union all select 'club_follows', count(*)::int from club_follows
     union all select 'follows', count(*)::int from follows
     union all select 'follows (pending)', count(*)::int from follows where status = 'pending'
     union all select 'talks', count(*)::int from talks
     union all select 'talks (upcoming)', count(*)::int from talks where starts_at >= now()
     union all select 'talk_rsvps', count(*)::int from talk_rsvps`,
  )
  for (const r of rows) counts[r.name] = r.n
  return { totalMs: performance.now() - started, steps, counts } satisfies SeedReport
}
