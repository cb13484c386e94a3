import { parseWithZod } from '@conform-to/zod'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { useState } from 'react'
import { z, type RefinementCtx } from 'zod'
import { PublicError } from '#db/errors'
import { QuizDetailsSchema, QuizDraftSchema, createQuiz, getQuizAuthoring, quizLimits, startQuizDraft } from '#db/quizzes'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { FieldErrors, inputClass } from '~/components/forms'
import { IntentButton } from '~/components/quiz-editor'
import { deadlineFromForm, QuizSettingsFields } from '~/components/quiz-settings'
import { requireUser } from '~/utils/auth.server'
import { orErrorPage } from '~/utils/club-forms'
import { readForm } from '~/utils/form.server'
import { useTimeZone } from '~/utils/time-zone'

export const meta: MetaFunction = () => [{ title: 'New quiz or poll — Rounds' }, { name: 'robots', content: 'noindex' }]

const FIRST_QUESTIONS = 3
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
  const read = deadlineFromForm(raw.deadline, raw.timeZone)
  if (!read.ok) ctx.addIssue({ code: 'custom', path: ['deadline'], message: read.message })
  const deadline = read.ok ? read.value : undefined
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
/** The first step of writing a quiz one question at a time: its title and settings. */
const DetailsFormSchema = z.preprocess(draftFromForm, QuizDetailsSchema)

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
  if (formData.get('intent') === 'start') {
    const details = parseWithZod(formData, { schema: DetailsFormSchema })
    const sent = isRecord(details.payload) ? details.payload : null
    if (details.status !== 'success') {
      return json<ActionData>({ values: sent, error: details.error ?? { '': ['Check the quiz and try again.'] }, questionCount: 0 }, { status: 400 })
    }
    try {
      const { id } = await startQuizDraft(viewer, params.slug ?? '', details.value)
      return redirect(`/q/${id}/edit`)
    } catch (error) {
      if (!(error instanceof PublicError)) throw error
      return json<ActionData>({ values: sent, error: { [error.field ?? '']: [error.message] }, questionCount: 0 }, { status: error.status })
    }
  }
  // The whole quiz in one post (every question's fields at once), for clients that send it so.
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

export default function NewQuizRoute() {
  const { club, talk, limits } = useLoaderData<typeof loader>()
  const data = useActionData<typeof action>()
  const zone = useTimeZone()
  const navigation = useNavigation()
  const values = data?.values ?? null
  const errors = data?.error ?? {}
  const sent = (name: string, fallback = '') => (values ? valueAt(values, [name]) : fallback)
  const errorsFor = (name: string) => errors[name] ?? null
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
        <p className="mt-1 text-sm text-slate-500">First its title and settings; then you write the questions one at a time. Nothing is shown to members until you publish.</p>
        <Form method="post" className="mt-6 space-y-6" noValidate>
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

          <QuizSettingsFields
            kind={null}
            live={Boolean(talk)}
            zone={zone}
            values={{
              anonymous: values ? sent('anonymous') === 'on' : false,
              deadline: sent('deadline'),
              speedScoring: values ? sent('speedScoring') === 'on' : true,
              streakBonus: sent('streakBonus', '0'),
            }}
            errorsFor={errorsFor}
            maxStreakBonus={limits.maxStreakBonus}
          />

          <FieldErrors id="form-error" errors={errorsFor('')} />
          <IntentButton intent="start" pending={navigation.state === 'submitting'}>
            Write the questions
          </IntentButton>
        </Form>
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
