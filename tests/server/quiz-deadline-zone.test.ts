import { describe, expect, it } from 'vitest'
import * as newQuizRoute from '../../app/routes/c.$slug.quizzes.new'
import { rawSql } from '../../db/client'
import { createDoctor, createTestClub } from '../support/factories'
import { callAction, fieldErrors, signIn } from '../support/routes'

/** A one-question poll with a deadline, as the form sends it. */
function pollForm(deadline: string, timeZone?: string): Record<string, string> {
  return {
    questionCount: '1',
    kind: 'poll',
    title: 'Which anticoagulant after TAVI?',
    deadline,
    ...(timeZone ? { timeZone } : {}),
    'questions[0].prompt': 'Your first choice?',
    'questions[0].kind': 'single',
    'questions[0].options[0].label': 'Warfarin',
    'questions[0].options[1].label': 'A DOAC',
    'questions[0].timeLimitSeconds': '30',
    'questions[0].points': '1000',
  }
}

async function world() {
  const owner = await createDoctor()
  const club = await createTestClub(owner)
  const auth = await signIn(owner.id)
  const post = (form: Record<string, string>) => callAction(newQuizRoute, { url: `/c/${club.slug}/quizzes/new`, params: { slug: club.slug }, auth, form })
  const deadlines = async () =>
    (await rawSql()<{ deadline: string }[]>`select deadline from quizzes where club_id = ${club.id}`).map((r) => new Date(r.deadline).toISOString())
  return { post, deadlines }
}

const nextYear = new Date().getUTCFullYear() + 1

describe('a quiz deadline typed into the form', () => {
  it('is read in the zone the form was shown in', async () => {
    const { post, deadlines } = await world()
    const result = await post(pollForm(`${nextYear}-01-14T19:00`, 'Europe/Stockholm'))
    expect(result.status).toBe(302)
    expect(await deadlines()).toEqual([`${nextYear}-01-14T18:00:00.000Z`])
  })

  it('is read as UTC when the form names no zone', async () => {
    const { post, deadlines } = await world()
    expect((await post(pollForm(`${nextYear}-01-14T19:00`))).status).toBe(302)
    expect(await deadlines()).toEqual([`${nextYear}-01-14T19:00:00.000Z`])
  })

  it('refuses a time the clocks skip, beside the field, and saves nothing', async () => {
    const { post, deadlines } = await world()
    const march = new Date(Date.UTC(nextYear, 2, 31))
    march.setUTCDate(31 - march.getUTCDay())
    const result = await post(pollForm(`${march.toISOString().slice(0, 10)}T02:30`, 'Europe/Stockholm'))
    expect(result.status).toBe(400)
    expect(fieldErrors(result.data, 'deadline')).toEqual([
      'That time does not happen in Europe/Stockholm: the clocks go forward past it that night. Choose another time.',
    ])
    expect(await deadlines()).toEqual([])
  })
})
