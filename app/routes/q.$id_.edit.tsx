import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { PublicError } from '#db/errors'
import {
  IMAGE_ALT_MAX,
  QuizNotReady,
  addQuizQuestion,
  duplicateQuizQuestion,
  getQuizEditor,
  moveQuizQuestion,
  publishQuiz,
  quizLimits,
  removeQuizQuestion,
  saveQuizDetails,
  saveQuizQuestion,
  type ImageChange,
  type QuizProblem,
} from '#db/quizzes'
import { QUIZ_IMAGE_MAX_BYTES, deleteQuizImage, storeQuizImage } from '#server/quiz-images'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { FieldErrors, inputClass } from '~/components/forms'
import { IntentButton, MAX_OPTION_INPUTS, QuestionForm, QuestionList, type QuestionErrors } from '~/components/quiz-editor'
import { deadlineFromForm, deadlineInput, QuizSettingsFields } from '~/components/quiz-settings'
import { requireUser } from '~/utils/auth.server'
import { orErrorPage } from '~/utils/club-forms'
import { FormPartTooLargeError, readUploadForm } from '~/utils/form.server'
import { useTimeZone } from '~/utils/time-zone'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Writing “${data.editor.quiz.title}” — Rounds` : 'Quiz not found — Rounds' },
  { name: 'robots', content: 'noindex' },
]

const kindNames = { quiz: 'Quiz', poll: 'Poll', survey: 'Survey' } as const

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const id = params.id ?? ''
  const editor = await orErrorPage(
    getQuizEditor(viewer, id).catch((error: unknown) => {
      // Published already: its page is where it lives now.
      if (error instanceof PublicError && error.status === 409) throw redirect(`/q/${id}`)
      throw error
    }),
  )
  const wanted = new URL(request.url).searchParams.get('question')
  const current = editor.questions.find((q) => q.id === wanted) ?? editor.questions[0] ?? null
  const { prompt, minSeconds, maxSeconds, maxPoints, title, maxStreakBonus } = quizLimits
  return json({ editor, currentId: current?.id ?? null, limits: { prompt, minSeconds, maxSeconds, maxPoints, imageAlt: IMAGE_ALT_MAX, title, maxStreakBonus } })
}

type ActionData = {
  /** The question the message is about, if any. */
  questionId: string | null
  /** Field name → messages; '' holds messages about the whole step. */
  error: QuestionErrors
  /** The question form as sent, to fill it in again. */
  values: Record<string, string> | null
  problems: QuizProblem[]
  /** The title and settings form as sent, when it was refused. */
  details?: Record<string, string>
}

const refusal = (status: number, message: string, extra: Partial<ActionData> = {}) =>
  json<ActionData>({ questionId: null, error: { '': [message] }, values: null, problems: [], ...extra }, { status })

const editUrl = (quizId: string, questionId?: string | null, saved = false) =>
  `/q/${quizId}/edit${questionId ? `?question=${questionId}${saved ? '&saved=1' : ''}` : ''}`

/** The question form's text fields as sent; files are left out. */
function sentValues(form: FormData) {
  const values: Record<string, string> = {}
  for (const [key, value] of form) if (typeof value === 'string' && key !== 'intent') values[key] = value
  return values
}

/** Options as written: blank inputs left out, "correct" ticks kept with their option. */
function sentOptions(form: FormData) {
  const options: { label: string; correct: boolean }[] = []
  for (let i = 0; i < MAX_OPTION_INPUTS; i++) {
    const label = form.get(`options[${i}].label`)
    if (typeof label === 'string' && label.trim() !== '') options.push({ label, correct: form.get(`options[${i}].correct`) === 'on' })
  }
  return options
}

const text = (form: FormData, name: string) => {
  const value = form.get(name)
  return typeof value === 'string' ? value : undefined
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const quizId = params.id ?? ''
  const form = await readUploadForm(request, { image: QUIZ_IMAGE_MAX_BYTES })
  if (form instanceof FormPartTooLargeError) {
    return form.isFile
      ? json<ActionData>({ questionId: null, error: { image: ['The image must be 5 MB or smaller.'] }, values: null, problems: [] }, { status: 413 })
      : refusal(413, 'That is far more text than a question can hold.')
  }
  const intent = form.get('intent')
  const questionId = text(form, 'questionId') ?? null
  let stored: string | null = null
  try {
    switch (intent) {
      case 'add-question': {
        const { id } = await addQuizQuestion(viewer, quizId, form.get('kind'))
        return redirect(editUrl(quizId, id))
      }
      case 'save-question': {
        const input = {
          kind: text(form, 'kind'),
          prompt: text(form, 'prompt') ?? '',
          explanation: text(form, 'explanation'),
          timeLimitSeconds: text(form, 'timeLimitSeconds') || undefined,
          points: text(form, 'points') || undefined,
          ratingMax: text(form, 'ratingMax') || undefined,
          trueFalse: text(form, 'trueFalse'),
          imageAlt: text(form, 'imageAlt'),
          options: sentOptions(form),
        }
        const file = form.get('image')
        let image: ImageChange = form.get('removeImage') === 'on' ? 'remove' : null
        if (file instanceof Blob && file.size > 0) {
          // Checked before the file is stored, so a refused question leaves no file behind.
          if (!input.imageAlt?.trim()) {
            throw new PublicError('Describe the image in a few words (alt text), for people who cannot see it.', 400, 'imageAlt')
          }
          stored = await storeQuizImage(new Uint8Array(await file.arrayBuffer()))
          image = { path: stored }
        }
        const { unusedImage } = await saveQuizQuestion(viewer, quizId, questionId, input, image)
        stored = null
        await deleteQuizImage(unusedImage)
        return redirect(editUrl(quizId, questionId, true))
      }
      case 'details': {
        const deadline = deadlineFromForm(form.get('deadline') || null, form.get('timeZone'))
        if (!deadline.ok) throw new PublicError(deadline.message, 400, 'deadline')
        await saveQuizDetails(viewer, quizId, {
          title: text(form, 'title') ?? '',
          anonymous: form.get('anonymous') === 'on',
          speedScoring: form.get('speedScoring') === 'on',
          streakBonus: text(form, 'streakBonus') || undefined,
          deadline: deadline.value,
        })
        return redirect(`${editUrl(quizId, questionId)}${questionId ? '&' : '?'}settings=saved`)
      }
      case 'move-up':
      case 'move-down':
        await moveQuizQuestion(viewer, quizId, questionId, intent === 'move-up' ? 'up' : 'down')
        return redirect(editUrl(quizId, questionId))
      case 'duplicate': {
        const { id } = await duplicateQuizQuestion(viewer, quizId, questionId)
        return redirect(editUrl(quizId, id))
      }
      case 'remove': {
        const { unusedImage } = await removeQuizQuestion(viewer, quizId, questionId)
        await deleteQuizImage(unusedImage)
        return redirect(editUrl(quizId))
      }
      case 'publish': {
        const { id, talkId } = await publishQuiz(viewer, quizId)
        return redirect(talkId ? `/t/${talkId}/live` : `/q/${id}`)
      }
      default:
        return refusal(400, 'We did not understand that button. Reload the page and try again.')
    }
  } catch (error) {
    await deleteQuizImage(stored)
    if (error instanceof QuizNotReady) return refusal(400, 'The quiz is not ready to publish yet.', { problems: error.problems })
    if (!(error instanceof PublicError)) throw error
    const field = error.field?.replace(/^options\.\d+\..*$/, 'options') ?? ''
    return json<ActionData>(
      {
        questionId,
        error: { [field]: [error.message] },
        values: intent === 'save-question' ? sentValues(form) : null,
        problems: [],
        ...(intent === 'details' ? { details: sentValues(form) } : {}),
      },
      { status: error.status },
    )
  }
}

export default function EditQuizRoute() {
  const { editor, currentId, limits } = useLoaderData<typeof loader>()
  const data = useActionData<typeof action>()
  const navigation = useNavigation()
  const [search] = useSearchParams()
  const pending = navigation.state !== 'idle'
  const { quiz, questions, kinds } = editor
  const current = questions.find((q) => q.id === currentId) ?? null
  const forCurrent = data && data.questionId === currentId && data.values ? data : null
  const problems = data?.problems.length ? data.problems : editor.problems
  const detailsRefused = data?.details ?? null
  const stepError = data && !forCurrent && !detailsRefused ? Object.values(data.error).flatMap((m) => m ?? []) : null
  const zone = useTimeZone()
  const detailsValue = (name: string, stored: string) => (detailsRefused ? (detailsRefused[name] ?? '') : stored)
  const detailsErrors = (name: string) => (detailsRefused ? (data?.error[name] ?? null) : null)

  return (
    <div className="mx-auto max-w-3xl space-y-4">
      <header>
        <p className="text-sm text-slate-600">
          <Link to={`/c/${quiz.club.slug}`} className="hover:underline">
            {quiz.club.name}
          </Link>{' '}
          · {kindNames[quiz.kind]} · draft: members see nothing until you publish
        </p>
        <h1 className="text-2xl font-semibold">{quiz.title}</h1>
        <details
          open={detailsRefused ? true : undefined}
          className="mt-1 open:rounded-xl open:border open:border-slate-200 open:bg-white open:p-4 open:shadow-sm"
          data-testid="quiz-details"
        >
          <summary className="cursor-pointer text-sm font-medium text-brand-700">Title and settings</summary>
          <Form method="post" className="mt-3 space-y-3" noValidate>
            {currentId ? <input type="hidden" name="questionId" value={currentId} /> : null}
            <div>
              <label className="block text-sm font-medium text-slate-800">
                Title
                <input
                  name="title"
                  type="text"
                  maxLength={limits.title + 20}
                  defaultValue={detailsValue('title', quiz.title)}
                  aria-invalid={detailsErrors('title') ? true : undefined}
                  className={inputClass}
                />
              </label>
              <FieldErrors id="details-title-error" errors={detailsErrors('title')} />
            </div>
            <QuizSettingsFields
              kind={quiz.kind}
              live={quiz.talkId !== null}
              zone={zone}
              values={{
                anonymous: detailsRefused ? detailsRefused.anonymous === 'on' : quiz.anonymous,
                deadline: detailsValue('deadline', deadlineInput(quiz.deadline, zone)),
                speedScoring: detailsRefused ? detailsRefused.speedScoring === 'on' : quiz.speedScoring,
                streakBonus: detailsValue('streakBonus', String(quiz.streakBonus)),
              }}
              errorsFor={detailsErrors}
              maxStreakBonus={limits.maxStreakBonus}
            />
            <FieldErrors id="details-error" errors={detailsErrors('')} focus />
            <IntentButton intent="details" pending={pending}>
              Save title and settings
            </IntentButton>
          </Form>
        </details>
      </header>
      {search.get('settings') === 'saved' && !detailsRefused ? (
        <p role="status" className="text-sm text-green-800">
          Title and settings saved.
        </p>
      ) : null}
      {stepError?.length ? <FieldErrors id="step-error" errors={stepError} /> : null}
      <QuestionList questions={questions} currentId={currentId} problems={editor.problems} kinds={kinds} pending={pending} />
      {current ? (
        <QuestionForm
          key={current.id}
          question={current}
          total={questions.length}
          quizKind={quiz.kind}
          live={quiz.talkId !== null}
          kinds={kinds}
          errors={forCurrent?.error ?? {}}
          sent={forCurrent?.values ?? null}
          limits={limits}
          pending={pending}
          notice={
            search.get('saved') === '1' && !forCurrent ? (
              <p role="status" className="mt-1 text-sm text-green-800">
                Saved.
              </p>
            ) : null
          }
        />
      ) : null}
      <section aria-labelledby="publish-heading" className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
        <h2 id="publish-heading" className="text-sm font-semibold text-slate-800">
          {quiz.talkId ? 'Ready for the talk?' : 'Ready?'}
        </h2>
        {problems.length ? (
          <div role={data?.problems.length ? 'alert' : undefined}>
            <ul className="mt-1 list-disc space-y-0.5 pl-5 text-sm text-amber-800" data-testid="publish-problems">
              {problems.map((p) => (
                <li key={p.message}>{p.message}</li>
              ))}
            </ul>
          </div>
        ) : (
          <p className="mt-1 text-sm text-slate-600">
            {quiz.talkId ? 'Publishing hands it to the talk’s room, where its hosts launch it.' : 'Publishing opens it to the club’s members at once.'}
          </p>
        )}
        <Form method="post" className="mt-3">
          <IntentButton intent="publish" pending={pending}>
            Publish
          </IntentButton>
        </Form>
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
