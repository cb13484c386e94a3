import type { SubmissionResult } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import type { ReactNode } from 'react'
import { z } from 'zod'
import { canActOn, canGrant, clubRoles } from '#db/club-permissions'
import {
  cancelInvitation,
  changeMemberRole,
  createInviteLink,
  getClubPage,
  inviteToClub,
  liftBan,
  listAuditLog,
  listBans,
  listClubMembers,
  listInviteLinks,
  listPendingInvitations,
  removeMember,
  revokeInviteLink,
  rotateInviteLink,
  transferOwnership,
  updateClub,
} from '#db/clubs'
import { PublicError } from '#db/errors'
import { getNavIdentity } from '#db/profiles'
import { specialities } from '#db/specialities'
import { PHOTO_MAX_BYTES, deleteUpload, storeClubCover } from '#server/uploads'
import { AuditLogList } from '~/components/club-audit-log'
import { roleLabel } from '~/components/club-badges'
import { ClubForm } from '~/components/club-form'
import { InviteLinkBox } from '~/components/club-invite-link'
import { ClubPersonItem, formatDay } from '~/components/club-people'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { FieldErrors, inputClass } from '~/components/forms'
import { absoluteUrl } from '~/components/share'
import { requireUser } from '~/utils/auth.server'
import { FormPartTooLargeError, readUploadForm } from '~/utils/form.server'
import { ClubSchema, handleField, opensAdminPage, optionalWholeNumber, orErrorPage, roleField } from '~/utils/club-forms'

export const meta: MetaFunction = () => [{ title: 'Club admin — Rounds' }, { name: 'robots', content: 'noindex' }]

const idField = z
  .string({ required_error: 'Choose which one.', invalid_type_error: 'Choose which one.' })
  .trim()
  .min(1, 'Choose which one.')
  .max(100, 'That is not one of this club’s.')

const AdminAction = z.discriminatedUnion(
  'intent',
  [
    z.object({ intent: z.literal('change-role'), handle: handleField, role: roleField }),
    z.object({ intent: z.literal('remove'), handle: handleField }),
    z.object({ intent: z.literal('ban'), handle: handleField }),
    z.object({ intent: z.literal('invite'), handle: handleField }),
    z.object({ intent: z.literal('cancel-invitation'), invitationId: idField }),
    z.object({ intent: z.literal('lift-ban'), handle: handleField }),
    z.object({
      intent: z.literal('create-link'),
      expiresInDays: optionalWholeNumber('days', 365),
      maxUses: optionalWholeNumber('uses', 10_000),
    }),
    z.object({ intent: z.literal('revoke-link'), linkId: idField }),
    z.object({ intent: z.literal('rotate-link'), linkId: idField }),
    z.object({
      intent: z.literal('transfer'),
      handle: handleField,
      confirm: z.literal('on', { errorMap: () => ({ message: 'Tick the box to confirm you are handing the club over.' }) }),
    }),
  ],
  { errorMap: () => ({ message: 'Rounds does not know that action. Reload the page and try again.' }) },
)
type AdminIntent = z.infer<typeof AdminAction>['intent'] | 'edit-club'

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { viewer, userId } = requireUser(context, request)
  const slug = params.slug ?? ''
  const page = await orErrorPage(getClubPage(viewer, slug))
  if (!opensAdminPage(page.permissions)) throw new Response('Only the club’s admins can open this page.', { status: 403 })
  const has = (p: (typeof page.permissions)[number]) => page.permissions.includes(p)
  const [me, members, invitations, bans, links, audit] = await orErrorPage(
    Promise.all([
      getNavIdentity(userId),
      has('manage:members') || has('manage:roles') ? listClubMembers(viewer, slug, { limit: 500, offset: 0 }) : Promise.resolve(null),
      has('manage:members') ? listPendingInvitations(viewer, slug) : Promise.resolve([]),
      has('manage:members') ? listBans(viewer, slug) : Promise.resolve([]),
      has('manage:invites') ? listInviteLinks(viewer, slug) : Promise.resolve([]),
      has('read:audit') ? listAuditLog(viewer, slug, 100) : Promise.resolve([]),
    ]),
  )
  const { club } = page
  return json({
    club: {
      slug: club.slug,
      name: club.name,
      description: club.description,
      specialities: club.specialities,
      visibility: club.visibility,
      coverUrl: club.coverUrl,
    },
    role: page.role!,
    permissions: page.permissions,
    myHandle: me?.handle ?? null,
    members,
    invitations,
    bans,
    links: links.map((l) => ({ ...l, url: absoluteUrl(context.publicUrl, `/join/${l.token}`) })),
    audit,
    specialities,
  })
}

type AdminReply = {
  intent: AdminIntent | null
  ok: boolean
  message: string
  fieldErrors?: Record<string, string>
  values?: Record<string, string>
  result?: SubmissionResult<string[]>
  /** Changes on every reply, so a form that succeeded can start empty again. */
  at: number
}

function reply(body: Omit<AdminReply, 'at'>, status = 200) {
  return json<AdminReply>({ ...body, at: Date.now() }, { status })
}

async function readClubForm(request: Request) {
  const form = await readUploadForm(request, { cover: PHOTO_MAX_BYTES })
  return form instanceof FormPartTooLargeError ? { tooLarge: form.isFile ? 'cover' : form.field } : form
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const slug = params.slug ?? ''
  const formData = await readClubForm(request)
  if (!(formData instanceof FormData)) {
    const field = formData.tooLarge === 'cover' ? 'cover' : 'description'
    const message = field === 'cover' ? 'The cover image must be 5 MB or smaller.' : 'That is far more text than a club description can hold.'
    return reply(
      { intent: 'edit-club', ok: false, message, result: { status: 'error', initialValue: null, error: { [field]: [message] } } },
      413,
    )
  }
  if (formData.get('intent') === 'edit-club') return editClub(viewer, slug, formData)

  const parsed = AdminAction.safeParse(Object.fromEntries(formData))
  const sentIntent = String(formData.get('intent') ?? '')
  const knownIntent = AdminAction.options.some((o) => o.shape.intent.value === sentIntent) ? (sentIntent as AdminIntent) : null
  const values: Record<string, string> = {}
  for (const field of ['handle', 'expiresInDays', 'maxUses']) {
    const value = formData.get(field)
    if (typeof value === 'string') values[field] = value.slice(0, 100)
  }
  if (!parsed.success) {
    const fieldErrors: Record<string, string> = {}
    for (const issue of parsed.error.issues) fieldErrors[String(issue.path[0] ?? 'form')] ??= issue.message
    return reply({ intent: knownIntent, ok: false, message: parsed.error.issues[0]?.message ?? 'Check the form and try again.', fieldErrors, values }, 400)
  }
  const input = parsed.data
  try {
    const message = await perform(viewer, slug, input)
    return reply({ intent: input.intent, ok: true, message })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return reply(
      {
        intent: input.intent,
        ok: false,
        message: error.message,
        fieldErrors: error.field ? { [error.field]: error.message } : undefined,
        values,
      },
      error.status,
    )
  }
}

type Viewer = ReturnType<typeof requireUser>['viewer']

/** Calls the one data-layer function an intent stands for; it checks permissions. Returns the success message. */
async function perform(viewer: Viewer, slug: string, input: z.infer<typeof AdminAction>): Promise<string> {
  switch (input.intent) {
    case 'change-role':
      await changeMemberRole(viewer, slug, input.handle, input.role)
      return `@${input.handle} is now ${input.role === 'admin' ? 'an' : 'a'} ${roleLabel[input.role].toLowerCase()}.`
    case 'remove':
      await removeMember(viewer, slug, input.handle, { ban: false })
      return `@${input.handle} was removed from the club. They can join again.`
    case 'ban':
      await removeMember(viewer, slug, input.handle, { ban: true })
      return `@${input.handle} was removed and banned. They cannot join again unless you lift the ban.`
    case 'invite':
      await inviteToClub(viewer, slug, input.handle)
      return `Invitation sent to @${input.handle}. They will see it on their Clubs page.`
    case 'cancel-invitation':
      await cancelInvitation(viewer, slug, input.invitationId)
      return 'Invitation cancelled.'
    case 'lift-ban':
      await liftBan(viewer, slug, input.handle)
      return `Ban lifted: @${input.handle} can join again if they have access.`
    case 'create-link': {
      const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 24 * 60 * 60 * 1000) : null
      await createInviteLink(viewer, slug, { expiresAt, maxUses: input.maxUses })
      return 'Invite link created. Copy it from the list below.'
    }
    case 'revoke-link':
      await revokeInviteLink(viewer, slug, input.linkId)
      return 'Invite link revoked. It no longer works.'
    case 'rotate-link':
      await rotateInviteLink(viewer, slug, input.linkId)
      return 'Invite link replaced. The old one no longer works; share the new one below.'
    case 'transfer':
      await transferOwnership(viewer, slug, input.handle)
      return `@${input.handle} now owns the club. You are an admin.`
  }
}

async function editClub(viewer: Viewer, slug: string, formData: FormData) {
  const submission = parseWithZod(formData, { schema: ClubSchema })
  if (submission.status !== 'success') {
    return reply({ intent: 'edit-club', ok: false, message: 'Check the club details.', result: submission.reply() }, 400)
  }
  const { cover, removeCover, ...input } = submission.value
  let newCover: string | null = null
  try {
    if (cover instanceof Blob && cover.size > 0) newCover = await storeClubCover(new Uint8Array(await cover.arrayBuffer()))
    const coverChange = newCover ? { coverPath: newCover } : removeCover ? { coverPath: null } : undefined
    const saved = await updateClub(viewer, slug, input, coverChange)
    await deleteUpload(saved.replacedCover)
    return redirect(`/c/${saved.slug}/admin?saved=1#edit`)
  } catch (error) {
    await deleteUpload(newCover)
    if (!(error instanceof PublicError)) throw error
    const result = error.field
      ? submission.reply({ fieldErrors: { [error.field]: [error.message] } })
      : submission.reply({ formErrors: [error.message] })
    return reply({ intent: 'edit-club', ok: false, message: error.message, result }, error.status)
  }
}

// ---------------------------------------------------------------- page

const smallButton = 'rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-50'
const dangerButton = 'rounded-md border border-red-300 bg-white px-3 py-1.5 text-sm text-red-800 hover:bg-red-50'
const primaryButton = 'rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60'

const linkState = {
  active: { label: 'Active', tone: 'bg-brand-100 text-brand-900' },
  expired: { label: 'Expired', tone: 'bg-slate-200 text-slate-700' },
  'used-up': { label: 'Used up', tone: 'bg-slate-200 text-slate-700' },
  revoked: { label: 'Revoked', tone: 'bg-red-100 text-red-800' },
} as const

function Section({ id, title, intro, children }: { id: string; title: string; intro?: ReactNode; children: ReactNode }) {
  return (
    <section id={id} aria-labelledby={`${id}-title`} className="scroll-mt-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 id={`${id}-title`} className="text-xl font-semibold">
        {title}
      </h2>
      {intro ? <p className="mt-1 text-sm text-slate-600">{intro}</p> : null}
      <div className="mt-4">{children}</div>
    </section>
  )
}

/** The outcome of a section's last action. A failure that belongs to a visible field is shown beside it instead. */
function Notice({ reply, intents, fields = [] }: { reply: AdminReply | undefined; intents: AdminIntent[]; fields?: string[] }) {
  if (!reply || !reply.intent || !intents.includes(reply.intent)) return null
  if (!reply.ok && (reply.intent === 'edit-club' || fields.some((f) => reply.fieldErrors?.[f]))) return null
  return (
    <p role={reply.ok ? 'status' : 'alert'} className={`mb-4 rounded-md p-3 text-sm ${reply.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
      {reply.message}
    </p>
  )
}

/** Field error and previous value for a form that was just sent (so nothing typed is lost without JavaScript). */
function sent(reply: AdminReply | undefined, intent: AdminIntent) {
  const mine = reply?.intent === intent ? reply : undefined
  return {
    error: (field: string) => (mine && !mine.ok ? mine.fieldErrors?.[field] : undefined),
    value: (field: string) => (mine && !mine.ok ? mine.values?.[field] : undefined),
    key: mine?.ok ? `${intent}-${mine.at}` : intent,
  }
}

function HandleInput({ id, error, defaultValue, list }: { id: string; error?: string; defaultValue?: string; list?: string }) {
  return (
    <>
      <input
        id={id}
        name="handle"
        type="text"
        autoCapitalize="none"
        spellCheck={false}
        placeholder="asha-rao"
        defaultValue={defaultValue}
        list={list}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        className={inputClass}
      />
      <FieldErrors id={`${id}-error`} errors={error ? [error] : null} />
    </>
  )
}

export default function ClubAdminRoute() {
  const data = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const navigation = useNavigation()
  const [searchParams] = useSearchParams()
  const { club, role, permissions, myHandle, members, invitations, bans, links, audit } = data
  const has = (p: (typeof permissions)[number]) => permissions.includes(p)
  const pending = navigation.state === 'submitting'
  const grantable = clubRoles.filter((r) => canGrant(role, r))
  const invite = sent(result, 'invite')
  const createLink = sent(result, 'create-link')
  const transfer = sent(result, 'transfer')
  const sections = [
    members ? ['members', 'Members'] : null,
    has('manage:members') ? ['invite', 'Invite'] : null,
    has('manage:members') ? ['invitations', 'Pending invitations'] : null,
    has('manage:members') ? ['bans', 'Bans'] : null,
    has('manage:invites') ? ['invite-links', 'Invite links'] : null,
    has('edit:club') ? ['edit', 'Edit club'] : null,
    has('transfer:club') ? ['transfer', 'Transfer ownership'] : null,
    has('read:audit') ? ['audit', 'Audit log'] : null,
  ].filter((s): s is [string, string] => s !== null)

  return (
    <div className="space-y-6">
      <nav aria-label="Admin sections" className="flex flex-wrap gap-2 text-sm">
        {sections.map(([id, label]) => (
          <a key={id} href={`#${id}`} className="rounded-full border border-slate-300 bg-white px-3 py-1 hover:bg-slate-50">
            {label}
          </a>
        ))}
      </nav>

      {result && (!result.intent || (result.intent === 'transfer' && (result.ok || !(result.fieldErrors?.handle || result.fieldErrors?.confirm)))) ? (
        <p role={result.ok ? 'status' : 'alert'} className={`rounded-md p-3 ${result.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
          {result.message}
        </p>
      ) : null}

      {members ? (
        <Section id="members" title={`Members (${members.total})`} intro="Change roles, remove members, or ban someone who should not come back.">
          <Notice reply={result} intents={['change-role', 'remove', 'ban']} />
          <ul className="divide-y divide-slate-200">
            {members.people.map((p) => {
              const self = p.handle === myHandle
              const actsOn = !self && p.role !== undefined && canActOn(role, p.role)
              return (
                <ClubPersonItem key={p.handle} person={p} sinceLabel="Member since" testId="member-row">
                  {self ? <span className="text-sm text-slate-500">You</span> : null}
                  {actsOn ? (
                    <div className="flex flex-wrap items-center gap-2">
                      {has('manage:roles') && grantable.length ? (
                        <Form method="post" className="flex items-center gap-1">
                          <input type="hidden" name="handle" value={p.handle} />
                          <label className="sr-only" htmlFor={`role-${p.handle}`}>
                            Role for {p.name}
                          </label>
                          <select id={`role-${p.handle}`} name="role" defaultValue={p.role} className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm">
                            {grantable.map((r) => (
                              <option key={r} value={r}>
                                {roleLabel[r]}
                              </option>
                            ))}
                          </select>
                          <button type="submit" name="intent" value="change-role" className={smallButton} disabled={pending}>
                            Change role
                          </button>
                        </Form>
                      ) : null}
                      {has('manage:members') ? (
                        <>
                          <Form method="post">
                            <input type="hidden" name="handle" value={p.handle} />
                            <button type="submit" name="intent" value="remove" className={smallButton} disabled={pending} aria-label={`Remove ${p.name}`}>
                              Remove
                            </button>
                          </Form>
                          <Form method="post">
                            <input type="hidden" name="handle" value={p.handle} />
                            <button type="submit" name="intent" value="ban" className={dangerButton} disabled={pending} aria-label={`Ban ${p.name}`}>
                              Ban
                            </button>
                          </Form>
                        </>
                      ) : null}
                    </div>
                  ) : null}
                </ClubPersonItem>
              )
            })}
          </ul>
          {members.total > members.people.length ? (
            <p className="mt-3 text-sm text-slate-600">Showing the first {members.people.length} members.</p>
          ) : null}
        </Section>
      ) : null}

      {has('manage:members') ? (
        <Section
          id="invite"
          title="Invite a doctor"
          intro={
            club.visibility === 'private'
              ? 'They will see the club and can join it from their Clubs page.'
              : 'They will find the invitation on their Clubs page.'
          }
        >
          <Notice reply={result} intents={['invite']} fields={['handle']} />
          <Form method="post" key={invite.key} className="flex flex-wrap items-start gap-3">
            <div className="min-w-56 flex-1">
              <label htmlFor="invite-handle" className="block text-sm font-medium text-slate-800">
                Their handle
              </label>
              <HandleInput id="invite-handle" error={invite.error('handle')} defaultValue={invite.value('handle')} />
              <p className="mt-1 text-xs text-slate-500">The end of their profile address, such as asha-rao for /u/asha-rao.</p>
            </div>
            <button type="submit" name="intent" value="invite" className={`${primaryButton} mt-6`} disabled={pending}>
              Send invitation
            </button>
          </Form>
        </Section>
      ) : null}

      {has('manage:members') ? (
        <Section id="invitations" title="Pending invitations">
          <Notice reply={result} intents={['cancel-invitation']} />
          {invitations.length ? (
            <ul className="divide-y divide-slate-200">
              {invitations.map((inv) => (
                <ClubPersonItem key={inv.id} person={{ ...inv.person, since: inv.createdAt }} sinceLabel="Invited" testId="pending-invitation-row">
                  <Form method="post">
                    <input type="hidden" name="invitationId" value={inv.id} />
                    <button type="submit" name="intent" value="cancel-invitation" className={smallButton} disabled={pending} aria-label={`Cancel the invitation to ${inv.person.name}`}>
                      Cancel invitation
                    </button>
                  </Form>
                </ClubPersonItem>
              ))}
            </ul>
          ) : (
            <p className="text-slate-600">No invitations are waiting for an answer.</p>
          )}
        </Section>
      ) : null}

      {has('manage:members') ? (
        <Section id="bans" title="Bans" intro="Banned doctors cannot see a private club, join, or follow it.">
          <Notice reply={result} intents={['lift-ban']} />
          {bans.length ? (
            <ul className="divide-y divide-slate-200">
              {bans.map((b) => (
                <ClubPersonItem key={b.person.handle} person={{ ...b.person, since: b.createdAt }} sinceLabel="Banned" testId="ban-row">
                  <Form method="post">
                    <input type="hidden" name="handle" value={b.person.handle} />
                    <button type="submit" name="intent" value="lift-ban" className={smallButton} disabled={pending} aria-label={`Lift the ban on ${b.person.name}`}>
                      Lift ban
                    </button>
                  </Form>
                </ClubPersonItem>
              ))}
            </ul>
          ) : (
            <p className="text-slate-600">Nobody is banned from this club.</p>
          )}
        </Section>
      ) : null}

      {has('manage:invites') ? (
        <Section
          id="invite-links"
          title="Invite links"
          intro="Anyone with an active link can see the club and join it, even when it is private. Revoke a link, or rotate it for a new address, if it spreads too far."
        >
          <Notice reply={result} intents={['create-link', 'revoke-link', 'rotate-link']} fields={['expiresInDays', 'maxUses']} />
          <Form method="post" key={createLink.key} className="flex flex-wrap items-start gap-3 rounded-md bg-slate-50 p-4">
            <div>
              <label htmlFor="link-days" className="block text-sm font-medium text-slate-800">
                Expires after (days)
              </label>
              <input
                id="link-days"
                name="expiresInDays"
                type="number"
                min={1}
                max={365}
                inputMode="numeric"
                placeholder="Never"
                defaultValue={createLink.value('expiresInDays')}
                aria-invalid={createLink.error('expiresInDays') ? true : undefined}
                aria-describedby="link-days-hint link-days-error"
                className={`${inputClass} w-36`}
              />
              <p id="link-days-hint" className="mt-1 text-xs text-slate-500">
                Empty: never expires.
              </p>
              <FieldErrors id="link-days-error" errors={createLink.error('expiresInDays') ? [createLink.error('expiresInDays')!] : null} />
            </div>
            <div>
              <label htmlFor="link-uses" className="block text-sm font-medium text-slate-800">
                Maximum uses
              </label>
              <input
                id="link-uses"
                name="maxUses"
                type="number"
                min={1}
                max={10000}
                inputMode="numeric"
                placeholder="No limit"
                defaultValue={createLink.value('maxUses')}
                aria-invalid={createLink.error('maxUses') ? true : undefined}
                aria-describedby="link-uses-hint link-uses-error"
                className={`${inputClass} w-36`}
              />
              <p id="link-uses-hint" className="mt-1 text-xs text-slate-500">
                Empty: no limit.
              </p>
              <FieldErrors id="link-uses-error" errors={createLink.error('maxUses') ? [createLink.error('maxUses')!] : null} />
            </div>
            <button type="submit" name="intent" value="create-link" className={`${primaryButton} mt-6`} disabled={pending}>
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
                    <span>
                      {l.maxUses !== null ? `${l.uses} of ${l.maxUses} uses` : `${l.uses} ${l.uses === 1 ? 'use' : 'uses'}, no limit`}
                    </span>
                    {l.talkId ? <span>Opens a talk</span> : null}
                  </p>
                  <InviteLinkBox url={l.url} label={l.state === 'active' ? 'Invite link' : 'Invite link (no longer works)'} />
                  <div className="flex flex-wrap gap-2">
                    {l.state !== 'revoked' ? (
                      <Form method="post">
                        <input type="hidden" name="linkId" value={l.id} />
                        <button type="submit" name="intent" value="revoke-link" className={dangerButton} disabled={pending}>
                          Revoke
                        </button>
                      </Form>
                    ) : null}
                    <Form method="post">
                      <input type="hidden" name="linkId" value={l.id} />
                      <button type="submit" name="intent" value="rotate-link" className={smallButton} disabled={pending}>
                        {l.state === 'active' ? 'Rotate (new address)' : 'Reissue'}
                      </button>
                    </Form>
                  </div>
                </li>
              ))}
            </ul>
          ) : (
            <p className="mt-4 text-slate-600">No invite links yet.</p>
          )}
        </Section>
      ) : null}

      {has('edit:club') ? (
        <Section id="edit" title="Edit club">
          <Notice reply={result} intents={['edit-club']} />
          {searchParams.get('saved') === '1' && !result ? (
            <p role="status" className="mb-4 rounded-md bg-brand-50 p-3 text-sm text-brand-900">
              Club details saved.
            </p>
          ) : null}
          <ClubForm
            id="edit-club"
            intent="edit-club"
            lastResult={result?.intent === 'edit-club' ? result.result : undefined}
            defaultValue={{
              name: club.name,
              slug: club.slug,
              description: club.description,
              specialities: club.specialities,
              visibility: club.visibility,
            }}
            coverUrl={club.coverUrl}
            specialities={data.specialities}
            submitLabel="Save club details"
            pending={pending && navigation.formData?.get('intent') === 'edit-club'}
          />
        </Section>
      ) : null}

      {has('transfer:club') ? (
        <Section
          id="transfer"
          title="Transfer ownership"
          intro="Hand the club to another member. They become the owner; you stay on as an admin. Only they can hand it back."
        >
          <Form method="post" key={transfer.key} className="space-y-3">
            <div className="max-w-sm">
              <label htmlFor="transfer-handle" className="block text-sm font-medium text-slate-800">
                New owner’s handle
              </label>
              <HandleInput id="transfer-handle" error={transfer.error('handle')} defaultValue={transfer.value('handle')} list="member-handles" />
              <datalist id="member-handles">
                {members?.people
                  .filter((p) => p.handle !== myHandle)
                  .map((p) => (
                    <option key={p.handle} value={p.handle}>
                      {p.name}
                    </option>
                  ))}
              </datalist>
            </div>
            <label className="flex items-start gap-2 text-sm">
              <input
                type="checkbox"
                name="confirm"
                className="mt-1"
                aria-invalid={transfer.error('confirm') ? true : undefined}
                aria-describedby={transfer.error('confirm') ? 'transfer-confirm-error' : undefined}
              />
              <span>I understand that I will no longer own {club.name}.</span>
            </label>
            <FieldErrors id="transfer-confirm-error" errors={transfer.error('confirm') ? [transfer.error('confirm')!] : null} />
            <button type="submit" name="intent" value="transfer" className="rounded-md bg-red-700 px-4 py-2 text-sm font-semibold text-white hover:bg-red-800" disabled={pending}>
              Transfer ownership
            </button>
          </Form>
        </Section>
      ) : null}

      {has('read:audit') ? (
        <Section id="audit" title="Audit log" intro="Who did what in this club, newest first. Only admins see this.">
          <AuditLogList entries={audit} />
        </Section>
      ) : null}
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
