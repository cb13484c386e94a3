import { randomUUID } from 'node:crypto'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { rawSql } from '../../db/client'
import { createClub, updateClub } from '../../db/clubs'
import { askQuestion } from '../../db/live/questions'
import { postComment } from '../../db/live/comments'
import {
  WATCHED_WORDS_TTL_MS,
  addWatchedWord,
  checkedPattern,
  compileWatchedWords,
  findWatchedWord,
  forgetWatchedWords,
  listWatchedWords,
  matchCompiled,
  removeWatchedWord,
  type WatchedWordAction,
} from '../../db/moderation/watched-words'
import { decideItem, myPendingText, PLACEHOLDER_TITLE } from '../../db/moderation/index'
import { getOwnProfile, getProfileForViewer, updateProfile } from '../../db/profiles'
import { scheduleTalk } from '../../db/talks'
import { createDoctor, createTalk, createTestClub, viewerOf, type TestClub, type TestDoctor } from '../support/factories'

const as = viewerOf

/** Matches against a list compiled in memory, for the pattern syntax alone. */
function matchOf(list: [string, WatchedWordAction][], text: string) {
  return matchCompiled(compileWatchedWords(list.map(([pattern, action]) => ({ pattern, action }))), [text])
}

describe('watched-word patterns', () => {
  it('match whole words, ignoring case and Latin accents', () => {
    const list: [string, WatchedWordAction][] = [['scam', 'flag']]
    expect(matchOf(list, 'This offer is a SCAM!')).toEqual({ action: 'flag', word: 'SCAM', pattern: 'scam' })
    expect(matchOf(list, 'Total scàm, avoid')).toMatchObject({ word: 'scàm' })
    expect(matchOf(list, 'The children scamper off the ward')).toBeNull()
    expect(matchOf(list, 'antiscam measures')).toBeNull()
    expect(matchOf([['café', 'flag']], 'Meet at the CAFE')).toMatchObject({ word: 'CAFE', pattern: 'café' })
  })

  it('take * as any run of letters, still within one word', () => {
    const list: [string, WatchedWordAction][] = [['scam*', 'hold']]
    expect(matchOf(list, 'a known scammer')).toMatchObject({ action: 'hold', word: 'scammer' })
    expect(matchOf(list, 'a scam')).toMatchObject({ word: 'scam' })
    expect(matchOf(list, 'antiscam')).toBeNull()
    expect(matchOf([['*pill', 'flag']], 'a magicpill today')).toMatchObject({ word: 'magicpill' })
    expect(matchOf([['mir*cle', 'flag']], 'a MIRAACLE cure')).toMatchObject({ word: 'MIRAACLE' })
  })

  it('work for Hinglish written in Latin letters', () => {
    const list: [string, WatchedWordAction][] = [['bakwaas', 'flag'], ['paisa*', 'hold']]
    expect(matchOf(list, 'Yeh sab Bakwaas hai, sir')).toMatchObject({ action: 'flag', word: 'Bakwaas' })
    expect(matchOf(list, 'bakwaasi baatein')).toBeNull()
    expect(matchOf(list, 'Double paisawapas guarantee')).toMatchObject({ action: 'hold', word: 'paisawapas' })
  })

  it('work for Devanagari and Tamil, keeping their vowel signs as part of the word', () => {
    const list: [string, WatchedWordAction][] = [['धोखा', 'block']]
    expect(matchOf(list, 'यह पूरा धोखा है।')).toEqual({ action: 'block', word: 'धोखा', pattern: 'धोखा' })
    // A longer word, and another inflection (a different vowel sign), are different words.
    expect(matchOf(list, 'यह धोखाधड़ी है')).toBeNull()
    expect(matchOf(list, 'धोखे से बचें')).toBeNull()
    expect(matchOf([['धोखा*', 'flag']], 'यह धोखाधड़ी है')).toMatchObject({ word: 'धोखाधड़ी' })
    expect(matchOf([['மோசடி', 'hold']], 'இது மோசடி.')).toMatchObject({ action: 'hold', word: 'மோசடி' })
  })

  it('see through fullwidth letters and zero-width characters', () => {
    const list: [string, WatchedWordAction][] = [['scam', 'flag']]
    expect(matchOf(list, 'ｓｃａｍ')).toMatchObject({ word: 'ｓｃａｍ' })
    expect(matchOf(list, 'sc\u200bam')).toMatchObject({ word: 'sc\u200bam' })
  })

  it('let the strictest action win when several words match', () => {
    const list: [string, WatchedWordAction][] = [
      ['scam*', 'flag'],
      ['scammer', 'block'],
      ['fraud', 'hold'],
    ]
    expect(matchOf(list, 'scammer')).toMatchObject({ action: 'block', pattern: 'scammer' })
    expect(matchOf(list, 'a scam')).toMatchObject({ action: 'flag' })
    expect(matchOf(list, 'scam and fraud')).toMatchObject({ action: 'hold', word: 'fraud' })
    expect(matchOf(list, 'scam, fraud, scammer')).toMatchObject({ action: 'block' })
  })

  it('refuse what is empty, too short, too broad, too long or not one word, saying why', () => {
    const refusals: [unknown, RegExp][] = [
      ['', /Write the word/],
      ['   ', /Write the word/],
      [42, /Write the word/],
      ['*', /only \* would match every word/],
      ['**', /only \* would match every word/],
      ['a*', /at least 2 letters/],
      ['*a*', /at least 2 letters/],
      ['a', /at least 2 letters/],
      ['two words', /one word/],
      ['scam!', /one word/],
      ['ab\0cd', /null character/],
      ['x'.repeat(101), /at most 100 characters/],
      ['*ab*cd*', /\* at most 2 times/],
    ]
    for (const [input, message] of refusals) {
      expect(() => checkedPattern(input), String(input)).toThrow(message)
      try {
        checkedPattern(input)
      } catch (error) {
        expect(error).toMatchObject({ name: 'PublicError', status: 400 })
      }
    }
    expect(checkedPattern('  Scam**er ')).toEqual({ pattern: 'Scam*er', folded: 'scam*er' })
    expect(checkedPattern('धोखा').pattern).toBe('धोखा')
  })
})

async function moderator(): Promise<TestDoctor> {
  const staff = await createDoctor({ name: 'Dr Moderator Staff' })
  await rawSql()`update users set role = 'staff' where id = ${staff.id}`
  await rawSql()`insert into staff_duties (user_id, duty) values (${staff.id}, 'moderator')`
  return staff
}

const asStaff = (d: TestDoctor) => viewerOf(d, 'staff')

async function watchedWordRows() {
  return rawSql()<{ pattern: string; action: string }[]>`select pattern, action::text as action from watched_words order by pattern`
}

let keeper: TestDoctor

beforeAll(async () => {
  keeper = await moderator()
})

beforeEach(async () => {
  await rawSql()`delete from watched_words`
  forgetWatchedWords()
})

describe('the watched-words list', () => {
  it('is kept by staff with the moderator duty only; everyone else is told there is no such page', async () => {
    const member = await createDoctor()
    const otherStaff = await createDoctor()
    await rawSql()`update users set role = 'staff' where id = ${otherStaff.id}`
    for (const viewer of [null, as(member), asStaff(otherStaff)]) {
      await expect(listWatchedWords(viewer)).rejects.toMatchObject({ status: 404 })
      await expect(addWatchedWord(viewer, { pattern: 'scam', action: 'block' })).rejects.toMatchObject({ status: 404 })
    }
    // The duty left on an account that is no longer staff counts for nothing.
    await rawSql()`insert into staff_duties (user_id, duty) values (${member.id}, 'moderator')`
    await expect(addWatchedWord(as(member), { pattern: 'scam', action: 'block' })).rejects.toMatchObject({ status: 404 })
    expect(await watchedWordRows()).toEqual([])
  })

  it('adds and removes patterns, each with its action', async () => {
    const added = await addWatchedWord(asStaff(keeper), { pattern: 'scam*', action: 'hold' })
    await addWatchedWord(asStaff(keeper), { pattern: 'धोखा', action: 'block' })
    expect(await listWatchedWords(asStaff(keeper))).toEqual([
      expect.objectContaining({ pattern: 'scam*', action: 'hold', addedBy: keeper.handle }),
      expect.objectContaining({ pattern: 'धोखा', action: 'block' }),
    ])
    expect(await removeWatchedWord(asStaff(keeper), added.id)).toEqual({ pattern: 'scam*' })
    expect(await watchedWordRows()).toEqual([{ pattern: 'धोखा', action: 'block' }])
    await expect(removeWatchedWord(asStaff(keeper), added.id)).rejects.toMatchObject({ status: 404 })
    await expect(removeWatchedWord(asStaff(keeper), 'not-an-id')).rejects.toMatchObject({ status: 404 })
  })

  it('refuses duplicates (in any case or accents), bad patterns and unknown actions, writing nothing', async () => {
    await addWatchedWord(asStaff(keeper), { pattern: 'Café', action: 'flag' })
    await expect(addWatchedWord(asStaff(keeper), { pattern: 'cafe', action: 'block' })).rejects.toMatchObject({
      status: 409,
      message: '“Café” is already on the list.',
    })
    await expect(addWatchedWord(asStaff(keeper), { pattern: 'CAFÉ', action: 'flag' })).rejects.toMatchObject({ status: 409 })
    for (const pattern of ['*', '**', 'a*', '', 'x'.repeat(101), 'ab\0cd', 'two words']) {
      await expect(addWatchedWord(asStaff(keeper), { pattern, action: 'block' })).rejects.toMatchObject({ status: 400 })
    }
    await expect(addWatchedWord(asStaff(keeper), { pattern: 'quack', action: 'delete' })).rejects.toMatchObject({ status: 400, field: 'action' })
    expect(await watchedWordRows()).toEqual([{ pattern: 'Café', action: 'flag' }])
  })

  it('is matched from a cached copy, refreshed at once by a change here and within seconds by one elsewhere', async () => {
    expect(await findWatchedWord(['a quack cure'])).toBeNull()
    await addWatchedWord(asStaff(keeper), { pattern: 'quack', action: 'flag' })
    expect(await findWatchedWord(['a quack cure'])).toMatchObject({ action: 'flag', word: 'quack' })

    // Another node adds a word: this process keeps its copy until the copy is WATCHED_WORDS_TTL_MS old.
    await rawSql()`insert into watched_words (id, pattern, action) values (${randomUUID()}, 'snake*', 'block')`
    expect(await findWatchedWord(['snakeoil for sale'])).toBeNull()
    expect(await findWatchedWord(['snakeoil for sale'], Date.now() + WATCHED_WORDS_TTL_MS + 1)).toMatchObject({ action: 'block' })

    const [quack] = (await listWatchedWords(asStaff(keeper))).filter((w) => w.pattern === 'quack')
    await removeWatchedWord(asStaff(keeper), quack.id)
    expect(await findWatchedWord(['a quack cure'])).toBeNull()
  })
})

type Counts = { reports: number; holds: number; actions: number }

async function moderationOf(kind: string, itemId: string) {
  const reports = await rawSql()<{ reason: string; reporterId: string | null; authorId: string | null; clubId: string | null; details: string }[]>`
    select reason::text as reason, reporter_id as "reporterId", author_id as "authorId", club_id as "clubId", details
    from moderation_reports where item_kind = ${kind} and item_id = ${itemId}`
  const holds = await rawSql()<{ state: string; reason: string; authorId: string | null }[]>`
    select state::text as state, reason, author_id as "authorId" from moderation_holds where item_kind = ${kind} and item_id = ${itemId}`
  const actions = await rawSql()<{ action: string; actorId: string | null; authorId: string | null }[]>`
    select action::text as action, actor_id as "actorId", author_id as "authorId" from moderation_actions where item_kind = ${kind} and item_id = ${itemId}`
  return { reports, holds, actions }
}

async function totals(): Promise<Counts> {
  const [row] = await rawSql()<Counts[]>`
    select (select count(*)::int from moderation_reports) as reports, (select count(*)::int from moderation_holds) as holds,
      (select count(*)::int from moderation_actions) as actions`
  return row
}

/** The profile form's fields for a doctor, with this bio. */
const profileWithBio = (doctor: TestDoctor, bio: string) => ({
  handle: doctor.handle,
  name: doctor.name,
  speciality: null,
  city: null,
  interests: [],
  bio,
  registrationNumber: null,
  visibility: 'public' as const,
})

async function watch(pattern: string, action: WatchedWordAction) {
  await addWatchedWord(asStaff(keeper), { pattern, action })
}

describe('watched words in what people write', () => {
  let host: TestDoctor
  let member: TestDoctor
  let club: TestClub
  let talkId: string

  beforeAll(async () => {
    host = await createDoctor({ name: 'Dr Watched Host' })
    member = await createDoctor({ name: 'Dr Watched Member' })
    club = await createTestClub(host, { name: 'Watched Words Club' })
    ;({ id: talkId } = await createTalk({ clubId: club.id, hostId: host.id, status: 'live' }))
  })

  async function commentCount() {
    const [row] = await rawSql()<{ n: number }[]>`select count(*)::int as n from talk_comments where talk_id = ${talkId}`
    return row.n
  }

  it('block: refuses a comment or question with 422 naming the word, and writes nothing', async () => {
    await watch('scam*', 'block')
    const before = { comments: await commentCount(), ...(await totals()) }
    await expect(postComment(as(member), talkId, { body: 'Such a SCAMMER, this vendor' })).rejects.toMatchObject({
      name: 'PublicError',
      status: 422,
      message: 'This contains a word Rounds does not allow: “SCAMMER”.',
    })
    await expect(askQuestion(as(member), talkId, { body: 'यह scam है?' })).rejects.toMatchObject({ status: 422 })
    const [questions] = await rawSql()<{ n: number }[]>`select count(*)::int as n from talk_questions where talk_id = ${talkId}`
    expect(questions.n).toBe(0)
    expect({ comments: await commentCount(), ...(await totals()) }).toEqual(before)
  })

  it('hold: writes the comment, holds it back for review with a system report and a hide by no one, and says it is held', async () => {
    await watch('धोखा', 'hold')
    const comment = await postComment(as(member), talkId, { body: 'यह पूरा धोखा है।', clientId: 'held-1' })
    expect(comment).toMatchObject({ body: 'यह पूरा धोखा है।', held: true })
    expect(await moderationOf('comment', comment.id)).toEqual({
      reports: [{ reason: 'watched_word', reporterId: null, authorId: member.id, clubId: club.id, details: expect.stringContaining('धोखा') }],
      holds: [{ state: 'hidden', reason: 'watched word', authorId: member.id }],
      actions: [{ action: 'hide', actorId: null, authorId: member.id }],
    })
    // A retry of the same message is still held, and records nothing twice.
    const retried = await postComment(as(member), talkId, { body: 'यह पूरा धोखा है।', clientId: 'held-1' })
    expect(retried).toMatchObject({ id: comment.id, held: true })
    const after = await moderationOf('comment', comment.id)
    expect([after.reports.length, after.holds.length, after.actions.length]).toEqual([1, 1, 1])
  })

  it('hold: a question too', async () => {
    await watch('bakwaas', 'hold')
    const question = await askQuestion(as(member), talkId, { body: 'Is this all bakwaas?' })
    expect(question).toMatchObject({ held: true })
    const { holds, reports } = await moderationOf('question', question.id)
    expect(holds).toEqual([{ state: 'hidden', reason: 'watched word', authorId: member.id }])
    expect(reports).toHaveLength(1)
  })

  it('flag: writes and shows the comment, and reports it to the queue without holding it', async () => {
    await watch('quack', 'flag')
    const comment = await postComment(as(member), talkId, { body: 'Sounds like a quack remedy' })
    expect(comment).not.toHaveProperty('held')
    expect(await moderationOf('comment', comment.id)).toEqual({
      reports: [expect.objectContaining({ reason: 'watched_word', reporterId: null })],
      holds: [],
      actions: [],
    })
  })

  it('passes what matches nothing, with no report', async () => {
    await watch('scam', 'block')
    const before = await totals()
    const comment = await postComment(as(member), talkId, { body: 'The scamper of feet on the ward' })
    expect(comment).not.toHaveProperty('held')
    expect(await totals()).toEqual(before)
  })

  it('applies to bios: a blocked word changes nothing; a held bio waits for approval while others see the one before', async () => {
    const doctor = await createDoctor({ profile: { bio: 'Cardiologist' } })
    const update = (bio: string) => profileWithBio(doctor, bio)
    await watch('scam*', 'block')
    await watch('miracle', 'hold')
    await expect(updateProfile(doctor.id, update('No scams here'))).rejects.toMatchObject({ status: 422, field: 'bio' })
    expect((await getOwnProfile(doctor.id)).bio).toBe('Cardiologist')
    expect(await updateProfile(doctor.id, update('Miracle cures, ask me'))).toEqual({ replacedPhoto: null, held: true })
    expect((await moderationOf('person', doctor.id)).holds).toEqual([{ state: 'hidden', reason: 'watched word', authorId: doctor.id }])
    // Others read the bio as it was; its author alone is shown the one awaiting approval.
    const reader = await createDoctor()
    const seen = await getProfileForViewer(as(reader), doctor.handle)
    expect(seen).toMatchObject({ kind: 'full', profile: { bio: 'Cardiologist' } })
    expect(JSON.stringify(seen)).not.toContain('Miracle')
    expect((await getOwnProfile(doctor.id)).bio).toBe('Cardiologist')
    expect(await myPendingText(doctor.id, 'person', doctor.id)).toEqual({ text: 'Miracle cures, ask me', state: 'hidden' })
    expect(await myPendingText(reader.id, 'person', doctor.id)).toBeNull()
    // The moderator reads the held words in the queue, and approving them puts them on show.
    await decideItem(asStaff(keeper), 'person', doctor.id, { action: 'restore', reason: 'A figure of speech.' })
    expect((await getProfileForViewer(as(reader), doctor.handle))?.profile).toMatchObject({ bio: 'Miracle cures, ask me' })
    expect(await myPendingText(doctor.id, 'person', doctor.id)).toBeNull()
  })

  it('a moderator can refuse a held bio, which an upheld appeal brings back; clean text saved meanwhile replaces it', async () => {
    const doctor = await createDoctor({ profile: { bio: 'Cardiologist' } })
    const update = (bio: string) => profileWithBio(doctor, bio)
    await watch('miracle', 'hold')
    await updateProfile(doctor.id, update('Miracle cures, ask me'))
    await decideItem(asStaff(keeper), 'person', doctor.id, { action: 'remove', reason: 'It promises cures.' })
    expect(await myPendingText(doctor.id, 'person', doctor.id)).toEqual({ text: 'Miracle cures, ask me', state: 'removed' })
    expect((await getOwnProfile(doctor.id)).bio).toBe('Cardiologist')
    // A page without held text still cannot be "removed" by a moderator: its owner changes it.
    const other = await createDoctor({ profile: { bio: 'Plain' } })
    await rawSql()`insert into moderation_reports (id, reporter_id, item_kind, item_id, author_id, reason) values (${randomUUID()}, ${keeper.id}, 'person', ${other.id}, ${other.id}, 'spam')`
    await expect(decideItem(asStaff(keeper), 'person', other.id, { action: 'remove', reason: 'Spam' })).rejects.toMatchObject({ status: 409 })

    // Held again, then saved without the word: the clean bio shows and nothing awaits approval.
    const third = await createDoctor({ profile: { bio: 'Neurologist' } })
    const update3 = (bio: string) => profileWithBio(third, bio)
    await updateProfile(third.id, update3('Miracle cures'))
    expect(await myPendingText(third.id, 'person', third.id)).toMatchObject({ state: 'hidden' })
    await updateProfile(third.id, update3('Stroke and epilepsy'))
    expect(await myPendingText(third.id, 'person', third.id)).toBeNull()
    expect((await getOwnProfile(third.id)).bio).toBe('Stroke and epilepsy')
  })

  it('applies to club descriptions: blocked on creation, flagged on an edit', async () => {
    await watch('casino', 'block')
    await watch('quack*', 'flag')
    const input = { name: 'Blocked Club', slug: `blocked-${randomUUID().slice(0, 8)}`, description: 'Online CASINO nights', specialities: [], visibility: 'public' as const }
    await expect(createClub(as(host), input)).rejects.toMatchObject({ status: 422, field: 'description' })
    const [clubs] = await rawSql()<{ n: number }[]>`select count(*)::int as n from clubs where slug = ${input.slug}`
    expect(clubs.n).toBe(0)
    const edited = await updateClub(as(host), club.slug, { name: club.name, slug: club.slug, description: 'No quackery please', specialities: [], visibility: 'public' })
    expect(edited).not.toHaveProperty('held')
    const { reports, holds } = await moderationOf('club', club.id)
    expect(reports).toEqual([expect.objectContaining({ reason: 'watched_word', reporterId: null, clubId: club.id })])
    expect(holds).toEqual([])
  })

  it('applies to talk titles: a held title is saved and held back for review', async () => {
    await watch('guaranteed', 'hold')
    const { id, held } = await scheduleTalk(as(host), club.slug, {
      type: 'talk',
      title: 'Guaranteed weight loss',
      description: '',
      startsAt: new Date(Date.now() + 24 * 60 * 60 * 1000),
      durationMinutes: 60,
      cohostHandles: [],
      speakerHandles: [],
    })
    expect(held).toBe(true)
    expect(await moderationOf('talk', id)).toMatchObject({
      holds: [{ state: 'hidden', reason: 'watched word', authorId: host.id }],
      actions: [{ action: 'hide', actorId: null }],
    })
    // Until approved, the new talk goes by a neutral title; its host sees the one awaiting review.
    const [row] = await rawSql()<{ title: string }[]>`select title from talks where id = ${id}`
    expect(row.title).toBe(PLACEHOLDER_TITLE)
    expect(await myPendingText(host.id, 'talk', id)).toEqual({ text: 'Guaranteed weight loss', state: 'hidden' })
    await decideItem(asStaff(keeper), 'talk', id, { action: 'dismiss', reason: 'A trial’s name.' })
    const [after] = await rawSql()<{ title: string }[]>`select title from talks where id = ${id}`
    expect(after.title).toBe('Guaranteed weight loss')
  })

  it('a held club description leaves the one before on show until approved', async () => {
    await watch('miracle', 'hold')
    const edited = await updateClub(as(host), club.slug, { name: club.name, slug: club.slug, description: 'Miracle cures weekly', specialities: [], visibility: 'public' })
    expect(edited).toMatchObject({ held: true })
    const [row] = await rawSql()<{ description: string }[]>`select description from clubs where id = ${club.id}`
    expect(row.description).not.toContain('Miracle')
    expect(await myPendingText(host.id, 'club', club.id)).toEqual({ text: 'Miracle cures weekly', state: 'hidden' })
  })
})
