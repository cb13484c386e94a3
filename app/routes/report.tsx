import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Link, useActionData } from '@remix-run/react'
import { z } from 'zod'
import { PublicError } from '#db/errors'
import { reportItem } from '#db/moderation/index'
import { DETAILS_MAX, chosenReasons, moderationKinds } from '#db/moderation/reasons'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { requireUser, safeRedirectPath } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'

export const meta: MetaFunction = () => [{ title: 'Report — Rounds' }, { name: 'robots', content: 'noindex' }]

const Report = z.object({
  kind: z.enum(moderationKinds, { errorMap: () => ({ message: 'Say what you are reporting.' }) }),
  id: z.string({ required_error: 'Say what you are reporting.' }).max(100, 'Say what you are reporting.'),
  reason: z.enum(chosenReasons, { errorMap: () => ({ message: 'Choose why you are reporting it.' }) }),
  details: z.string().max(DETAILS_MAX, `Keep the details under ${DETAILS_MAX} characters.`).optional(),
  back: z.string().max(500).optional(),
})

/** Reports are sent here by the report forms; the page itself only answers them (its loader runs after the action, too). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  requireUser(context, request)
  return json({ ok: true })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const form = Object.fromEntries(await readForm(request))
  const back = safeRedirectPath(form.back, '/')
  const parsed = Report.safeParse(form)
  if (!parsed.success) return json({ ok: false, message: parsed.error.issues[0].message, back }, { status: 400 })
  try {
    const { kind, id } = parsed.data
    // A profile's form names the person by handle.
    const { held } = await reportItem(viewer, { ...parsed.data, ...(kind === 'person' ? { handle: id } : {}) })
    const message = held
      ? 'Thank you. It is hidden from everyone but its author until a moderator decides.'
      : 'Thank you. A moderator will look at it; you can follow your report in Settings → Moderation.'
    return json({ ok: true, message, back })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ ok: false, message: error.message, back }, { status: error.status })
  }
}

export default function ReportRoute() {
  const reply = useActionData<typeof action>()
  return (
    <section className="mx-auto max-w-lg rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h1 className="text-2xl font-semibold">Report</h1>
      {reply ? (
        <p role={reply.ok ? 'status' : 'alert'} className={`mt-4 rounded-md p-3 ${reply.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
          {reply.message}
        </p>
      ) : (
        <p className="mt-4 text-slate-700">To report something, use Report beside it: on a profile, a talk, a club, or a comment or question in a live room.</p>
      )}
      <p className="mt-4 flex gap-4">
        <Link to={reply?.back ?? '/'} className="font-semibold text-brand-700 hover:underline">
          Go back
        </Link>
        <Link to="/settings/moderation" className="text-brand-700 hover:underline">
          Your reports
        </Link>
      </p>
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
