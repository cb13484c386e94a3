import { Form, Link } from '@remix-run/react'
import { useState, type ReactNode } from 'react'
import type { EditorQuestion, QuizProblem } from '#db/quizzes'
import { FieldErrors, inputClass } from '~/components/forms'

/*
 * The pieces of the quiz editor (/q/:id/edit): the list of questions with their buttons, and the
 * form of the one question being written, showing only the fields its kind uses. Every button is a
 * plain submit with an `intent`, so the editor works without JavaScript; with it, changing a
 * question's kind shows that kind's fields at once instead of after saving.
 */

type QuestionKind = EditorQuestion['kind']
type QuizKind = 'quiz' | 'poll' | 'survey'

export const questionKindLabels: Record<QuestionKind, string> = {
  single: 'One answer',
  multiple: 'Several answers',
  true_false: 'True or false',
  rating: 'Rating',
  text: 'Free text',
}

/** The most option inputs a question shows: two empty ones after those written, at least four, at most ten. */
export const MAX_OPTION_INPUTS = 10
const optionInputs = (written: number) => Math.min(MAX_OPTION_INPUTS, Math.max(4, written + 2))

const firstWords = (text: string, words = 8) => {
  const all = text.trim().split(/\s+/).filter(Boolean)
  return all.length > words ? `${all.slice(0, words).join(' ')}…` : all.join(' ')
}

/** The main button of a step: a plain submit carrying its `intent`, so the step works without JavaScript. */
export function IntentButton({ intent, pending, children }: { intent: string; pending: boolean; children: ReactNode }) {
  return (
    <button
      type="submit"
      name="intent"
      value={intent}
      disabled={pending}
      className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700 disabled:opacity-60"
    >
      {children}
    </button>
  )
}

const smallButton =
  'inline-flex h-8 min-w-8 items-center justify-center rounded-md border border-slate-300 px-2 text-sm text-slate-700 hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-40'

/** Errors for one field of the question form, including those about any of its parts ("options.2.label"). */
export type QuestionErrors = Record<string, string[] | null>
const errorsAt = (errors: QuestionErrors, field: string) =>
  Object.entries(errors)
    .filter(([key]) => key === field || key.startsWith(`${field}.`))
    .flatMap(([, messages]) => messages ?? [])

export function QuestionList({
  questions,
  currentId,
  problems,
  kinds,
  pending,
}: {
  questions: EditorQuestion[]
  currentId: string | null
  problems: QuizProblem[]
  kinds: readonly QuestionKind[]
  pending: boolean
}) {
  const flagged = new Set(problems.map((p) => p.questionId))
  return (
    <section aria-labelledby="questions-heading" className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <h2 id="questions-heading" className="text-sm font-semibold text-slate-800">
        Questions ({questions.length})
      </h2>
      {questions.length === 0 ? <p className="mt-2 text-sm text-slate-600">No questions yet. Choose a kind and add the first one.</p> : null}
      <ol className="mt-2 divide-y divide-slate-100" data-testid="question-list">
        {questions.map((q, i) => {
          const current = q.id === currentId
          return (
            <li key={q.id} className={`flex items-center gap-2 py-1.5 ${current ? 'rounded-md bg-brand-50' : ''}`} data-testid="question-row">
              <Link
                to={`?question=${q.id}`}
                aria-current={current ? 'step' : undefined}
                className="min-w-0 flex-1 truncate px-1 text-sm text-slate-800 hover:underline"
                preventScrollReset
              >
                <span className="font-semibold">{q.position}.</span> <span className="text-xs text-slate-500">{questionKindLabels[q.kind]}</span>{' '}
                {q.prompt ? firstWords(q.prompt) : <em className="text-slate-500">not written yet</em>}
                {flagged.has(q.id) ? <span className="text-amber-700"> · needs attention</span> : null}
              </Link>
              <Form method="post" className="flex shrink-0 gap-1" preventScrollReset>
                <input type="hidden" name="questionId" value={q.id} />
                <button type="submit" name="intent" value="move-up" className={smallButton} disabled={pending || i === 0} aria-label={`Move question ${q.position} up`}>
                  ↑
                </button>
                <button
                  type="submit"
                  name="intent"
                  value="move-down"
                  className={smallButton}
                  disabled={pending || i === questions.length - 1}
                  aria-label={`Move question ${q.position} down`}
                >
                  ↓
                </button>
                <button type="submit" name="intent" value="duplicate" className={smallButton} disabled={pending} aria-label={`Duplicate question ${q.position}`}>
                  Copy
                </button>
                <button type="submit" name="intent" value="remove" className={smallButton} disabled={pending} aria-label={`Remove question ${q.position}`}>
                  ✕
                </button>
              </Form>
            </li>
          )
        })}
      </ol>
      <Form method="post" className="mt-3 flex flex-wrap items-end gap-2">
        <label className="block text-sm text-slate-700">
          Kind of new question
          <select name="kind" defaultValue={kinds[0]} className={`${inputClass} py-1.5`}>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {questionKindLabels[k]}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" name="intent" value="add-question" disabled={pending} className="rounded-md border border-slate-300 px-3 py-2 text-sm font-semibold text-slate-800 hover:bg-slate-50">
          Add question
        </button>
      </Form>
    </section>
  )
}

/** What the form was sent with, to fill it in again after a refusal; null to show the saved question. */
export type SentValues = Record<string, string> | null

export function QuestionForm({
  question,
  total,
  quizKind,
  live,
  kinds,
  errors,
  sent,
  limits,
  pending,
  notice,
}: {
  question: EditorQuestion
  total: number
  quizKind: QuizKind
  live: boolean
  kinds: readonly QuestionKind[]
  errors: QuestionErrors
  sent: SentValues
  limits: { prompt: number; minSeconds: number; maxSeconds: number; maxPoints: number; imageAlt: number }
  pending: boolean
  notice: ReactNode
}) {
  const value = (field: string, saved: string) => (sent ? (sent[field] ?? '') : saved)
  const [kind, setKind] = useState<QuestionKind>(() => {
    const k = value('kind', question.kind)
    return kinds.includes(k as QuestionKind) ? (k as QuestionKind) : question.kind
  })
  const scored = quizKind === 'quiz'
  const choice = kind === 'single' || kind === 'multiple'
  const optionCount = optionInputs(question.options.length)
  const savedMark = question.kind === 'true_false' ? (question.options.find((o) => o.correct)?.label.toLowerCase() ?? '') : ''
  const n = question.position
  const at = (field: string) => errorsAt(errors, field)

  return (
    <section aria-labelledby="question-heading" className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-6">
      <h2 id="question-heading" className="text-lg font-semibold">
        Question {n} of {total}
      </h2>
      {notice}
      <Form method="post" encType="multipart/form-data" className="mt-3 space-y-4" noValidate preventScrollReset data-testid="question-form">
        <input type="hidden" name="questionId" value={question.id} />
        <div>
          <label className="block text-sm font-medium text-slate-800">
            Kind
            <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as QuestionKind)} className={inputClass}>
              {kinds.map((k) => (
                <option key={k} value={k}>
                  {questionKindLabels[k]}
                </option>
              ))}
            </select>
          </label>
          <noscript>
            <p className="mt-1 text-xs text-slate-500">Changed the kind? Save to see its fields.</p>
          </noscript>
          <FieldErrors id="kind-error" errors={at('kind')} />
        </div>
        <div>
          {/* Labelled by id, not by wrapping: a wrapped text box's value would become part of its name. */}
          <label htmlFor="question-prompt" className="block text-sm font-medium text-slate-800">
            Question
          </label>
          <textarea
            id="question-prompt"
            name="prompt"
            rows={3}
            maxLength={limits.prompt}
            defaultValue={value('prompt', question.prompt)}
            aria-invalid={at('prompt').length ? true : undefined}
            className={inputClass}
          />
          <FieldErrors id="prompt-error" errors={at('prompt')} />
        </div>

        {choice ? (
          <fieldset>
            <legend className="text-sm font-medium text-slate-800">Options</legend>
            <p className="text-xs text-slate-500">
              {scored ? (kind === 'single' ? 'Tick the one correct answer. ' : 'Tick every correct answer. ') : ''}Empty ones are left out.
            </p>
            <ul className="mt-1 space-y-1.5">
              {Array.from({ length: optionCount }, (_, j) => {
                const saved = question.kind === 'single' || question.kind === 'multiple' ? question.options[j] : undefined
                return (
                  <li key={j} className="flex items-center gap-2">
                    <input
                      name={`options[${j}].label`}
                      type="text"
                      aria-label={`Option ${j + 1}`}
                      defaultValue={value(`options[${j}].label`, saved?.label ?? '')}
                      className={`${inputClass} mt-0`}
                    />
                    {scored ? (
                      <label className="flex shrink-0 items-center gap-1 text-sm text-slate-700">
                        <input
                          name={`options[${j}].correct`}
                          type="checkbox"
                          defaultChecked={sent ? sent[`options[${j}].correct`] === 'on' : Boolean(saved?.correct)}
                        />
                        Correct<span className="sr-only">{`, option ${j + 1}`}</span>
                      </label>
                    ) : null}
                  </li>
                )
              })}
            </ul>
            {optionCount < MAX_OPTION_INPUTS ? <p className="mt-1 text-xs text-slate-500">Need more? Save, and two more empty options appear.</p> : null}
            <FieldErrors id="options-error" errors={at('options')} />
          </fieldset>
        ) : null}

        {kind === 'true_false' && scored ? (
          <div>
            <label className="block text-sm font-medium text-slate-800">
              The statement is
              <select name="trueFalse" defaultValue={value('trueFalse', savedMark)} className={inputClass}>
                <option value="">Choose</option>
                <option value="true">True</option>
                <option value="false">False</option>
              </select>
            </label>
            <FieldErrors id="trueFalse-error" errors={at('trueFalse')} />
          </div>
        ) : null}

        {kind === 'rating' ? (
          <div>
            <label className="block text-sm font-medium text-slate-800">
              Scale from 1 to
              <input name="ratingMax" type="number" min={2} max={10} defaultValue={value('ratingMax', String(question.ratingMax))} className={inputClass} />
            </label>
            <FieldErrors id="ratingMax-error" errors={at('ratingMax')} />
          </div>
        ) : null}

        {kind === 'text' ? <p className="text-sm text-slate-600">Members answer in their own words.</p> : null}

        {scored ? (
          <div>
            <label htmlFor="question-explanation" className="block text-sm font-medium text-slate-800">
              Explanation, shown after answering (optional)
            </label>
            <textarea id="question-explanation" name="explanation" rows={2} defaultValue={value('explanation', question.explanation)} className={inputClass} />
            <FieldErrors id="explanation-error" errors={at('explanation')} />
          </div>
        ) : null}

        {scored || live ? (
          <div className="grid grid-cols-2 gap-3">
            {live ? (
              <div>
                <label className="block text-sm font-medium text-slate-800">
                  Seconds to answer
                  <input
                    name="timeLimitSeconds"
                    type="number"
                    min={limits.minSeconds}
                    max={limits.maxSeconds}
                    defaultValue={value('timeLimitSeconds', String(question.timeLimitSeconds))}
                    className={inputClass}
                  />
                </label>
                <FieldErrors id="timeLimitSeconds-error" errors={at('timeLimitSeconds')} />
              </div>
            ) : null}
            {scored ? (
              <div>
                <label className="block text-sm font-medium text-slate-800">
                  Points
                  <input name="points" type="number" min={0} max={limits.maxPoints} defaultValue={value('points', String(question.points))} className={inputClass} />
                </label>
                <FieldErrors id="points-error" errors={at('points')} />
              </div>
            ) : null}
          </div>
        ) : null}

        <fieldset className="space-y-2 rounded-md border border-slate-200 p-3">
          <legend className="px-1 text-sm font-medium text-slate-800">Image (optional)</legend>
          {question.image ? (
            <div className="flex items-start gap-3">
              <img src={question.image.url} alt={question.image.alt} className="max-h-24 max-w-[40%] rounded border border-slate-200 object-contain" />
              <label className="flex items-center gap-1 text-sm text-slate-700">
                <input type="checkbox" name="removeImage" /> Remove this image
              </label>
            </div>
          ) : null}
          <label className="block text-sm text-slate-700">
            {question.image ? 'Replace with' : 'Upload'} (JPEG, PNG, WebP or GIF, up to 5 MB)
            <input type="file" name="image" accept="image/jpeg,image/png,image/webp,image/gif" className="mt-1 block w-full text-sm" />
          </label>
          <FieldErrors id="image-error" errors={at('image')} />
          <label className="block text-sm text-slate-700">
            Alt text: what the image shows, for people who cannot see it (needed with an image)
            <input
              name="imageAlt"
              type="text"
              maxLength={limits.imageAlt}
              defaultValue={value('imageAlt', question.image?.alt ?? '')}
              aria-invalid={at('imageAlt').length ? true : undefined}
              className={inputClass}
            />
          </label>
          <FieldErrors id="imageAlt-error" errors={at('imageAlt')} />
        </fieldset>

        <FieldErrors id="question-form-error" errors={errors[''] ?? null} />
        <IntentButton intent="save-question" pending={pending}>
          Save question
        </IntentButton>
      </Form>
    </section>
  )
}
