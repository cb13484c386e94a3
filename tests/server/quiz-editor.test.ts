import { randomUUID } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import * as newQuizRoute from '../../app/routes/c.$slug.quizzes.new'
import * as quizPageRoute from '../../app/routes/q.$id'
import * as editRoute from '../../app/routes/q.$id_.edit'
import * as imageRoute from '../../app/routes/q.$id_.images.$name'
import { rawSql } from '../../db/client'
import { getQuizPage, listTalkQuizzes } from '../../db/quizzes'
import { quizImagesDir } from '../../server/quiz-images'
import { addClubMember, createDoctor, createTalk, createTestClub, viewerOf, type TestClub } from '../support/factories'
import { callAction, callLoader, fieldErrors, formErrors, signIn, type SignedIn } from '../support/routes'

type Form = Record<string, string | Blob>

async function world(options: { visibility?: 'public' | 'private' } = {}) {
  const owner = await createDoctor()
  const club = await createTestClub(owner, options)
  return { owner, club, auth: await signIn(owner.id) }
}

async function start(club: TestClub, auth: SignedIn, form: Form = {}) {
  return callAction(newQuizRoute, {
    url: `/c/${club.slug}/quizzes/new`,
    params: { slug: club.slug },
    auth,
    form: { intent: 'start', kind: 'quiz', title: 'Valve lesions', streakBonus: '0', ...form },
  })
}

async function startQuiz(club: TestClub, auth: SignedIn, form: Form = {}) {
  const result = await start(club, auth, form)
  const id = result.location?.match(/^\/q\/([0-9a-f-]{36})\/edit$/)?.[1]
  if (!id) throw new Error(`Expected the editor, got ${result.status} ${result.location}`)
  return id
}

const post = (quizId: string, auth: SignedIn, form: Form) => callAction(editRoute, { url: `/q/${quizId}/edit`, params: { id: quizId }, auth, form })
const editor = (quizId: string, auth: SignedIn, question?: string) =>
  callLoader(editRoute, { url: `/q/${quizId}/edit${question ? `?question=${question}` : ''}`, params: { id: quizId }, auth })

async function addQuestion(quizId: string, auth: SignedIn, kind = 'single') {
  const result = await post(quizId, auth, { intent: 'add-question', kind })
  const id = result.location?.match(/question=([0-9a-f-]{36})/)?.[1]
  if (!id) throw new Error(`Expected a new question, got ${result.status} ${JSON.stringify(result.data)}`)
  return id
}

const singleChoice = (prompt: string, correct: number | null = 1): Form => ({
  intent: 'save-question',
  kind: 'single',
  prompt,
  'options[0].label': 'Aortic stenosis',
  'options[1].label': 'Mitral regurgitation',
  'options[2].label': '',
  ...(correct === null ? {} : { [`options[${correct}].correct`]: 'on' }),
  explanation: 'Pansystolic at the apex.',
  points: '800',
})

async function questionsOf(quizId: string) {
  return rawSql()<{ id: string; position: number; kind: string; prompt: string; points: number; imagePath: string | null; imageAlt: string | null; options: string[] | null }[]>`
    select q.id, q.position, q.kind, q.prompt, q.points, q.image_path as "imagePath", q.image_alt as "imageAlt",
      (select array_agg(o.label || case when o.correct then '*' else '' end order by o.position) from quiz_options o where o.question_id = q.id) as options
    from quiz_questions q where q.quiz_id = ${quizId} order by q.position`
}

async function quizRow(quizId: string) {
  const [row] = await rawSql()<{ status: string; editing: boolean }[]>`select status, editing from quizzes where id = ${quizId}`
  return row
}

const png = async () => {
  const bytes = await sharp({ create: { width: 80, height: 40, channels: 3, background: '#c33' } }).png().toBuffer()
  return new File([new Uint8Array(bytes)], 'murmur.png', { type: 'image/png' })
}

const storedImages = async () => (await readdir(quizImagesDir()).catch(() => [] as string[])).filter((name) => name.endsWith('.webp'))

describe('starting a quiz to write one question at a time', () => {
  it('saves the title and settings as a draft being edited, then opens the editor', async () => {
    const { club, auth } = await world()
    const quizId = await startQuiz(club, auth, { speedScoring: 'on', streakBonus: '20' })
    const [row] = await rawSql()`select title, kind, status, editing, streak_bonus from quizzes where id = ${quizId}`
    expect(row).toEqual({ title: 'Valve lesions', kind: 'quiz', status: 'draft', editing: true, streak_bonus: 20 })
    const page = await editor(quizId, auth)
    expect(page.status).toBe(200)
    expect(page.data).toMatchObject({ editor: { questions: [], kinds: ['single', 'multiple', 'true_false'] }, currentId: null })
  })

  it('refuses a short title beside the field, creating nothing', async () => {
    const { club, auth } = await world()
    const result = await start(club, auth, { title: 'Hi' })
    expect(result.status).toBe(400)
    expect(fieldErrors(result.data, 'title').join(' ')).toMatch(/at least 3 characters/)
    expect(await rawSql()`select id from quizzes where club_id = ${club.id}`).toHaveLength(0)
  })

  it('refuses a member who may not create quizzes in the club, as the one-page form does', async () => {
    const { club } = await world()
    const member = await createDoctor()
    await addClubMember(club, member)
    const result = await start(club, await signIn(member.id))
    expect(result.status).toBe(403)
    expect(formErrors(result.data).join(' ')).toMatch(/Only the club’s owner and admins/)
    expect(await rawSql()`select id from quizzes where club_id = ${club.id}`).toHaveLength(0)
  })
})

describe('the title and settings in the editor', () => {
  it('changes the title, deadline and scoring of a draft, keeping its kind, and refuses a bad value changing nothing', async () => {
    const { club, auth } = await world()
    const quizId = await startQuiz(club, auth, { speedScoring: 'on', streakBonus: '20' })
    const question = await addQuestion(quizId, auth)
    const saved = await post(quizId, auth, {
      intent: 'details',
      questionId: question,
      title: 'Valve lesions, revised',
      deadline: '2031-05-01T18:30',
      timeZone: 'Asia/Kolkata',
      streakBonus: '50',
      kind: 'poll',
    })
    expect(saved.status).toBe(302)
    expect(saved.location).toBe(`/q/${quizId}/edit?question=${question}&settings=saved`)
    const [row] = await rawSql()`select title, kind, to_char(deadline at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI') as deadline, speed_scoring, streak_bonus from quizzes where id = ${quizId}`
    // 18:30 in India is 13:00 UTC; an unticked box is off; the kind is not changed by a form.
    expect(row).toEqual({ title: 'Valve lesions, revised', kind: 'quiz', deadline: '2031-05-01T13:00', speed_scoring: false, streak_bonus: 50 })
    expect((await editor(quizId, auth)).data).toMatchObject({ editor: { quiz: { title: 'Valve lesions, revised', streakBonus: 50, speedScoring: false } } })

    for (const [form, field, message] of [
      [{ title: 'No' }, 'title', /at least 3 characters/],
      [{ title: 'Fine title', deadline: '2001-01-01T10:00' }, 'deadline', /in the past/],
      [{ title: 'Fine title', streakBonus: '9999' }, 'streakBonus', /at most/],
    ] as const) {
      const refused = await post(quizId, auth, { intent: 'details', ...form })
      expect(refused.status).toBe(400)
      expect(fieldErrors(refused.data, field).join(' ')).toMatch(message)
      expect((refused.data as { details?: Record<string, string> }).details).toMatchObject(form)
    }
    const [after] = await rawSql()`select title, streak_bonus from quizzes where id = ${quizId}`
    expect(after).toEqual({ title: 'Valve lesions, revised', streak_bonus: 50 })
  })

  it('is its creators’ alone, and closed once the quiz is published', async () => {
    const { club, auth } = await world()
    const quizId = await startQuiz(club, auth, { kind: 'poll', title: 'Journal club topics' })
    const member = await createDoctor()
    await addClubMember(club, member)
    const stranger = await post(quizId, await signIn(member.id), { intent: 'details', title: 'Taken over' })
    expect(stranger.status).toBe(404)
    const question = await addQuestion(quizId, auth, 'single')
    await post(quizId, auth, { intent: 'save-question', questionId: question, kind: 'single', prompt: 'Which topic next?', 'options[0].label': 'Heart failure', 'options[1].label': 'Syncope' })
    expect((await post(quizId, auth, { intent: 'publish' })).status).toBe(302)
    const late = await post(quizId, auth, { intent: 'details', title: 'Renamed after publishing' })
    expect(late.status).toBe(409)
    const [row] = await rawSql()`select title, anonymous from quizzes where id = ${quizId}`
    expect(row).toEqual({ title: 'Journal club topics', anonymous: false })
  })
})

describe('each step of the editor', () => {
  it('adds a question of a kind the quiz may hold, and refuses one it may not', async () => {
    const { club, auth } = await world()
    const pollId = await startQuiz(club, auth, { kind: 'poll', title: 'Journal club topics' })
    const first = await addQuestion(pollId, auth, 'multiple')
    expect(await questionsOf(pollId)).toMatchObject([{ id: first, position: 1, kind: 'multiple', prompt: '' }])
    for (const kind of ['true_false', 'rating', 'exam']) {
      const refused = await post(pollId, auth, { intent: 'add-question', kind })
      expect(refused.status).toBe(400)
      expect(fieldErrors(refused.data, 'kind')).toEqual(['Choose one of the kinds of question a poll can have.'])
    }
    expect(await questionsOf(pollId)).toHaveLength(1)
  })

  it('saves a choice question with its options and correct answer; shows the editor on it', async () => {
    const { club, auth } = await world()
    const quizId = await startQuiz(club, auth)
    const id = await addQuestion(quizId, auth)
    const saved = await post(quizId, auth, { ...singleChoice('Loudest at the apex?'), questionId: id })
    expect(saved.status).toBe(302)
    expect(saved.location).toBe(`/q/${quizId}/edit?question=${id}&saved=1`)
    expect(await questionsOf(quizId)).toMatchObject([{ prompt: 'Loudest at the apex?', kind: 'single', points: 800, options: ['Aortic stenosis', 'Mitral regurgitation*'] }])
    const page = await editor(quizId, auth, id)
    expect(page.data).toMatchObject({ currentId: id, editor: { problems: [] } })
  })

  it('keeps a poll’s options without correct marks or points, and a rating question’s scale without options', async () => {
    const { club, auth } = await world()
    const surveyId = await startQuiz(club, auth, { kind: 'survey', title: 'Teaching feedback' })
    const choice = await addQuestion(surveyId, auth)
    await post(surveyId, auth, { ...singleChoice('Best slot?', 0), questionId: choice })
    const rating = await addQuestion(surveyId, auth, 'rating')
    expect((await post(surveyId, auth, { intent: 'save-question', questionId: rating, kind: 'rating', prompt: 'How useful?', ratingMax: '7', 'options[0].label': 'ignored' })).status).toBe(302)
    const [q1, q2] = await questionsOf(surveyId)
    expect(q1).toMatchObject({ points: 0, options: ['Aortic stenosis', 'Mitral regurgitation'] })
    expect(q2).toMatchObject({ kind: 'rating', options: null })
    const [{ rating_max }] = await rawSql()`select rating_max from quiz_questions where id = ${rating}`
    expect(rating_max).toBe(7)
  })

  const badSaves: [string, Form, string, RegExp][] = [
    ['an empty question', { prompt: '  ' }, 'prompt', /^Write the question\.$/],
    ['two options alike', { 'options[1].label': 'aortic stenosis' }, 'options', /^Two options say the same thing\.$/],
    ['two correct answers on a one-answer question', { 'options[0].correct': 'on' }, 'options', /mark only one option as correct/],
    ['a kind a quiz may not hold', { kind: 'text' }, 'kind', /a quiz can have/],
    ['points over the limit', { points: '99999' }, 'points', /at most 2000 points/],
    ['a hidden control character', { prompt: 'Apex\u202e?' }, 'prompt', /characters we cannot show/],
  ]
  it.each(badSaves)('refuses %s beside its field, keeping what was typed and changing nothing', async (_case, change, field, message) => {
    const { club, auth } = await world()
    const quizId = await startQuiz(club, auth)
    const id = await addQuestion(quizId, auth)
    await post(quizId, auth, { ...singleChoice('Loudest at the apex?'), questionId: id })
    const before = await questionsOf(quizId)
    const result = await post(quizId, auth, { ...singleChoice('Changed?'), questionId: id, ...change })
    expect(result.status).toBe(400)
    expect(fieldErrors(result.data, field).join(' ')).toMatch(message)
    expect(result.data).toMatchObject({ questionId: id, values: { prompt: change.prompt ?? 'Changed?' } })
    expect(await questionsOf(quizId)).toEqual(before)
  })

  it('moves a question up and down, and refuses to move the first one up', async () => {
    const { club, auth } = await world()
    const quizId = await startQuiz(club, auth)
    const [a, b, c] = [await addQuestion(quizId, auth), await addQuestion(quizId, auth), await addQuestion(quizId, auth)]
    expect((await post(quizId, auth, { intent: 'move-up', questionId: c })).location).toBe(`/q/${quizId}/edit?question=${c}`)
    expect((await questionsOf(quizId)).map((q) => q.id)).toEqual([a, c, b])
    await post(quizId, auth, { intent: 'move-down', questionId: a })
    expect((await questionsOf(quizId)).map((q) => q.id)).toEqual([c, a, b])
    const refused = await post(quizId, auth, { intent: 'move-up', questionId: c })
    expect(refused.status).toBe(409)
    expect(formErrors(refused.data)).toEqual(['This is already the first question.'])
    const last = await post(quizId, auth, { intent: 'move-down', questionId: b })
    expect(formErrors(last.data)).toEqual(['This is already the last question.'])
    expect((await questionsOf(quizId)).map((q) => [q.id, q.position])).toEqual([
      [c, 1],
      [a, 2],
      [b, 3],
    ])
  })

  it('duplicates a question with its options right after it, and removes one closing the gap', async () => {
    const { club, auth } = await world()
    const quizId = await startQuiz(club, auth)
    const a = await addQuestion(quizId, auth)
    const b = await addQuestion(quizId, auth, 'true_false')
    await post(quizId, auth, { ...singleChoice('Loudest at the apex?'), questionId: a })
    const copy = await post(quizId, auth, { intent: 'duplicate', questionId: a })
    const copyId = copy.location?.match(/question=([0-9a-f-]{36})/)?.[1]
    expect(copyId).toBeDefined()
    expect((await questionsOf(quizId)).map((q) => [q.id, q.prompt, q.options])).toEqual([
      [a, 'Loudest at the apex?', ['Aortic stenosis', 'Mitral regurgitation*']],
      [copyId, 'Loudest at the apex?', ['Aortic stenosis', 'Mitral regurgitation*']],
      [b, '', ['True', 'False']],
    ])
    expect((await post(quizId, auth, { intent: 'remove', questionId: a })).location).toBe(`/q/${quizId}/edit`)
    expect((await questionsOf(quizId)).map((q) => [q.id, q.position])).toEqual([
      [copyId, 1],
      [b, 2],
    ])
  })

  it('refuses an unknown intent, a question of another quiz and a malformed id, changing nothing', async () => {
    const { club, auth } = await world()
    const quizId = await startQuiz(club, auth)
    const otherQuiz = await startQuiz(club, auth, { title: 'Another quiz' })
    const mine = await addQuestion(quizId, auth)
    const theirs = await addQuestion(otherQuiz, auth)
    const before = [await questionsOf(quizId), await questionsOf(otherQuiz)]

    const unknown = await post(quizId, auth, { intent: 'delete-everything', questionId: mine })
    expect(unknown.status).toBe(400)
    expect(formErrors(unknown.data)).toEqual(['We did not understand that button. Reload the page and try again.'])
    for (const intent of ['save-question', 'move-up', 'move-down', 'duplicate', 'remove']) {
      for (const questionId of [theirs, 'not-an-id']) {
        const result = await post(quizId, auth, { ...singleChoice('Taken over?'), intent, questionId })
        expect(result.status, `${intent} ${questionId}`).toBe(404)
        expect(formErrors(result.data)).toEqual(['We could not find that question.'])
      }
    }
    expect([await questionsOf(quizId), await questionsOf(otherQuiz)]).toEqual(before)
  })

  it('keeps the quiz its creators’ own: another member gets 404, a club admin may edit it', async () => {
    const { club, auth } = await world()
    const quizId = await startQuiz(club, auth)
    const id = await addQuestion(quizId, auth)
    const member = await createDoctor()
    await addClubMember(club, member)
    const memberAuth = await signIn(member.id)
    expect((await editor(quizId, memberAuth)).status).toBe(404)
    const attempts: Form[] = [{ intent: 'add-question', kind: 'single' }, { ...singleChoice('Mine now'), questionId: id }, { intent: 'remove', questionId: id }, { intent: 'publish' }]
    for (const form of attempts) {
      expect((await post(quizId, memberAuth, form)).status).toBe(404)
    }
    const admin = await createDoctor()
    await addClubMember(club, admin, 'admin')
    expect((await post(quizId, await signIn(admin.id), { ...singleChoice('Written by the admin'), questionId: id })).status).toBe(302)
    expect(await questionsOf(quizId)).toMatchObject([{ prompt: 'Written by the admin' }])
  })
})

describe('publishing', () => {
  it('refuses a quiz without questions, and names each question that is not ready', async () => {
    const { club, auth } = await world()
    const quizId = await startQuiz(club, auth)
    const empty = await post(quizId, auth, { intent: 'publish' })
    expect(empty.status).toBe(400)
    expect(empty.data).toMatchObject({ problems: [{ questionId: null, message: 'Add at least one question.' }] })

    const a = await addQuestion(quizId, auth)
    const b = await addQuestion(quizId, auth, 'true_false')
    const c = await addQuestion(quizId, auth)
    await post(quizId, auth, { ...singleChoice('No correct answer marked', null), questionId: a })
    await post(quizId, auth, { intent: 'save-question', questionId: b, kind: 'true_false', prompt: 'Adenosine first for stable SVT.', trueFalse: '' })
    const result = await post(quizId, auth, { intent: 'publish' })
    expect(result.status).toBe(400)
    expect((result.data as { problems: unknown }).problems).toEqual([
      { questionId: a, message: 'Question 1: mark exactly one correct answer.' },
      { questionId: b, message: 'Question 2: say whether the statement is true or false.' },
      { questionId: c, message: 'Question 3: write the question.' },
      { questionId: c, message: 'Question 3: add at least two options.' },
    ])
    expect(await quizRow(quizId)).toEqual({ status: 'draft', editing: true })
  })

  it('opens a self-paced quiz, after which its questions can no longer be changed', async () => {
    const { club, auth } = await world()
    const quizId = await startQuiz(club, auth)
    const id = await addQuestion(quizId, auth)
    await post(quizId, auth, { ...singleChoice('Loudest at the apex?'), questionId: id })
    const published = await post(quizId, auth, { intent: 'publish' })
    expect(published.location).toBe(`/q/${quizId}`)
    expect(await quizRow(quizId)).toEqual({ status: 'open', editing: false })
    const late = await post(quizId, auth, { intent: 'remove', questionId: id })
    expect(late.status).toBe(409)
    expect(await questionsOf(quizId)).toHaveLength(1)
    const page = await editor(quizId, auth)
    expect([page.status, page.location]).toEqual([302, `/q/${quizId}`])
  })

  it('hands a talk’s quiz to its room only once published; the room never lists or launches a half-written one', async () => {
    const { owner, club, auth } = await world()
    const talk = await createTalk({ clubId: club.id, hostId: owner.id })
    const quizId = await startQuiz(club, auth, { talkId: talk.id })
    const id = await addQuestion(quizId, auth)
    await post(quizId, auth, { ...singleChoice('Loudest at the apex?'), questionId: id, timeLimitSeconds: '45' })
    expect(await listTalkQuizzes(viewerOf(owner), talk.id)).toEqual([])
    const published = await post(quizId, auth, { intent: 'publish' })
    expect(published.location).toBe(`/t/${talk.id}/live`)
    expect(await quizRow(quizId)).toEqual({ status: 'draft', editing: false })
    expect((await listTalkQuizzes(viewerOf(owner), talk.id)).map((q) => q.id)).toEqual([quizId])
    const [{ time_limit_seconds }] = await rawSql()`select time_limit_seconds from quiz_questions where id = ${id}`
    expect(time_limit_seconds).toBe(45)
  })
})

describe('a question’s image', () => {
  it('needs alt text and real image bytes; nothing is stored when refused', async () => {
    const { club, auth } = await world()
    const quizId = await startQuiz(club, auth)
    const id = await addQuestion(quizId, auth)
    const before = await storedImages()

    const noAlt = await post(quizId, auth, { ...singleChoice('Which murmur?'), questionId: id, image: await png(), imageAlt: ' ' })
    expect(noAlt.status).toBe(400)
    expect(fieldErrors(noAlt.data, 'imageAlt')).toEqual(['Describe the image in a few words (alt text), for people who cannot see it.'])
    const fake = new File(['<svg onload="alert(1)"></svg>'], 'murmur.png', { type: 'image/png' })
    const notImage = await post(quizId, auth, { ...singleChoice('Which murmur?'), questionId: id, image: fake, imageAlt: 'A phonocardiogram' })
    expect(notImage.status).toBe(400)
    expect(fieldErrors(notImage.data, 'image')).toEqual(['That file is not a photo we can use. Upload a JPEG, PNG, WebP or GIF.'])
    expect(await questionsOf(quizId)).toMatchObject([{ prompt: '', imagePath: null }])
    expect(await storedImages()).toEqual(before)
  })

  it('is stored with its alt text, shown to players with it, and served only to those who may see the quiz', async () => {
    const { club, auth } = await world({ visibility: 'private' })
    const quizId = await startQuiz(club, auth)
    const id = await addQuestion(quizId, auth)
    const saved = await post(quizId, auth, { ...singleChoice('Which murmur?'), questionId: id, image: await png(), imageAlt: 'Phonocardiogram with a pansystolic murmur' })
    expect(saved.status).toBe(302)
    const [question] = await questionsOf(quizId)
    expect(question.imageAlt).toBe('Phonocardiogram with a pansystolic murmur')
    const name = question.imagePath!
    expect(await storedImages()).toContain(name)

    const fetchImage = (as: SignedIn) => callLoader(imageRoute, { url: `/q/${quizId}/images/${name}`, params: { id: quizId, name }, auth: as })
    const member = await createDoctor()
    await addClubMember(club, member)
    const memberAuth = await signIn(member.id)
    const stranger = await signIn((await createDoctor()).id)

    const own = await fetchImage(auth)
    expect([own.status, own.headers.get('content-type'), own.headers.get('cache-control')]).toEqual([200, 'image/webp', 'private, max-age=86400'])
    expect((await fetchImage(memberAuth)).status).toBe(404)

    // Alt text cannot be emptied while the image stays.
    const cleared = await post(quizId, auth, { ...singleChoice('Which murmur?'), questionId: id, imageAlt: '' })
    expect(fieldErrors(cleared.data, 'imageAlt')).toHaveLength(1)

    await post(quizId, auth, { intent: 'publish' })
    expect((await fetchImage(memberAuth)).status).toBe(200)
    expect((await fetchImage(stranger)).status).toBe(404)
    const elsewhere = await callLoader(imageRoute, { url: `/q/${quizId}/images/${randomUUID()}.webp`, params: { id: quizId, name: `${randomUUID()}.webp` }, auth })
    expect(elsewhere.status).toBe(404)

    const page = await getQuizPage(viewerOf(member), quizId)
    expect(page.questions[0]).toMatchObject({ imageUrl: `/q/${quizId}/images/${name}`, imageAlt: 'Phonocardiogram with a pansystolic murmur' })
    const html = await callLoader(quizPageRoute, { url: `/q/${quizId}`, params: { id: quizId }, auth: memberAuth })
    expect(html.status).toBe(200)
  })

  it('is shared by a duplicate, and its file goes when the last question using it is removed', async () => {
    const { club, auth } = await world()
    const quizId = await startQuiz(club, auth)
    const id = await addQuestion(quizId, auth)
    await post(quizId, auth, { ...singleChoice('Which murmur?'), questionId: id, image: await png(), imageAlt: 'A phonocardiogram' })
    const copy = (await post(quizId, auth, { intent: 'duplicate', questionId: id })).location?.match(/question=([0-9a-f-]{36})/)?.[1]
    const [first, second] = await questionsOf(quizId)
    expect(second).toMatchObject({ id: copy, imagePath: first.imagePath, imageAlt: 'A phonocardiogram' })
    await post(quizId, auth, { intent: 'remove', questionId: id })
    expect(await storedImages()).toContain(first.imagePath)
    await post(quizId, auth, { ...singleChoice('Which murmur?'), questionId: copy!, imageAlt: 'A phonocardiogram', removeImage: 'on' })
    expect(await questionsOf(quizId)).toMatchObject([{ imagePath: null, imageAlt: null }])
    expect(await storedImages()).not.toContain(first.imagePath)
  })
})
