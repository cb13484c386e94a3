import type { ActionFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { z } from 'zod'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { requireUser, safeRedirectPath } from '~/utils/auth.server'
import { acknowledgePolicyFromForm, policyVersionField } from '~/utils/privacy-office.server'

// "I have read it" from the banner above every page (app/components/policy-banner.tsx).

const Acknowledge = z.object({
  version: policyVersionField,
  redirectTo: z.string().max(2000).optional(),
})

export async function loader() {
  return redirect('/privacy')
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { userId } = requireUser(context, request)
  const outcome = await acknowledgePolicyFromForm(userId, request, Acknowledge)
  if ('refused' in outcome) return outcome.refused
  return redirect(safeRedirectPath(outcome.form.redirectTo, '/'))
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
