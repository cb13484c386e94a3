import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { PublicError } from '#db/errors'
import { answerQuestion, closeQuiz, getLeaderboard, getQuestionStats, getQuizPage } from '#db/quizzes'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { requireUser } from '~/utils/auth.server'
import { orErrorPage } from '~/utils/club-forms'
import { readForm } from '~/utils/form.server'
import { LocalTime } from '~/utils/time-zone'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.page.quiz.title} — Rounds` : 'Quiz not found — Rounds' },
  { name: 'robots', content: 'noindex' },
]

const AnswerForm = z.discriminatedUnion('intent', [
  z.object({
    intent: z.literal('answer'),
    questionId: z.string().max(60),
    optionIds: z.array(z.string().max(60)).max(20).optional(),
    rating: z.coerce.number().int().optional(),
    body: z.string().optional(),
  }),
  z.object({ intent: z.literal('close') }),
])

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const page = await orErrorPage(getQuizPage(viewer, params.id ?? ''))
  const [leaderboard, stats] = await Promise.all([
    page.quiz.kind === 'quiz' ? getLeaderboard(viewer, page.quiz.id) : null,
    page.creator ? getQuestionStats(viewer, page.quiz.id) : null,
  ])
  return json({ page, leaderboard, stats })
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const form = await readForm(request)
  const parsed = AnswerForm.safeParse({
    intent: form.get('intent'),
    questionId: form.get('questionId') ?? undefined,
    optionIds: form.getAll('optionIds').map(String),
    rating: form.get('rating') ?? undefined,
    body: form.get('body') ?? undefined,
  })
  if (!parsed.success) return json({ questionId: null, error: 'That answer was not understood. Reload the page and try again.' }, { status: 400 })
  try {
    if (parsed.data.intent === 'close') {
      await closeQuiz(viewer, params.id ?? '')
      return json({ questionId: null, error: null })
    }
    const { questionId, optionIds, rating, body } = parsed.data
    await answerQuestion(viewer, questionId, { optionIds: optionIds?.length ? optionIds : undefined, rating, body })
    return json({ questionId, error: null })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ questionId: parsed.data.intent === 'answer' ? parsed.data.questionId : null, error: error.message }, { status: error.status })
  }
}

export default function QuizRoute() {
  const { page, leaderboard, stats } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const navigation = useNavigation()
  const { quiz } = page
  const mine = new Map(page.mine.map((a) => [a.questionId, a]))
  const kindLabel = { quiz: 'Quiz', poll: 'Poll', survey: 'Survey' }[quiz.kind]
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <header className="space-y-1">
        <p className="text-xs font-semibold uppercase tracking-wide text-brand-700">
          {kindLabel} ·{' '}
          <Link to={`/c/${quiz.club.slug}`} className="underline">
            {quiz.club.name}
          </Link>
        </p>
        <h1 className="text-2xl font-semibold">{quiz.title}</h1>
        <p className="text-sm text-slate-600">
          {page.accepting
            ? quiz.deadline
              ? <>Open until <LocalTime at={quiz.deadline} style="dateTime" />.</>
              : 'Open until the creator closes it.'
            : quiz.talkId
              ? 'This runs live in its talk.'
              : 'Closed: answers are no longer taken.'}
          {quiz.anonymous ? ' Anonymous: nobody sees who answered what.' : ''}
        </p>
        {quiz.kind === 'quiz' ? <p className="text-sm font-medium">Your score: {page.myPoints} points</p> : null}
      </header>

      {page.creator ? (
        <div className="flex flex-wrap gap-2">
          <a href={`/q/${quiz.id}.csv`} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-semibold">
            Export results (CSV)
          </a>
          {quiz.status === 'open' && !quiz.talkId ? (
            <Form method="post">
              <button name="intent" value="close" className="rounded-md border border-red-300 px-3 py-1.5 text-sm font-semibold text-red-800">
                Close now
              </button>
            </Form>
          ) : null}
        </div>
      ) : null}

      <ol className="space-y-4">
        {page.questions.map((q) => {
          const answer = mine.get(q.id)
          const error = result?.questionId === q.id ? result.error : null
          return (
            <li key={q.id} className="space-y-2 rounded-xl border border-slate-200 bg-white p-4" data-testid="quiz-question">
              <p className="font-medium">
                {q.position}. {q.prompt}
              </p>
              {q.imageUrl ? <img src={q.imageUrl} alt={q.imageAlt} className="max-h-64 rounded-md" data-testid="question-image" /> : null}
              {answer ? (
                <div className="text-sm" data-testid="my-answer">
                  <p>
                    Your answer:{' '}
                    {answer.body ?? (answer.rating !== null ? `${answer.rating} of ${q.ratingMax}` : q.options.filter((o) => answer.optionIds.includes(o.id)).map((o) => o.label).join(', '))}
                  </p>
                  {answer.correct !== null ? <p className={answer.correct ? 'text-emerald-700' : 'text-red-700'}>{answer.correct ? `Correct: ${answer.points} points.` : 'Not this time.'}</p> : null}
                </div>
              ) : page.accepting ? (
                <Form method="post" className="space-y-2">
                  <input type="hidden" name="intent" value="answer" />
                  <input type="hidden" name="questionId" value={q.id} />
                  {q.kind === 'text' ? (
                    <textarea name="body" required maxLength={2000} className="w-full rounded-md border border-slate-300 p-2 text-sm" aria-label="Your answer" />
                  ) : q.kind === 'rating' ? (
                    <fieldset className="flex gap-3">
                      <legend className="sr-only">Your rating</legend>
                      {Array.from({ length: q.ratingMax }, (_, i) => (
                        <label key={i} className="text-sm">
                          <input type="radio" name="rating" value={i + 1} required /> {i + 1}
                        </label>
                      ))}
                    </fieldset>
                  ) : (
                    <fieldset className="space-y-1">
                      <legend className="sr-only">Options</legend>
                      {q.options.map((o) => (
                        <label key={o.id} className="flex items-center gap-2 text-sm">
                          <input type={q.kind === 'multiple' ? 'checkbox' : 'radio'} name="optionIds" value={o.id} required={q.kind !== 'multiple'} />
                          {o.label}
                        </label>
                      ))}
                    </fieldset>
                  )}
                  <button type="submit" disabled={navigation.state !== 'idle'} className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white">
                    Send answer
                  </button>
                </Form>
              ) : null}
              {error ? (
                <p role="alert" className="text-sm text-red-700">
                  {error}
                </p>
              ) : null}
              {q.reveal ? (
                <div className="text-sm text-slate-700">
                  <p>Correct: {q.options.filter((o) => q.reveal!.correctOptionIds.includes(o.id)).map((o) => o.label).join(', ')}</p>
                  {q.reveal.explanation ? <p className="mt-1 rounded bg-emerald-50 p-2">{q.reveal.explanation}</p> : null}
                </div>
              ) : null}
            </li>
          )
        })}
      </ol>

      {leaderboard ? (
        <section aria-labelledby="board" className="space-y-2">
          <h2 id="board" className="text-lg font-semibold">
            Leaderboard
          </h2>
          <ol className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white text-sm">
            {leaderboard.top.map((e) => (
              <li key={e.handle} className="flex justify-between px-3 py-1.5" data-testid="leaderboard-row">
                <span>
                  {e.rank}. {e.name}
                </span>
                <span className="tabular-nums">{e.points}</span>
              </li>
            ))}
          </ol>
          {leaderboard.me ? (
            <p className="text-sm">
              Your rank: {leaderboard.me.rank} of {leaderboard.participants}.
            </p>
          ) : null}
        </section>
      ) : null}

      {stats ? (
        <section aria-labelledby="stats" className="space-y-2">
          <h2 id="stats" className="text-lg font-semibold">
            Statistics per question
          </h2>
          <ul className="space-y-2 text-sm">
            {stats.map((s) => (
              <li key={s.questionId} className="rounded-xl border border-slate-200 bg-white p-3">
                <p className="font-medium">
                  {s.position}. {s.prompt}
                </p>
                <p>
                  {s.answered} answered
                  {s.correct !== null ? ` · ${s.correct} correct (${s.answered ? Math.round((s.correct / s.answered) * 100) : 0}%)` : ''}
                  {s.averageSeconds !== null ? ` · ${s.averageSeconds} s on average` : ''}
                  {s.averageRating !== null ? ` · average rating ${s.averageRating}` : ''}
                </p>
                {s.options.length ? (
                  <ul className="mt-1">
                    {s.options.map((o) => (
                      <li key={o.id}>
                        {o.correct ? '✓ ' : ''}
                        {o.label}: {o.count}
                      </li>
                    ))}
                  </ul>
                ) : null}
                {s.texts.length ? (
                  <ul className="mt-1 list-disc pl-5">
                    {s.texts.map((t, i) => (
                      <li key={i}>{t}</li>
                    ))}
                  </ul>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
