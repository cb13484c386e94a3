import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import type { ReactNode } from 'react'
import { z } from 'zod'
import { acknowledgedVersions, currentPolicy, getPolicyVersion, listPolicyVersions } from '#db/privacy/index'
import { listMyIncidents } from '#db/privacy/index'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { MyIncidents } from '~/components/my-incidents'
import { GrievanceContact, RetentionTable } from '~/components/privacy-office'
import { requireUser } from '~/utils/auth.server'
import { acknowledgePolicyFromForm, grievanceOfficer, grievanceTopicOptions, policyVersionField, retentionRows } from '~/utils/privacy-office.server'

export const meta: MetaFunction = () => [{ title: 'Privacy policy — Rounds' }]


const Acknowledge = z.object({
  intent: z.literal('acknowledge', { errorMap: () => ({ message: 'Choose “I have read it”.' }) }),
  version: policyVersionField,
})

/** The policy in force, or the version asked for (`?version=`, such as an announced change). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const asked = new URL(request.url).searchParams.get('version')
  const wanted = asked === null ? null : policyVersionField.safeParse(asked)
  if (wanted && !wanted.success) throw new Response('There is no policy with that version.', { status: 404 })
  const [policy, versions, acknowledged] = await Promise.all([
    wanted ? getPolicyVersion(wanted.data) : currentPolicy(),
    listPolicyVersions(),
    context.viewer ? acknowledgedVersions(context.viewer.userId) : ([] as string[]),
  ])
  if (wanted && !policy) throw new Response('There is no policy with that version.', { status: 404 })
  const now = Date.now()
  return json({
    policy: policy ? { ...policy, effectiveAt: policy.effectiveAt.toISOString(), upcoming: policy.effectiveAt.getTime() > now } : null,
    versions: versions.map((v) => ({ ...v, effectiveAt: v.effectiveAt.toISOString(), acknowledged: acknowledged.includes(v.version) })),
    signedIn: Boolean(context.viewer),
    retention: retentionRows(),
    officer: grievanceOfficer(),
    grievanceTopics: grievanceTopicOptions(),
    // Incidents that concern the signed-in person (db/privacy/incidents.ts).
    incidents: context.viewer
      ? (await listMyIncidents(context.viewer)).map((i) => ({ ...i, foundAt: i.foundAt.toISOString(), notifiedAt: i.notifiedAt.toISOString() }))
      : [],
  })
}

/** "I have read it": records the acknowledgement and clears the notice. */
export async function action({ request, context }: ActionFunctionArgs) {
  const { userId } = requireUser(context, request)
  const outcome = await acknowledgePolicyFromForm(userId, request, Acknowledge)
  if ('refused' in outcome) return outcome.refused
  return json({ ok: true, message: 'Thank you. We have noted that you read this version.' })
}

/** The policy text: '# ' starts a heading, '- ' a list item, anything else a paragraph. */
function PolicyText({ body }: { body: string }) {
  const blocks: ReactNode[] = []
  let items: string[] = []
  const flush = () => {
    if (items.length) {
      blocks.push(
        <ul key={`ul-${blocks.length}`} className="list-disc space-y-1 pl-6">
          {items.map((item, i) => (
            <li key={i}>{item}</li>
          ))}
        </ul>,
      )
      items = []
    }
  }
  for (const raw of body.split('\n')) {
    const line = raw.trim()
    if (line.startsWith('- ')) {
      items.push(line.slice(2))
      continue
    }
    flush()
    if (!line) continue
    if (line.startsWith('# ')) {
      blocks.push(
        <h2 key={`h-${blocks.length}`} className="pt-2 text-lg font-semibold">
          {line.slice(2)}
        </h2>,
      )
    } else {
      blocks.push(<p key={`p-${blocks.length}`}>{line}</p>)
    }
  }
  flush()
  return <div className="space-y-3 text-slate-800">{blocks}</div>
}

const day = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })

export default function PrivacyPolicyRoute() {
  const { policy, versions, signedIn, incidents, retention, officer, grievanceTopics } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const current = versions.find((v) => v.version === policy?.version)
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <article className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <h1 className="text-2xl font-semibold">Privacy policy</h1>
        {policy ? (
          <>
            <p className="mt-1 text-sm text-slate-500">
              Version {policy.version}, {policy.upcoming ? 'in force from' : 'in force since'} {day.format(new Date(policy.effectiveAt))}.
            </p>
            {result ? (
              <p role={result.ok ? 'status' : 'alert'} className={`mt-4 rounded-md p-3 ${result.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
                {result.message}
              </p>
            ) : null}
            <div className="mt-6">
              <PolicyText body={policy.body} />
            </div>
            {signedIn ? (
              current?.acknowledged ? (
                <p className="mt-6 text-sm text-slate-600">You have confirmed you read this version.</p>
              ) : (
                <Form method="post" className="mt-6">
                  <input type="hidden" name="intent" value="acknowledge" />
                  <input type="hidden" name="version" value={policy.version} />
                  <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
                    I have read it
                  </button>
                </Form>
              )
            ) : null}
          </>
        ) : (
          <p className="mt-4 text-slate-600">The privacy policy has not been published yet.</p>
        )}
      </article>
      {versions.length ? (
        <section aria-labelledby="changes-title" className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          <h2 id="changes-title" className="text-lg font-semibold">
            Changes
          </h2>
          <ol className="mt-3 divide-y divide-slate-200">
            {versions.map((v) => (
              <li key={v.version} className="py-3" data-testid="policy-version">
                <p className="font-medium">
                  <Link to={`/privacy?version=${encodeURIComponent(v.version)}`} className="hover:underline">
                    Version {v.version}
                  </Link>{' '}
                  · {day.format(new Date(v.effectiveAt))}
                  {v.significant ? <span className="ml-2 rounded bg-amber-100 px-2 py-0.5 text-xs text-amber-900">Significant change</span> : null}
                </p>
                <p className="mt-1 whitespace-pre-line text-sm text-slate-700">{v.summary}</p>
              </li>
            ))}
          </ol>
        </section>
      ) : null}
      <MyIncidents incidents={incidents} />
      <RetentionTable rows={retention} />
      <GrievanceContact officer={officer} signedIn={signedIn} topics={grievanceTopics} />
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
