import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useLocation } from '@remix-run/react'
import { emailChangeUndoState, undoEmailChange } from '#db/account-recovery'
import { PublicError } from '#db/errors'
import { EMAIL_CHANGE_UNDO_LINK, sendEmailChangeUndoneNotice } from '#server/mail/account-notices'
import { disconnectSessions } from '#server/realtime/index'
import { checkSignedLink } from '#server/signed-links'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { FormCard, SubmitButton } from '~/components/forms'
import { readForm } from '~/utils/form.server'

export const meta: MetaFunction = () => [{ title: 'Undo an email change — Rounds' }, { name: 'robots', content: 'noindex' }]

/** The change this signed link may undo; a link changed in any way opens nothing. */
function linkedChange(request: Request, id: string | undefined) {
  const check = checkSignedLink(new URL(request.url), EMAIL_CHANGE_UNDO_LINK, id ?? '')
  if (!id || check === 'invalid') throw new Response('This link is not valid.', { status: 404 })
  if (check === 'expired') throw new Response('This link has expired: a change can be undone for 7 days.', { status: 410 })
  return id
}

// Opening the link changes nothing (mail scanners open links); the button does.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const state = await emailChangeUndoState(linkedChange(request, params.id))
  if (state.status === 'unknown') throw new Response('This link is not valid.', { status: 404 })
  if (state.status === 'expired') throw new Response('This link has expired: a change can be undone for 7 days.', { status: 410 })
  return json(state)
}

export async function action({ request, params }: ActionFunctionArgs) {
  const id = linkedChange(request, params.id)
  await readForm(request)
  try {
    const undone = await undoEmailChange(id)
    disconnectSessions(undone.endedSessions)
    await sendEmailChangeUndoneNotice(undone.oldEmail)
    // Back to the same link, read afresh: the sessions just ended no longer show as signed in.
    const url = new URL(request.url)
    return redirect(url.pathname + url.search)
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ message: error.message }, { status: error.status })
  }
}

export default function UndoEmailChangeRoute() {
  const state = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const location = useLocation()
  if (state.status === 'done') {
    return (
      <FormCard title="Your email address is back">
        <p role="status" className="text-slate-700">
          <strong className="break-all">{state.oldEmail}</strong> is your sign-in email again, and every device was signed out. If someone else
          made the change, choose a new password now.
        </p>
        <Link to="/forgot-password" className="mt-4 inline-block font-medium text-brand-700 underline">
          Reset your password
        </Link>
      </FormCard>
    )
  }
  return (
    <FormCard title="Undo the email change">
      {state.status === 'open' ? (
        <p className="text-slate-700">
          The sign-in email of your Rounds account was changed from <strong className="break-all">{state.oldEmail}</strong> to{' '}
          <strong className="break-all">{state.newEmail}</strong>. Put the old address back and sign out every device?
        </p>
      ) : null}
      {result ? (
        <p role="alert" className="mt-3 rounded-md bg-red-50 p-3 text-red-800">
          {result.message}
        </p>
      ) : null}
      <Form method="post" action={location.pathname + location.search} className="mt-4">
        <SubmitButton>Put my old address back</SubmitButton>
      </Form>
    </FormCard>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
