import { parseWithZod } from '@conform-to/zod'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { canActOn, canGrant, clubRoles, type ClubRole } from '#db/access/club-permissions'
import { changeMemberRole, liftBan, listBans, removeMember } from '#db/clubs'
import { getNavIdentity } from '#db/profiles'
import { plural, roleLabel } from '~/components/club-badges'
import { AdminNotice, AdminSection, RowAction, refusalFor, smallButton, strayRefusal, useActionNotice } from '~/components/club-admin'
import { ClubPeopleList } from '~/components/club-people'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { ListPager } from '~/components/people-list'
import { requireUser } from '~/utils/auth.server'
import { redirectWithNotice, refusalReply, requireClubAdmin } from '~/utils/club-admin.server'
import { handleField, orErrorPage, roleField } from '~/utils/club-forms'
import { readForm } from '~/utils/form.server'
import { loadClubPeople } from '~/utils/people-list.server'

const unknownAction = { errorMap: () => ({ message: 'Rounds does not know that action. Reload the page and try again.' }) }

/** Each member row's buttons, and each ban's. */
const MemberAction = z.discriminatedUnion(
  'intent',
  [
    z.object({ intent: z.literal('change-role'), handle: handleField, role: roleField }),
    z.object({ intent: z.literal('remove'), handle: handleField }),
    z.object({ intent: z.literal('ban'), handle: handleField }),
    z.object({ intent: z.literal('lift-ban'), handle: handleField }),
  ],
  unknownAction,
)

export const meta: MetaFunction = () => [{ title: 'Club members — admin — Rounds' }, { name: 'robots', content: 'noindex' }]

export async function loader(args: LoaderFunctionArgs) {
  const { viewer, userId, slug, page, has } = await requireClubAdmin(args, 'members')
  const [me, members, bans] = await orErrorPage(
    Promise.all([
      getNavIdentity(userId),
      loadClubPeople('members', { request: args.request, slug, viewer }),
      has('manage:members') ? listBans(viewer, slug) : Promise.resolve(null),
    ]),
  )
  return json({
    role: page.role!,
    canManageMembers: has('manage:members'),
    canManageRoles: has('manage:roles'),
    myHandle: me?.handle ?? null,
    members,
    bans,
  })
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const slug = params.slug ?? ''
  const submission = parseWithZod(await readForm(request), { schema: MemberAction })
  if (submission.status !== 'success') return json(submission.reply(), { status: 400 })
  const { intent, handle } = submission.value
  try {
    switch (intent) {
      case 'change-role':
        await changeMemberRole(viewer, slug, handle, submission.value.role)
        return redirectWithNotice(slug, 'members', 'role-changed', { handle, role: submission.value.role })
      case 'remove':
        await removeMember(viewer, slug, handle, { ban: false })
        return redirectWithNotice(slug, 'members', 'removed', { handle })
      case 'ban':
        await removeMember(viewer, slug, handle, { ban: true })
        return redirectWithNotice(slug, 'members', 'banned', { handle })
      case 'lift-ban':
        await liftBan(viewer, slug, handle)
        return redirectWithNotice(slug, 'members', 'ban-lifted', { handle })
    }
  } catch (error) {
    return refusalReply(submission, error)
  }
}

const intents = MemberAction.options.map((o) => o.shape.intent.value)

const isRole = (role: string): role is ClubRole => (clubRoles as readonly string[]).includes(role)

const notices = {
  'role-changed': ({ handle, role }: { handle: string; role: string }) =>
    isRole(role) ? `@${handle} is now ${role === 'admin' ? 'an' : 'a'} ${roleLabel[role].toLowerCase()}.` : `@${handle} has a new role.`,
  removed: ({ handle }: { handle: string }) => `@${handle} was removed from the club. They can join again.`,
  banned: ({ handle }: { handle: string }) => `@${handle} was removed and banned. They cannot join again unless you lift the ban.`,
  'ban-lifted': ({ handle }: { handle: string }) => `Ban lifted: @${handle} can join again if they have access.`,
}

export default function ClubAdminMembersRoute() {
  const { role, canManageMembers, canManageRoles, myHandle, members, bans } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const navigation = useNavigation()
  const pending = navigation.state === 'submitting'
  const done = useActionNotice(notices)
  const grantable = clubRoles.filter((r) => canGrant(role, r))
  const { list, page, pageSize } = members

  return (
    <div className="space-y-6">
      <AdminSection id="members" title={`Members (${list.total})`} intro="Change roles, remove members, or ban someone who should not come back.">
        <AdminNotice message={done?.of('role-changed', 'removed', 'banned')} ok />
        <AdminNotice message={refusalFor(result, ['change-role', 'remove', 'ban']) ?? strayRefusal(result, intents)} ok={false} />
        <ClubPeopleList
          people={list.people}
          label="Members"
          sinceLabel="Member since"
          rowTestId="member-row"
          actions={(p) => {
            if (p.handle === myHandle) return <span className="text-sm text-slate-500">You</span>
            if (p.role === undefined || !canActOn(role, p.role)) return null
            return (
              <>
                {canManageRoles && grantable.length ? (
                  <Form method="post" className="flex items-center gap-1">
                    <input type="hidden" name="intent" value="change-role" />
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
                    <button type="submit" className={smallButton} disabled={pending}>
                      Change role
                    </button>
                  </Form>
                ) : null}
                {canManageMembers ? (
                  <>
                    <RowAction intent="remove" fields={{ handle: p.handle }} label="Remove" ariaLabel={`Remove ${p.name}`} pending={pending} />
                    <RowAction intent="ban" fields={{ handle: p.handle }} label="Ban" ariaLabel={`Ban ${p.name}`} danger pending={pending} />
                  </>
                ) : null}
              </>
            )
          }}
        />
        <ListPager page={page} pageSize={pageSize} listed={list.total - list.hiddenCount} label={plural(list.total - list.hiddenCount, 'member', 'members')} />
      </AdminSection>

      {bans ? (
        <AdminSection id="bans" title="Bans" intro="Banned doctors cannot see a private club, join, or follow it.">
          <AdminNotice message={done?.of('ban-lifted')} ok />
          <AdminNotice message={refusalFor(result, ['lift-ban'])} ok={false} />
          {bans.length ? (
            <ClubPeopleList
              people={bans.map((b) => ({ ...b.person, since: b.createdAt }))}
              label="Bans"
              sinceLabel="Banned"
              rowTestId="ban-row"
              actions={(p) => (
                <RowAction intent="lift-ban" fields={{ handle: p.handle }} label="Lift ban" ariaLabel={`Lift the ban on ${p.name}`} pending={pending} />
              )}
            />
          ) : (
            <p className="text-slate-600">Nobody is banned from this club.</p>
          )}
        </AdminSection>
      ) : null}
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
