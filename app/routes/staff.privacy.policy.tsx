import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { PublicError } from '#db/errors'
import { listPolicyVersions, getPolicyVersion, previewPolicyChange, publishPolicy, type PolicyDiffLine } from '#db/privacy/index'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { inputClass } from '~/components/forms'
import { readForm } from '~/utils/form.server'
import { requireStaffViewer } from '~/utils/staff.server'
import { LocalTime } from '~/utils/time-zone'

// Publishing a privacy policy version: write the draft, preview the difference, publish it as a significant or minor change.

const POLICY_MAX = 90_000

const policyText = z
  .string({ required_error: 'The policy text is empty. Paste or write the whole policy.', invalid_type_error: 'The policy text is empty.' })
  .max(POLICY_MAX, `The policy text can be at most ${POLICY_MAX.toLocaleString('en-GB')} characters.`)
  .refine((v) => v.trim().length > 0, 'The policy text is empty. Paste or write the whole policy.')
const summaryText = z.string({ invalid_type_error: 'Say what changes.' }).max(2000, 'The summary can be at most 2,000 characters.').default('')

const PolicyAction = z.discriminatedUnion(
  'intent',
  [
    z.object({ intent: z.literal('preview'), body: policyText, summary: summaryText }),
    z.object({ intent: z.literal('edit'), body: z.string().max(POLICY_MAX).default(''), summary: summaryText }),
    z.object({
      intent: z.literal('publish'),
      body: policyText,
      summary: summaryText.refine((v) => v.trim().length > 0, 'Say in a sentence or two what changes: members read this first.'),
      change: z.enum(['significant', 'minor'], { errorMap: () => ({ message: 'Choose whether the change is significant or minor.' }) }),
      basedOn: z.string().max(20).default(''),
    }),
  ],
  { errorMap: () => ({ message: 'That request was not understood. Reload the page and try again.' }) },
)

type Draft = { body: string; summary: string }
type ActionResult =
  | { stage: 'draft'; ok: boolean; message: string | null; draft: Draft }
  | {
      stage: 'preview'
      ok: true
      message: null
      draft: Draft
      preview: { against: { version: string; effectiveAt: string } | null; lines: PolicyDiffLine[]; added: number; removed: number; nextVersion: { significant: string; minor: string } }
    }
  | { stage: 'published'; ok: true; message: string; draft: null }

export async function loader({ context }: LoaderFunctionArgs) {
  requireStaffViewer(context)
  const versions = await listPolicyVersions()
  const latest = versions[0] ? await getPolicyVersion(versions[0].version) : null
  return json({
    latest: latest ? { version: latest.version, body: latest.body } : null,
    versions: versions.map((v) => ({ ...v, effectiveAt: v.effectiveAt.toISOString() })),
  })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requireStaffViewer(context)
  const form = await readForm(request)
  const raw = Object.fromEntries(form)
  const keep = (): Draft => ({
    body: typeof raw.body === 'string' ? raw.body.slice(0, POLICY_MAX) : '',
    summary: typeof raw.summary === 'string' ? raw.summary.slice(0, 2000) : '',
  })
  const parsed = PolicyAction.safeParse(raw)
  if (!parsed.success) {
    return json<ActionResult>({ stage: 'draft', ok: false, message: parsed.error.issues[0].message, draft: keep() }, { status: 400 })
  }
  const input = parsed.data
  if (input.intent === 'edit') return json<ActionResult>({ stage: 'draft', ok: true, message: null, draft: { body: input.body, summary: input.summary } })
  try {
    if (input.intent === 'preview') {
      const preview = await previewPolicyChange(viewer, input.body)
      return json<ActionResult>({
        stage: 'preview',
        ok: true,
        message: null,
        draft: { body: preview.body, summary: input.summary },
        preview: {
          against: preview.against ? { version: preview.against.version, effectiveAt: preview.against.effectiveAt.toISOString() } : null,
          lines: preview.lines,
          added: preview.added,
          removed: preview.removed,
          nextVersion: preview.nextVersion,
        },
      })
    }
    const significant = input.change === 'significant'
    const result = await publishPolicy(viewer, { body: input.body, summary: input.summary, significant, basedOn: input.basedOn || null })
    return json<ActionResult>({
      stage: 'published',
      ok: true,
      message: significant
        ? `Version ${result.version} is published. ${result.notified} ${result.notified === 1 ? 'member was' : 'members were'} told in the app and by email, and will be asked to confirm they read it.`
        : `Version ${result.version} is published as a minor change. No one was notified.`,
      draft: null,
    })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json<ActionResult>({ stage: 'draft', ok: false, message: error.message, draft: keep() }, { status: error.status })
  }
}

const lineStyle: Record<PolicyDiffLine['kind'], string> = {
  added: 'bg-emerald-50 text-emerald-900',
  removed: 'bg-red-50 text-red-900 line-through decoration-red-400',
  same: 'text-slate-700',
  skipped: 'bg-slate-50 text-center text-xs italic text-slate-500',
}
const linePrefix: Record<PolicyDiffLine['kind'], string> = { added: '+', removed: '−', same: ' ', skipped: '' }
const lineLabel: Record<PolicyDiffLine['kind'], string> = { added: 'Added: ', removed: 'Removed: ', same: '', skipped: '' }

function PolicyDiff({ lines }: { lines: PolicyDiffLine[] }) {
  return (
    <ol className="overflow-x-auto rounded-md border border-slate-200 font-mono text-sm" data-testid="policy-diff">
      {lines.map((line, i) => (
        <li key={i} className={`whitespace-pre-wrap break-words px-3 py-0.5 ${lineStyle[line.kind]}`} data-kind={line.kind}>
          <span className="sr-only">{lineLabel[line.kind]}</span>
          <span aria-hidden="true" className="mr-2 inline-block w-3 select-none text-slate-400">
            {linePrefix[line.kind]}
          </span>
          {line.kind === 'skipped' ? `… ${line.text} …` : line.text || '\u00a0'}
        </li>
      ))}
    </ol>
  )
}

const buttonClass = 'rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50'
const primaryClass = 'rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700'

export default function StaffPolicyRoute() {
  const { latest, versions } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>() as ActionResult | undefined
  const draft = result?.draft ?? { body: latest?.body ?? '', summary: '' }
  return (
    <section className="space-y-6 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <div>
        <h2 className="text-lg font-semibold">Privacy policy</h2>
        <p className="mt-1 text-sm text-slate-600">
          {latest ? `The newest version is ${latest.version}.` : 'No version is published yet.'} Edit the whole text below, preview what changes, then
          publish. A significant change is sent to every active member in the app and by email, and each is asked to confirm they read it. A minor
          change (wording, typos) is published quietly.
        </p>
      </div>
      {result?.message ? (
        <p role={result.ok ? 'status' : 'alert'} className={`rounded-md p-3 ${result.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
          {result.message}
        </p>
      ) : null}

      {result?.stage === 'preview' ? (
        <div className="space-y-4">
          <h3 className="font-semibold">
            What changes {result.preview.against ? `from version ${result.preview.against.version}` : '(first version)'}: {result.preview.added} line
            {result.preview.added === 1 ? '' : 's'} added, {result.preview.removed} removed
          </h3>
          <PolicyDiff lines={result.preview.lines} />
          <Form method="post" className="space-y-3 border-t border-slate-200 pt-4">
            <input type="hidden" name="body" value={result.draft.body} />
            <input type="hidden" name="basedOn" value={result.preview.against?.version ?? ''} />
            <label className="block text-sm font-medium">
              What changes, for members (shown in the notice and the email)
              <textarea name="summary" rows={3} maxLength={2000} defaultValue={result.draft.summary} className={inputClass} />
            </label>
            <fieldset className="space-y-2 text-sm">
              <legend className="font-medium">Kind of change</legend>
              <label className="flex items-start gap-2">
                <input type="radio" name="change" value="significant" required className="mt-1" />
                <span>
                  <strong>Significant</strong> — becomes version {result.preview.nextVersion.significant}; every active member is told and asked to
                  confirm.
                </span>
              </label>
              <label className="flex items-start gap-2">
                <input type="radio" name="change" value="minor" required className="mt-1" />
                <span>
                  <strong>Minor</strong> — becomes version {result.preview.nextVersion.minor}; no one is notified.
                </span>
              </label>
            </fieldset>
            <div className="flex flex-wrap gap-2">
              <button type="submit" name="intent" value="publish" className={primaryClass}>
                Publish
              </button>
              <button type="submit" name="intent" value="edit" formNoValidate className={buttonClass}>
                Back to editing
              </button>
            </div>
          </Form>
        </div>
      ) : (
        <Form method="post" className="space-y-3">
          <label className="block text-sm font-medium">
            Policy text (“# ” starts a heading, “- ” a list item)
            <textarea name="body" rows={18} maxLength={POLICY_MAX} defaultValue={draft.body} className={`${inputClass} font-mono text-sm`} />
          </label>
          <label className="block text-sm font-medium">
            What changes, for members (you can also write it after the preview)
            <textarea name="summary" rows={2} maxLength={2000} defaultValue={draft.summary} className={inputClass} />
          </label>
          <button type="submit" name="intent" value="preview" className={primaryClass}>
            Preview changes
          </button>
        </Form>
      )}

      {versions.length ? (
        <div className="border-t border-slate-200 pt-4">
          <h3 className="font-semibold">Published versions</h3>
          <ol className="mt-2 divide-y divide-slate-100 text-sm" data-testid="staff-policy-versions">
            {versions.map((v) => (
              <li key={v.version} className="py-2">
                <Link to={`/privacy?version=${encodeURIComponent(v.version)}`} className="font-medium text-brand-700 underline">
                  Version {v.version}
                </Link>{' '}
                · <LocalTime at={v.effectiveAt} style="day" /> · {v.significant ? 'significant' : 'minor'}
                <p className="text-slate-600">{v.summary}</p>
              </li>
            ))}
          </ol>
        </div>
      ) : null}
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
