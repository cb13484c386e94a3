import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { GRIEVANCE_MAX_CHARS, fileGrievance, getMyRequest, grievanceTopics } from '#db/data-rights/index'
import { PublicError } from '#db/errors'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { GrievanceContact } from '~/components/privacy-office'
import { requireUser } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'
import { grievanceOfficer, grievanceTopicLabels, grievanceTopicOptions } from '~/utils/privacy-office.server'
import { LocalTime } from '~/utils/time-zone'
import { text } from '~/utils/validation'

export const meta: MetaFunction = () => [{ title: 'Send a grievance — Rounds' }]

const Grievance = z.object({
  topic: z.enum(grievanceTopics, { errorMap: () => ({ message: 'Choose what your grievance is about.' }) }),
  message: text('grievance', { max: GRIEVANCE_MAX_CHARS, multiline: true }).refine((v) => v.length > 0, 'Write what your grievance is about.'),
})

const sentId = z.string().uuid()

/** The form on its own (where a refused form lands without JavaScript), or the receipt of one just sent. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { userId } = requireUser(context, request)
  const asked = new URL(request.url).searchParams.get('sent')
  const id = asked ? sentId.safeParse(asked) : null
  const sent = id?.success ? await getMyRequest(userId, id.data) : null
  return json({
    officer: grievanceOfficer(),
    topics: grievanceTopicOptions(),
    sent: sent
      ? {
          topic: grievanceTopicLabels[sent.details.topic as keyof typeof grievanceTopicLabels] ?? 'Something else',
          dueAt: sent.dueAt.toISOString(),
        }
      : null,
  })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const parsed = Grievance.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return json({ message: issue.message, field: String(issue.path[0] ?? '') }, { status: 400 })
  }
  try {
    const { id } = await fileGrievance(viewer, parsed.data)
    return redirect(`/privacy/grievance?sent=${id}`)
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ message: error.message, field: error.field ?? '' }, { status: error.status })
  }
}

export default function GrievanceRoute() {
  const { officer, topics, sent } = useLoaderData<typeof loader>()
  const error = useActionData<typeof action>()
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      {sent && !error ? (
        <section role="status" className="rounded-xl border border-brand-100 bg-brand-50 p-6 text-brand-900" data-testid="grievance-sent">
          <h1 className="text-xl font-semibold">Your grievance is with the grievance officer</h1>
          <p className="mt-2">
            About: {sent.topic}. You will have an answer by <LocalTime at={sent.dueAt} style="day" />. Follow it in{' '}
            <Link to="/settings/data" className="font-medium underline">
              Your data
            </Link>
            .
          </p>
        </section>
      ) : (
        <h1 className="text-2xl font-semibold">Send a grievance</h1>
      )}
      <GrievanceContact officer={officer} signedIn topics={topics} error={error ?? null} />
      <p className="text-sm text-slate-600">
        <Link to="/privacy" className="font-medium text-brand-700 underline">
          Back to the privacy policy
        </Link>
      </p>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
