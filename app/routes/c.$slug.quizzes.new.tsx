import { parseWithZod } from '@conform-to/zod'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { useState } from 'react'
import { z, type RefinementCtx } from 'zod'
import { PublicError } from '#db/errors'
import { QuizDraftSchema, createQuiz, getQuizAuthoring, quizLimits } from '#db/quizzes'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { FieldErrors, SubmitButton, inputClass } from '~/components/forms'
import { requireUser } from '~/utils/auth.server'
import { orErrorPage } from '~/utils/club-forms'
import { readForm } from '~/utils/form.server'
import { isUtc, UTC, zonedInputError, zonedTimeToMoment, zoneName } from '~/utils/time'
import { useTimeZone } from '~/utils/time-zone'

export const meta: MetaFunction = () => [{ title: 'New quiz or poll — Rounds' }, { name: 'robots', content: 'noindex' }]

const FIRST_QUESTIONS = 3
const OPTION_INPUTS = 6
// Far above any real quiz (50 questions of 500 characters); a bigger body is refused unread.
const MAX_BODY_BYTES = 256 * 1024

type Raw = Record<string, unknown>
const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v)
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])
const filled = (v: unknown) => typeof v === 'string' && v.trim() !== ''
const checked = (v: unknown) => v === 'on' || v === true

/**
 * The form's shape → the draft's shape, before the draft schema (db/quizzes.ts) checks it:
 * unchecked boxes mean false, blank option inputs and trailing blank question blocks are
 * left out, a true/false answer becomes the two options, and a deadline is read in the zone the
 * form was shown in (its hidden `timeZone`; UTC without one).
 */
function draftFromForm(raw: unknown, ctx: RefinementCtx) {
  if (!isRecord(raw)) return raw
  const questions = list(raw.questions).map((q) => {
    if (!isRecord(q)) return q
    const { trueFalse, options, ...rest } = q
    const marked =
      q.kind === 'true_false'
        ? trueFalse === 'true' || trueFalse === 'false'
          ? [
              { label: 'True', correct: trueFalse === 'true' },
              { label: 'False', correct: trueFalse === 'false' },
            ]
          : []
        : list(options)
            .filter((o) => isRecord(o) && filled(o.label))
            .map((o) => ({ label: (o as Raw).label, correct: checked((o as Raw).correct) }))
    return { ...rest, options: marked }
  })
  const blank = (q: unknown) => isRecord(q) && !filled(q.prompt) && !filled(q.explanation) && list(q.options).length === 0
  while (questions.length > 1 && blank(questions[questions.length - 1])) questions.pop()
  let deadline = raw.deadline
  if (typeof deadline === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(deadline)) {
    const zone = typeof raw.timeZone === 'string' && raw.timeZone ? raw.timeZone : UTC
    const input = zonedTimeToMoment(deadline.slice(0, 10), deadline.slice(11), zone)
    if (input.ok) deadline = input.moment.toISOString()
    else {
      ctx.addIssue({ code: 'custom', path: ['deadline'], message: zonedInputError(input, zone) ?? '' })
      deadline = undefined
    }
  }
  const { timeZone: _zone, ...fields } = raw
  return {
    ...fields,
    anonymous: checked(raw.anonymous),
    speedScoring: checked(raw.speedScoring),
    deadline,
    questions,
  }
}

const QuizFormSchema = z.preprocess(draftFromForm, QuizDraftSchema)

type ActionData = {
  /** What was sent, to fill the form in again. */
  values: Raw | null
  /** Conform's shape: field name → messages; '' holds messages about the whole form. */
  error: Record<string, string[] | null>
  questionCount: number
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const talkId = new URL(request.url).searchParams.get('talk')
  const authoring = await orErrorPage(getQuizAuthoring(viewer, params.slug ?? '', talkId))
  const { title, questions, maxStreakBonus, minSeconds, maxSeconds, maxPoints } = quizLimits
  return json({ ...authoring, limits: { title, questions, maxStreakBonus, minSeconds, maxSeconds, maxPoints } })
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  if (Number(request.headers.get('content-length') ?? 0) > MAX_BODY_BYTES) {
    return json<ActionData>({ values: null, error: { '': ['This quiz is too long to save. Shorten the longest texts.'] }, questionCount: FIRST_QUESTIONS }, { status: 400 })
  }
  const formData = await readForm(request)
  const sentCount = Number(formData.get('questionCount'))
  const questionCount = Number.isInteger(sentCount) ? Math.min(Math.max(sentCount, 1), quizLimits.questions) : FIRST_QUESTIONS
  const submission = parseWithZod(formData, { schema: QuizFormSchema })
  const values = isRecord(submission.payload) ? submission.payload : null

  if (formData.get('intent') === 'add-question') {
    if (questionCount >= quizLimits.questions) {
      return json<ActionData>({ values, error: { '': [`A quiz has at most ${quizLimits.questions} questions.`] }, questionCount }, { status: 400 })
    }
    return json<ActionData>({ values, error: {}, questionCount: questionCount + 1 })
  }
  if (submission.status !== 'success') {
    return json<ActionData>({ values, error: submission.error ?? { '': ['Check the quiz and try again.'] }, questionCount }, { status: 400 })
  }
  try {
    const { id } = await createQuiz(viewer, params.slug ?? '', submission.value)
    return redirect(submission.value.talkId ? `/t/${submission.value.talkId}/live` : `/q/${id}`)
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json<ActionData>({ values, error: { '': [error.message] }, questionCount }, { status: error.status })
  }
}

/** A submitted value by its conform path, such as ['questions', 1, 'options', 0, 'label']. */
function valueAt(values: Raw | null, path: (string | number)[]): string {
  let at: unknown = values
  for (const key of path) {
    if (typeof key === 'number') at = Array.isArray(at) ? at[key] : undefined
    else at = isRecord(at) ? at[key] : undefined
  }
  return typeof at === 'string' ? at : ''
}

const kindLabels = { quiz: 'Quiz (scored, with a leaderboard)', poll: 'Poll (no right answers)', survey: 'Survey (ratings and free text too)' } as const
const questionKindLabels = {
  single: 'One answer',
  multiple: 'Several answers',
  true_false: 'True or false',
  rating: 'Rating (surveys)',
  text: 'Free text (surveys)',
} as const

export default function NewQuizRoute() {
  const { club, talk, limits } = useLoaderData<typeof loader>()
  const data = useActionData<typeof action>()
  const zone = useTimeZone()
  const navigation = useNavigation()
  const values = data?.values ?? null
  const errors = data?.error ?? {}
  const questionCount = data?.questionCount ?? FIRST_QUESTIONS
  const sent = (name: string, fallback = '') => (values ? valueAt(values, [name]) : fallback)
  const errorsFor = (name: string) => errors[name] ?? null
  /** Messages about a question's options, including any about one of them. */
  const optionErrors = (i: number) =>
    Object.entries(errors)
      .filter(([key]) => key === `questions[${i}].options` || key.startsWith(`questions[${i}].options[`))
      .flatMap(([, messages]) => messages ?? [])
  const [kind, setKind] = useState(sent('kind', 'quiz') || 'quiz')

  return (
    <div className="mx-auto max-w-3xl">
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <h1 className="text-2xl font-semibold">New quiz or poll</h1>
        <p className="mt-2 text-slate-600">
          {talk
            ? `For “${talk.title}” in ${club.name}. You run it live from the talk’s room, one question at a time.`
            : `In ${club.name}. Members take it at their own pace until the deadline or until you close it.`}
        </p>
        <Form method="post" className="mt-6 space-y-6" noValidate>
          <input type="hidden" name="questionCount" value={questionCount} />
          {talk ? <input type="hidden" name="talkId" value={talk.id} /> : null}

          <div>
            <label htmlFor="quiz-kind" className="block text-sm font-medium text-slate-800">
              Kind
            </label>
            <select id="quiz-kind" name="kind" defaultValue={kind} onChange={(e) => setKind(e.currentTarget.value)} className={inputClass}>
              {Object.entries(kindLabels).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
            <FieldErrors id="kind-error" errors={errorsFor('kind')} />
          </div>
          <div>
            <label className="block text-sm font-medium text-slate-800">
              Title
              <input name="title" type="text" defaultValue={sent('title')} aria-invalid={errorsFor('title') ? true : undefined} className={inputClass} />
            </label>
            <p className="mt-1 text-xs text-slate-500">3 to {limits.title} characters.</p>
            <FieldErrors id="title-error" errors={errorsFor('title')} />
          </div>

          <fieldset className="space-y-3 rounded-md border border-slate-200 p-4">
            <legend className="px-1 text-sm font-medium text-slate-800">Settings</legend>
            {kind !== 'quiz' ? (
              <label className="flex items-center gap-2 text-sm text-slate-700">
                <input name="anonymous" type="checkbox" defaultChecked={values ? sent('anonymous') === 'on' : false} />
                Anonymous: results and exports never name who answered
              </label>
            ) : null}
            <FieldErrors id="anonymous-error" errors={errorsFor('anonymous')} />
            {talk ? null : (
              <div>
                <label className="block text-sm text-slate-700">
                  Deadline ({isUtc(zone) ? 'UTC' : `your time, ${zoneName(zone)}`}, optional)
                  <input name="deadline" type="datetime-local" defaultValue={sent('deadline')} className={inputClass} />
                </label>
                <input type="hidden" name="timeZone" value={zone} />
                <FieldErrors id="deadline-error" errors={errorsFor('deadline')} />
              </div>
            )}
            {kind === 'quiz' ? (
              <>
                <label className="flex items-center gap-2 text-sm text-slate-700">
                  <input name="speedScoring" type="checkbox" defaultChecked={values ? sent('speedScoring') === 'on' : true} />
                  Speed scoring: faster correct answers earn more (live runs)
                </label>
                <div>
                  <label className="block text-sm text-slate-700">
                    Streak bonus (points per correct answer in a row; 0 for none)
                    <input name="streakBonus" type="number" min={0} max={limits.maxStreakBonus} defaultValue={sent('streakBonus', '0')} className={inputClass} />
                  </label>
                  <FieldErrors id="streakBonus-error" errors={errorsFor('streakBonus')} />
                </div>
              </>
            ) : null}
          </fieldset>

          <FieldErrors id="questions-error" errors={errorsFor('questions')} />
          {Array.from({ length: questionCount }, (_, i) => {
            const name = (field: string) => `questions[${i}].${field}`
            const value = (...path: (string | number)[]) => valueAt(values, ['questions', i, ...path])
            return (
              <fieldset key={i} className="space-y-3 rounded-md border border-slate-200 p-4" data-testid={`question-${i + 1}`}>
                <legend className="px-1 text-sm font-semibold text-slate-800">Question {i + 1}</legend>
                <div>
                  <label className="block text-sm text-slate-700">
                    Question
                    <textarea name={name('prompt')} rows={2} defaultValue={value('prompt')} className={inputClass} />
                  </label>
                  <FieldErrors id={`q${i}-prompt-error`} errors={errorsFor(name('prompt'))} />
                </div>
                <div>
                  <label className="block text-sm text-slate-700">
                    Kind of question
                    <select name={name('kind')} defaultValue={value('kind') || 'single'} className={inputClass}>
                      {Object.entries(questionKindLabels).map(([k, label]) => (
                        <option key={k} value={k}>
                          {label}
                        </option>
                      ))}
                    </select>
                  </label>
                  <FieldErrors id={`q${i}-kind-error`} errors={errorsFor(name('kind'))} />
                </div>
                <div>
                  <p className="text-sm text-slate-700">Options (leave unused ones empty; tick the correct ones in a quiz)</p>
                  <ul className="mt-1 space-y-1">
                    {Array.from({ length: OPTION_INPUTS }, (_, j) => (
                      <li key={j} className="flex items-center gap-2">
                        <input
                          name={name(`options[${j}].label`)}
                          type="text"
                          aria-label={`Question ${i + 1}, option ${j + 1}`}
                          defaultValue={value('options', j, 'label')}
                          className={`${inputClass} mt-0`}
                        />
                        <label className="flex shrink-0 items-center gap-1 text-sm text-slate-700">
                          <input name={name(`options[${j}].correct`)} type="checkbox" defaultChecked={value('options', j, 'correct') === 'on'} />
                          Correct
                          <span className="sr-only">{`, question ${i + 1}, option ${j + 1}`}</span>
                        </label>
                      </li>
                    ))}
                  </ul>
                  <label className="mt-2 block text-sm text-slate-700">
                    True or false questions: the statement is
                    <select name={name('trueFalse')} defaultValue={value('trueFalse')} className={inputClass}>
                      <option value="">Choose</option>
                      <option value="true">True</option>
                      <option value="false">False</option>
                    </select>
                  </label>
                  <FieldErrors id={`q${i}-options-error`} errors={optionErrors(i)} />
                </div>
                <div>
                  <label className="block text-sm text-slate-700">
                    Explanation, shown after answering (optional)
                    <textarea name={name('explanation')} rows={2} defaultValue={value('explanation')} className={inputClass} />
                  </label>
                  <FieldErrors id={`q${i}-explanation-error`} errors={errorsFor(name('explanation'))} />
                </div>
                <div className="grid gap-3 sm:grid-cols-2">
                  <div>
                    <label className="block text-sm text-slate-700">
                      Time limit in seconds (live)
                      <input
                        name={name('timeLimitSeconds')}
                        type="number"
                        min={limits.minSeconds}
                        max={limits.maxSeconds}
                        defaultValue={value('timeLimitSeconds') || '30'}
                        className={inputClass}
                      />
                    </label>
                    <FieldErrors id={`q${i}-time-error`} errors={errorsFor(name('timeLimitSeconds'))} />
                  </div>
                  <div>
                    <label className="block text-sm text-slate-700">
                      Points (quizzes)
                      <input name={name('points')} type="number" min={0} max={limits.maxPoints} defaultValue={value('points') || '1000'} className={inputClass} />
                    </label>
                    <FieldErrors id={`q${i}-points-error`} errors={errorsFor(name('points'))} />
                  </div>
                </div>
              </fieldset>
            )
          })}

          <FieldErrors id="form-error" errors={errorsFor('')} />
          <div className="flex flex-wrap items-center gap-3">
            <SubmitButton pending={navigation.state === 'submitting'}>Create</SubmitButton>
            {questionCount < limits.questions ? (
              <button
                type="submit"
                name="intent"
                value="add-question"
                formNoValidate
                className="rounded-md border border-slate-300 px-4 py-2 font-semibold text-slate-800 hover:bg-slate-50"
              >
                Add question
              </button>
            ) : null}
          </div>
        </Form>
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
