import { describe, expect, it } from 'vitest'
import * as newQuizRoute from '../../app/routes/c.$slug.quizzes.new'
import { rawSql } from '../../db/client'
import { addClubMember, createDoctor, createTalk, createTestClub } from '../support/factories'
import { callAction, callLoader, fieldErrors, formErrors, signIn } from '../support/routes'

/** The form as a browser sends it: three question blocks, unused inputs empty. */
function quizForm(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    questionCount: '3',
    kind: 'quiz',
    title: 'ECG Friday',
    speedScoring: 'on',
    streakBonus: '50',
    'questions[0].prompt': 'Rate in AF with RVR is usually…',
    'questions[0].kind': 'single',
    'questions[0].options[0].label': 'Under 60',
    'questions[0].options[1].label': 'Over 110',
    'questions[0].options[1].correct': 'on',
    'questions[0].options[2].label': '',
    'questions[0].explanation': 'Rapid ventricular response means over 100–110.',
    'questions[0].timeLimitSeconds': '20',
    'questions[0].points': '1000',
    'questions[1].prompt': 'Which are shockable rhythms?',
    'questions[1].kind': 'multiple',
    'questions[1].options[0].label': 'VF',
    'questions[1].options[0].correct': 'on',
    'questions[1].options[1].label': 'Pulseless VT',
    'questions[1].options[1].correct': 'on',
    'questions[1].options[2].label': 'Asystole',
    'questions[1].timeLimitSeconds': '30',
    'questions[1].points': '1000',
    'questions[2].prompt': 'Adenosine is first line for stable SVT.',
    'questions[2].kind': 'true_false',
    'questions[2].trueFalse': 'true',
    'questions[2].timeLimitSeconds': '15',
    'questions[2].points': '500',
    ...overrides,
  }
}

async function quizRows(clubId: string) {
  const [row] = await rawSql()`
    select (select count(*)::int from quizzes where club_id = ${clubId}) as quizzes,
      (select count(*)::int from quiz_questions q join quizzes z on z.id = q.quiz_id where z.club_id = ${clubId}) as questions`
  return row as { quizzes: number; questions: number }
}

async function world() {
  const owner = await createDoctor()
  const club = await createTestClub(owner)
  return { owner, club, auth: await signIn(owner.id) }
}

describe('authoring form: /c/:slug/quizzes/new', () => {
  it('creates a self-paced quiz with its questions, options and correct answers, then opens it', async () => {
    const { club, auth } = await world()
    const result = await callAction(newQuizRoute, { url: `/c/${club.slug}/quizzes/new`, params: { slug: club.slug }, auth, form: quizForm() })
    expect(result.status).toBe(302)
    const id = result.location?.match(/^\/q\/([0-9a-f-]{36})$/)?.[1]
    expect(id, `redirects to the quiz page, not ${result.location}`).toBeDefined()
    const [quiz] = await rawSql()`select kind, title, status, speed_scoring, streak_bonus, talk_id from quizzes where id = ${id!}`
    expect(quiz).toMatchObject({ kind: 'quiz', title: 'ECG Friday', status: 'open', speed_scoring: true, streak_bonus: 50, talk_id: null })
    const questions = await rawSql()`
      select q.position, q.kind, q.time_limit_seconds, q.points,
        (select array_agg(o.label || case when o.correct then '*' else '' end order by o.position) from quiz_options o where o.question_id = q.id) as options
      from quiz_questions q where q.quiz_id = ${id!} order by q.position`
    expect(questions).toEqual([
      { position: 1, kind: 'single', time_limit_seconds: 20, points: 1000, options: ['Under 60', 'Over 110*'] },
      { position: 2, kind: 'multiple', time_limit_seconds: 30, points: 1000, options: ['VF*', 'Pulseless VT*', 'Asystole'] },
      { position: 3, kind: 'true_false', time_limit_seconds: 15, points: 500, options: ['True*', 'False'] },
    ])
  })

  it('turns speed scoring off when the box is left unticked, and makes an anonymous poll', async () => {
    const { club, auth } = await world()
    const poll = await callAction(newQuizRoute, {
      url: `/c/${club.slug}/quizzes/new`,
      params: { slug: club.slug },
      auth,
      form: {
        questionCount: '3',
        kind: 'poll',
        title: 'Journal club day',
        anonymous: 'on',
        'questions[0].prompt': 'Which day suits you?',
        'questions[0].kind': 'single',
        'questions[0].options[0].label': 'Tuesday',
        'questions[0].options[1].label': 'Thursday',
        'questions[1].prompt': '',
        'questions[2].prompt': '',
      },
    })
    expect(poll.status).toBe(302)
    const [row] = await rawSql()`select kind, anonymous, speed_scoring from quizzes where club_id = ${club.id}`
    expect(row).toMatchObject({ kind: 'poll', anonymous: true, speed_scoring: false })
    expect(await quizRows(club.id)).toEqual({ quizzes: 1, questions: 1 })
  })

  it('lets the host of a talk attach a live quiz to it, and sends them back to the live room', async () => {
    const { club } = await world()
    const host = await createDoctor()
    await addClubMember(club, host)
    const talk = await createTalk({ clubId: club.id, hostId: host.id })
    const auth = await signIn(host.id)
    const url = `/c/${club.slug}/quizzes/new?talk=${talk.id}`
    const page = await callLoader(newQuizRoute, { url, params: { slug: club.slug }, auth })
    expect(page.status).toBe(200)
    expect(page.data).toMatchObject({ talk: { id: talk.id, title: talk.title } })
    const result = await callAction(newQuizRoute, { url, params: { slug: club.slug }, auth, form: quizForm({ talkId: talk.id }) })
    expect(result.location).toBe(`/t/${talk.id}/live`)
    const [row] = await rawSql()`select status, talk_id from quizzes where club_id = ${club.id}`
    expect(row).toEqual({ status: 'draft', talk_id: talk.id })
  })

  it('shows the page only to people who may author there', async () => {
    const { club } = await world()
    const member = await createDoctor()
    await addClubMember(club, member)
    const auth = await signIn(member.id)
    const page = await callLoader(newQuizRoute, { url: `/c/${club.slug}/quizzes/new`, params: { slug: club.slug }, auth })
    expect(page.status).toBe(403)
    const sent = await callAction(newQuizRoute, { url: `/c/${club.slug}/quizzes/new`, params: { slug: club.slug }, auth, form: quizForm() })
    expect(sent.status).toBe(403)
    expect(formErrors(sent.data).join(' ')).toMatch(/Only the club’s owner and admins/)
    expect(await quizRows(club.id)).toEqual({ quizzes: 0, questions: 0 })
  })

  it('adds a question block without JavaScript, keeping what was typed and creating nothing', async () => {
    const { club, auth } = await world()
    const result = await callAction(newQuizRoute, {
      url: `/c/${club.slug}/quizzes/new`,
      params: { slug: club.slug },
      auth,
      form: { ...quizForm(), intent: 'add-question' },
    })
    expect(result.status).toBe(200)
    expect(result.data).toMatchObject({ questionCount: 4, values: { title: 'ECG Friday' }, error: {} })
    expect(await quizRows(club.id)).toEqual({ quizzes: 0, questions: 0 })
  })

  const invalid: [string, Record<string, string>, string, RegExp][] = [
    ['two correct answers on a one-answer question', { 'questions[1].kind': 'single' }, 'questions[1].options', /^Question 2: mark exactly one correct answer\.$/],
    ['no correct answer on a quiz question', { 'questions[0].options[1].correct': '' }, 'questions[0].options', /^Question 1: mark exactly one correct answer\.$/],
    ['only one option', { 'questions[0].options[0].label': '' }, 'questions[0].options', /^Question 1: add at least two options\.$/],
    ['true or false left unsaid', { 'questions[2].trueFalse': '' }, 'questions[2].options', /^Question 3: say whether the statement is true or false\.$/],
    ['a missing prompt', { 'questions[1].prompt': '' }, 'questions[1].prompt', /^Write the question\.$/],
    ['a short title', { title: 'Hi' }, 'title', /at least 3 characters/],
    ['a time limit too short', { 'questions[0].timeLimitSeconds': '2' }, 'questions[0].timeLimitSeconds', /at least 5 seconds/],
    ['an anonymous quiz', { anonymous: 'on' }, 'anonymous', /cannot be anonymous/],
    ['a deadline in the past', { deadline: '2020-01-01T10:00' }, 'deadline', /in the past/],
    ['a rating question in a quiz', { 'questions[0].kind': 'rating' }, 'questions[0].kind', /^Question 1: a quiz cannot have this kind of question\.$/],
    ['an unknown kind', { kind: 'exam' }, 'kind', /Choose a quiz, a poll or a survey/],
  ]
  it.each(invalid)('refuses %s with a message beside the field, status 400 and no rows', async (_case, overrides, field, message) => {
    const { club, auth } = await world()
    const result = await callAction(newQuizRoute, { url: `/c/${club.slug}/quizzes/new`, params: { slug: club.slug }, auth, form: quizForm(overrides) })
    expect(result.status).toBe(400)
    expect(fieldErrors(result.data, field).join(' ')).toMatch(message)
    expect(await quizRows(club.id)).toEqual({ quizzes: 0, questions: 0 })
  })

  it('refuses a megabyte of text with 400 and creates nothing', async () => {
    const { club, auth } = await world()
    const huge = 'a'.repeat(1024 * 1024)
    const asField = await callAction(newQuizRoute, { url: `/c/${club.slug}/quizzes/new`, params: { slug: club.slug }, auth, form: quizForm({ title: huge }) })
    expect(asField.status).toBe(400)
    const body = new URLSearchParams(quizForm({ 'questions[0].prompt': huge })).toString()
    const declared = await callAction(newQuizRoute, {
      url: `/c/${club.slug}/quizzes/new`,
      params: { slug: club.slug },
      auth,
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length) },
    })
    expect(declared.status).toBe(400)
    expect(formErrors(declared.data).join(' ')).toMatch(/too long/)
    expect(await quizRows(club.id)).toEqual({ quizzes: 0, questions: 0 })
  })

  it('refuses a talk from another club without creating anything', async () => {
    const { club, auth, owner } = await world()
    const other = await createTestClub(owner)
    const talk = await createTalk({ clubId: other.id, hostId: owner.id })
    const result = await callAction(newQuizRoute, { url: `/c/${club.slug}/quizzes/new`, params: { slug: club.slug }, auth, form: quizForm({ talkId: talk.id }) })
    expect(result.status).toBe(400)
    expect(formErrors(result.data).join(' ')).toMatch(/not in this club/)
    expect(await quizRows(club.id)).toEqual({ quizzes: 0, questions: 0 })
  })
})
