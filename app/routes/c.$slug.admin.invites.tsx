import { getFormProps, getInputProps, useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { cancelInvitation, createInviteLink, inviteToClub, listInviteLinks, listPendingInvitations, revokeInviteLink, rotateInviteLink } from '#db/clubs'
import {
  AdminNotice,
  AdminSection,
  HandleInput,
  primaryButton,
  replyTo,
  RowAction,
  refusalFor,
  strayRefusal,
  useActionNotice,
  useFormGeneration,
} from '~/components/club-admin'
import { InviteLinkBox } from '~/components/club-invite-link'
import { ClubPeopleList, formatDay } from '~/components/club-people'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { FieldErrors, inputClass } from '~/components/forms'
import { absoluteUrl } from '~/components/share'
import { requireUser } from '~/utils/auth.server'
import { redirectWithNotice, refusalReply, requireClubAdmin } from '~/utils/club-admin.server'
import { handleField, optionalWholeNumber, orErrorPage } from '~/utils/club-forms'
import { readForm } from '~/utils/form.server'

const idField = z
  .string({ required_error: 'Choose which one.', invalid_type_error: 'Choose which one.' })
  .trim()
  .min(1, 'Choose which one.')
  .max(100, 'That is not one of this club’s.')

const InviteForm = z.object({ intent: z.literal('invite'), handle: handleField })
const CreateLinkForm = z.object({
  intent: z.literal('create-link'),
  expiresInDays: optionalWholeNumber('days', 365),
  maxUses: optionalWholeNumber('uses', 10_000),
})

/** Invite a doctor by handle, cancel an invitation, and make, revoke or replace invite links. */
const InviteAction = z.discriminatedUnion(
  'intent',
  [
    InviteForm,
    z.object({ intent: z.literal('cancel-invitation'), invitationId: idField }),
    CreateLinkForm,
    z.object({ intent: z.literal('revoke-link'), linkId: idField }),
    z.object({ intent: z.literal('rotate-link'), linkId: idField }),
  ],
  { errorMap: () => ({ message: 'Rounds does not know that action. Reload the page and try again.' }) },
)

export const meta: MetaFunction = () => [{ title: 'Club invitations — admin — Rounds' }, { name: 'robots', content: 'noindex' }]

export async function loader(args: LoaderFunctionArgs) {
  const { viewer, slug, page, has } = await requireClubAdmin(args, 'invites')
  const [invitations, links] = await orErrorPage(
    Promise.all([
      has('manage:members') ? listPendingInvitations(viewer, slug) : Promise.resolve(null),
      has('manage:invites') ? listInviteLinks(viewer, slug) : Promise.resolve(null),
    ]),
  )
  return json({
    visibility: page.club.visibility,
    invitations,
    links: links?.map((l) => ({ ...l, url: absoluteUrl(args.context.publicUrl, `/join/${l.token}`) })) ?? null,
  })
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const slug = params.slug ?? ''
  const submission = parseWithZod(await readForm(request), { schema: InviteAction })
  if (submission.status !== 'success') return json(submission.reply(), { status: 400 })
  const input = submission.value
  try {
    switch (input.intent) {
      case 'invite':
        await inviteToClub(viewer, slug, input.handle)
        return redirectWithNotice(slug, 'invites', 'invited', { handle: input.handle })
      case 'cancel-invitation':
        await cancelInvitation(viewer, slug, input.invitationId)
        return redirectWithNotice(slug, 'invites', 'invitation-cancelled')
      case 'create-link': {
        const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 24 * 60 * 60 * 1000) : null
        await createInviteLink(viewer, slug, { expiresAt, maxUses: input.maxUses })
        return redirectWithNotice(slug, 'invites', 'link-created')
      }
      case 'revoke-link':
        await revokeInviteLink(viewer, slug, input.linkId)
        return redirectWithNotice(slug, 'invites', 'link-revoked')
      case 'rotate-link':
        await rotateInviteLink(viewer, slug, input.linkId)
        return redirectWithNotice(slug, 'invites', 'link-rotated')
    }
  } catch (error) {
    return refusalReply(submission, error, input.intent === 'invite' ? ['handle'] : [])
  }
}

const notices = {
  invited: ({ handle }: { handle: string }) => `Invitation sent to @${handle}. They will see it on their Clubs page.`,
  'invitation-cancelled': () => 'Invitation cancelled.',
  'link-created': () => 'Invite link created. Copy it from the list below.',
  'link-revoked': () => 'Invite link revoked. It no longer works.',
  'link-rotated': () => 'Invite link replaced. The old one no longer works; share the new one below.',
}

const intents = InviteAction.options.map((o) => o.shape.intent.value)

const linkState = {
  active: { label: 'Active', tone: 'bg-brand-100 text-brand-900' },
  expired: { label: 'Expired', tone: 'bg-slate-200 text-slate-700' },
  'used-up': { label: 'Used up', tone: 'bg-slate-200 text-slate-700' },
  revoked: { label: 'Revoked', tone: 'bg-red-100 text-red-800' },
} as const

export default function ClubAdminInvitesRoute() {
  const { visibility, invitations, links } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const navigation = useNavigation()
  const pending = navigation.state === 'submitting'
  const done = useActionNotice(notices)
  const generation = useFormGeneration()
  const [inviteForm, inviteFields] = useForm({
    id: `invite-${generation}`,
    lastResult: replyTo(result, 'invite'),
    shouldValidate: 'onSubmit',
    onValidate: ({ formData }) => parseWithZod(formData, { schema: InviteForm }),
  })
  const [linkForm, linkFields] = useForm({
    id: `create-link-${generation}`,
    lastResult: replyTo(result, 'create-link'),
    shouldValidate: 'onSubmit',
    onValidate: ({ formData }) => parseWithZod(formData, { schema: CreateLinkForm }),
  })

  return (
    <div className="space-y-6">
      {invitations ? (
        <>
          <AdminSection
            id="invite"
            title="Invite a doctor"
            intro={visibility === 'private' ? 'They will see the club and can join it from their Clubs page.' : 'They will find the invitation on their Clubs page.'}
          >
            <AdminNotice message={done?.of('invited')} ok />
            <AdminNotice message={refusalFor(result, ['invite'], ['handle']) ?? strayRefusal(result, intents)} ok={false} />
            <Form method="post" {...getFormProps(inviteForm)} className="flex flex-wrap items-start gap-3">
              <input type="hidden" name="intent" value="invite" />
              <div className="min-w-0 flex-1 basis-56">
                <label htmlFor={inviteFields.handle.id} className="block text-sm font-medium text-slate-800">
                  Their handle
                </label>
                <HandleInput field={inviteFields.handle} />
                <p className="mt-1 text-xs text-slate-500">The end of their profile address, such as asha-rao for /u/asha-rao.</p>
              </div>
              <button type="submit" className={`${primaryButton} sm:mt-6`} disabled={pending}>
                Send invitation
              </button>
            </Form>
          </AdminSection>

          <AdminSection id="invitations" title="Pending invitations">
            <AdminNotice message={done?.of('invitation-cancelled')} ok />
            <AdminNotice message={refusalFor(result, ['cancel-invitation'])} ok={false} />
            {invitations.length ? (
              <ClubPeopleList
                people={invitations.map((inv) => ({ ...inv.person, since: inv.createdAt, invitationId: inv.id }))}
                label="Pending invitations"
                sinceLabel="Invited"
                rowTestId="pending-invitation-row"
                actions={(p) => (
                  <RowAction
                    intent="cancel-invitation"
                    fields={{ invitationId: p.invitationId }}
                    label="Cancel invitation"
                    ariaLabel={`Cancel the invitation to ${p.name}`}
                    pending={pending}
                  />
                )}
              />
            ) : (
              <p className="text-slate-600">No invitations are waiting for an answer.</p>
            )}
          </AdminSection>
        </>
      ) : null}

      {links ? (
        <AdminSection
          id="invite-links"
          title="Invite links"
          intro="Anyone with an active link can see the club and join it, even when it is private. Revoke a link, or rotate it for a new address, if it spreads too far."
        >
          <AdminNotice message={done?.of('link-created', 'link-revoked', 'link-rotated')} ok />
          <AdminNotice
            message={refusalFor(result, ['create-link', 'revoke-link', 'rotate-link'], ['expiresInDays', 'maxUses']) ?? (invitations ? null : strayRefusal(result, intents))}
            ok={false}
          />
          <Form method="post" {...getFormProps(linkForm)} className="flex flex-wrap items-start gap-3 rounded-md bg-slate-50 p-4">
            <input type="hidden" name="intent" value="create-link" />
            <div>
              <label htmlFor={linkFields.expiresInDays.id} className="block text-sm font-medium text-slate-800">
                Expires after (days)
              </label>
              <input
                {...getInputProps(linkFields.expiresInDays, { type: 'number' })}
                min={1}
                max={365}
                inputMode="numeric"
                placeholder="Never"
                aria-describedby={`${linkFields.expiresInDays.descriptionId} ${linkFields.expiresInDays.errorId}`}
                className={inputClass.replace('w-full', 'w-36')}
              />
              <p id={linkFields.expiresInDays.descriptionId} className="mt-1 text-xs text-slate-500">
                Empty: never expires.
              </p>
              <FieldErrors id={linkFields.expiresInDays.errorId} errors={linkFields.expiresInDays.errors} />
            </div>
            <div>
              <label htmlFor={linkFields.maxUses.id} className="block text-sm font-medium text-slate-800">
                Maximum uses
              </label>
              <input
                {...getInputProps(linkFields.maxUses, { type: 'number' })}
                min={1}
                max={10000}
                inputMode="numeric"
                placeholder="No limit"
                aria-describedby={`${linkFields.maxUses.descriptionId} ${linkFields.maxUses.errorId}`}
                className={inputClass.replace('w-full', 'w-36')}
              />
              <p id={linkFields.maxUses.descriptionId} className="mt-1 text-xs text-slate-500">
                Empty: no limit.
              </p>
              <FieldErrors id={linkFields.maxUses.errorId} errors={linkFields.maxUses.errors} />
            </div>
            <button type="submit" className={`${primaryButton} sm:mt-6`} disabled={pending}>
              Create invite link
            </button>
          </Form>
          {links.length ? (
            <ul className="mt-4 divide-y divide-slate-200">
              {links.map((l) => (
                <li key={l.id} className={`space-y-2 py-4 ${l.state === 'active' ? '' : 'opacity-75'}`} data-testid="invite-link-row" data-state={l.state}>
                  <p className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-slate-600">
                    <span className={`rounded px-2 py-0.5 text-xs font-semibold ${linkState[l.state].tone}`}>{linkState[l.state].label}</span>
                    <span>Created {formatDay(l.createdAt)}</span>
                    <span>{l.expiresAt ? `${l.state === 'expired' ? 'Expired' : 'Expires'} ${formatDay(l.expiresAt)}` : 'Never expires'}</span>
                    <span>{l.maxUses !== null ? `${l.uses} of ${l.maxUses} uses` : `${l.uses} ${l.uses === 1 ? 'use' : 'uses'}, no limit`}</span>
                    {l.talkId ? <span>Opens a talk</span> : null}
                  </p>
                  <InviteLinkBox url={l.url} label={l.state === 'active' ? 'Invite link' : 'Invite link (no longer works)'} />
                  <div className="flex flex-wrap gap-2">
                    {l.state !== 'revoked' ? <RowAction intent="revoke-link" fields={{ linkId: l.id }} label="Revoke" danger pending={pending} /> : null}
                    <RowAction intent="rotate-link" fields={{ linkId: l.id }} label={l.state === 'active' ? 'Rotate (new address)' : 'Reissue'} pending={pending} />
                  </div>
                </li>
              ))}
            </ul>
          ) : (
            <p className="mt-4 text-slate-600">No invite links yet.</p>
          )}
        </AdminSection>
      ) : null}
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
