import type { ActionFunctionArgs } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { z } from 'zod'
import { PublicError } from '#db/errors'
import { acknowledgePolicy } from '#db/privacy/index'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { requireUser, safeRedirectPath } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'

// "I have read it" from the banner above every page (app/components/policy-banner.tsx).

const Acknowledge = z.object({
  version: z
    .string({ required_error: 'Choose a policy version.', invalid_type_error: 'Choose a policy version.' })
    .regex(/^[0-9A-Za-z.-]{1,20}$/, 'That is not a policy version.'),
  redirectTo: z.string().max(2000).optional(),
})

export async function loader() {
  return redirect('/privacy')
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { userId } = requireUser(context, request)
  const parsed = Acknowledge.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) return json({ ok: false, message: parsed.error.issues[0].message }, { status: 400 })
  try {
    await acknowledgePolicy(userId, parsed.data.version)
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ ok: false, message: error.message }, { status: error.status })
  }
  return redirect(safeRedirectPath(parsed.data.redirectTo, '/'))
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
