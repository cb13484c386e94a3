import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeDatabase, db, openDatabase, rawSql } from '../../db/client'
import { demoLogins, seedDemoData } from '../../db/seed'

// The test harness points DATABASE_URL at a fresh, empty database for this file;
// openDatabase() runs the migrations.

const SPECIALITIES = [
  'Cardiology',
  'Neurology',
  'Paediatrics',
  'Oncology',
  'Emergency Medicine',
  'General Surgery',
  'Dermatology',
  'Psychiatry',
  'Radiology',
  'Orthopaedics',
  'General Practice',
  'Anaesthesiology',
]

const TABLES = [
  'users',
  'profiles',
  'clubs',
  'club_members',
  'talks',
  'quizzes',
  'quiz_questions',
  'quiz_options',
] as const

async function tableCounts() {
  const counts: Record<string, number> = {}
  for (const table of TABLES) {
    const [row] = await rawSql().unsafe<{ n: number }[]>(`select count(*)::int as n from ${table}`)
    counts[table] = row.n
  }
  return counts
}

describe('seedDemoData', () => {
  const hashed: string[] = []
  const hashPassword = async (password: string) => {
    hashed.push(password)
    return 'test-hash:' + password
  }

  beforeAll(async () => {
    await openDatabase()
  })

  afterAll(async () => {
    await closeDatabase()
  })

  it('seeds an empty database, hashing the demo password once', async () => {
    const before = await tableCounts()
    expect(before.users).toBe(0)

    await expect(seedDemoData(db, { hashPassword })).resolves.toEqual({ seeded: true })
    expect(hashed).toEqual(['rounds-demo-2026'])
  })

  it('creates doctors across many specialities', async () => {
    const sql = rawSql()
    const [{ n: userCount }] = await sql<{ n: number }[]>`select count(*)::int as n from users`
    expect(userCount).toBeGreaterThanOrEqual(20)

    const specialities = await sql<{ speciality: string }[]>`
      select distinct speciality from profiles where speciality is not null`
    expect(specialities.length).toBeGreaterThanOrEqual(6)
    for (const { speciality } of specialities) expect(SPECIALITIES).toContain(speciality)

    const users = await sql<{ email: string; password_hash: string; verified: boolean; role: string }[]>`
      select email, password_hash, email_verified_at is not null as verified, role from users`
    for (const user of users) {
      expect(user.email).toMatch(/^[a-z]+\.[a-z]+@demo\.rounds\.local$/)
      expect(user.password_hash).toBe('test-hash:rounds-demo-2026')
      expect(user.verified).toBe(true)
      // One staff account runs the privacy officer console; every doctor is a member.
      expect(user.role).toBe(user.email === 'privacy.officer@demo.rounds.local' ? 'staff' : 'member')
    }
    expect(users.filter((user) => user.role === 'staff')).toHaveLength(1)

    const visibilities = await sql<{ visibility: string; n: number }[]>`
      select visibility, count(*)::int as n from profiles group by visibility`
    expect(visibilities.map((row) => row.visibility).sort()).toEqual(['private', 'public'])
  })

  it('creates the demo logins with the documented profiles', async () => {
    const sql = rawSql()
    const rows = await sql<{ email: string; speciality: string; visibility: string }[]>`
      select u.email, p.speciality, p.visibility
      from users u join profiles p on p.user_id = u.id
      where u.email in ${sql(demoLogins.map((login) => login.email))}
      order by u.email`
    expect(rows).toEqual([
      { email: 'asha.rao@demo.rounds.local', speciality: 'Cardiology', visibility: 'public' },
      { email: 'tom.becker@demo.rounds.local', speciality: 'Neurology', visibility: 'private' },
    ])

    const [{ n: ashaOwns }] = await sql<{ n: number }[]>`
      select count(*)::int as n from clubs c join users u on u.id = c.owner_id
      where u.email = 'asha.rao@demo.rounds.local' and c.slug = 'cardiology-grand-rounds'
        and c.visibility = 'public'`
    expect(ashaOwns).toBe(1)

    const [{ n: tomPrivate }] = await sql<{ n: number }[]>`
      select count(*)::int as n from club_members m
      join clubs c on c.id = m.club_id join users u on u.id = m.user_id
      where u.email = 'tom.becker@demo.rounds.local' and c.visibility = 'private'`
    expect(tomPrivate).toBeGreaterThanOrEqual(1)
  })

  it('creates public and private clubs whose owners hold an owner membership', async () => {
    const sql = rawSql()
    const clubs = await sql<{ id: string; visibility: string; owner_id: string }[]>`
      select id, visibility, owner_id from clubs`
    expect(clubs.length).toBeGreaterThanOrEqual(8)
    expect(new Set(clubs.map((club) => club.visibility))).toEqual(new Set(['public', 'private']))

    const ownersWithoutRow = await sql`
      select c.slug from clubs c
      left join club_members m on m.club_id = c.id and m.user_id = c.owner_id and m.role = 'owner'
      where m.user_id is null`
    expect(ownersWithoutRow).toHaveLength(0)

    const sizes = await sql<{ n: number }[]>`
      select count(*)::int as n from club_members group by club_id`
    for (const { n } of sizes) {
      expect(n).toBeGreaterThanOrEqual(5)
      expect(n).toBeLessThanOrEqual(15)
    }
  })

  it('creates past and upcoming talks hosted by club owners or admins', async () => {
    const sql = rawSql()
    const [{ past, upcoming }] = await sql<{ past: number; upcoming: number }[]>`
      select
        count(*) filter (where status = 'ended' and starts_at < now())::int as past,
        count(*) filter (where status = 'scheduled' and starts_at > now())::int as upcoming
      from talks`
    expect(past).toBeGreaterThan(0)
    expect(upcoming).toBeGreaterThan(0)

    const badHosts = await sql`
      select t.title from talks t
      left join club_members m on m.club_id = t.club_id and m.user_id = t.host_id
        and m.role in ('owner', 'admin')
      where m.user_id is null`
    expect(badHosts).toHaveLength(0)
  })

  it('creates a quiz with three questions, each with exactly one correct option', async () => {
    const sql = rawSql()
    const quizzes = await sql<{ id: string; talk_type: string | null }[]>`
      select q.id, t.type as talk_type from quizzes q
      join clubs c on c.id = q.club_id
      left join talks t on t.id = q.talk_id
      where c.slug = 'cardiology-grand-rounds'`
    expect(quizzes.length).toBeGreaterThanOrEqual(1)
    const [quiz] = quizzes
    expect(quiz.talk_type).toBe('quiz')

    const questions = await sql<{ options: number; correct: number; points: number; time_limit_seconds: number }[]>`
      select count(o.id)::int as options,
             count(o.id) filter (where o.correct)::int as correct,
             qq.points, qq.time_limit_seconds
      from quiz_questions qq left join quiz_options o on o.question_id = qq.id
      where qq.quiz_id = ${quiz.id}
      group by qq.id`
    expect(questions).toHaveLength(3)
    for (const question of questions) {
      expect(question.options).toBe(4)
      expect(question.correct).toBe(1)
      expect(question.points).toBe(1000)
      expect(question.time_limit_seconds).toBeGreaterThanOrEqual(20)
      expect(question.time_limit_seconds).toBeLessThanOrEqual(30)
    }
  })

  it('does nothing when users already exist', async () => {
    const before = await tableCounts()
    hashed.length = 0

    await expect(seedDemoData(db, { hashPassword })).resolves.toEqual({ seeded: false })

    expect(hashed).toEqual([])
    expect(await tableCounts()).toEqual(before)
  })
})
