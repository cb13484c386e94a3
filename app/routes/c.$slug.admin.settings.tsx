import { getFormProps, useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { listClubMembers, transferOwnership, updateClub } from '#db/clubs'
import { getNavIdentity } from '#db/profiles'
import { specialities } from '#db/specialities'
import { PHOTO_MAX_BYTES, deleteUpload, storeClubCover } from '#server/uploads'
import { AdminNotice, AdminSection, HandleInput, refusalFor, strayRefusal, useActionNotice, useFormGeneration } from '~/components/club-admin'
import { ClubForm } from '~/components/club-form'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { FieldErrors } from '~/components/forms'
import { requireUser } from '~/utils/auth.server'
import { redirectWithNotice, refusalReply, requireClubAdmin } from '~/utils/club-admin.server'
import { ClubSchema, handleField, orErrorPage } from '~/utils/club-forms'
import { FormPartTooLargeError, readUploadForm } from '~/utils/form.server'

const TransferForm = z.object({
  intent: z.literal('transfer'),
  handle: handleField,
  confirm: z.literal('on', { errorMap: () => ({ message: 'Tick the box to confirm you are handing the club over.' }) }),
})

/** Save the club's details (with its cover), or hand the club to another member. */
const SettingsAction = z.discriminatedUnion('intent', [ClubSchema.extend({ intent: z.literal('edit-club') }), TransferForm], {
  errorMap: () => ({ message: 'Rounds does not know that action. Reload the page and try again.' }),
})
const intents = SettingsAction.options.map((o) => o.shape.intent.value)

export const meta: MetaFunction = () => [{ title: 'Club settings — admin — Rounds' }, { name: 'robots', content: 'noindex' }]

export async function loader(args: LoaderFunctionArgs) {
  const { viewer, userId, slug, page, has } = await requireClubAdmin(args, 'settings')
  const { club } = page
  const [me, members] = await orErrorPage(
    Promise.all([
      getNavIdentity(userId),
      // The new owner's handle is suggested from the members.
      has('transfer:club') ? listClubMembers(viewer, slug, { limit: 500, offset: 0 }) : Promise.resolve(null),
    ]),
  )
  return json({
    club: has('edit:club')
      ? { slug: club.slug, name: club.name, description: club.description, specialities: club.specialities, visibility: club.visibility, coverUrl: club.coverUrl }
      : null,
    clubName: club.name,
    transferTo: members ? members.people.filter((p) => p.handle !== me?.handle).map((p) => ({ handle: p.handle, name: p.name })) : null,
    specialities,
  })
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const slug = params.slug ?? ''
  const formData = await readUploadForm(request, { cover: PHOTO_MAX_BYTES })
  if (formData instanceof FormPartTooLargeError) {
    // Only the club form has a part that can be this large: its cover or its description.
    const field = formData.isFile ? 'cover' : 'description'
    const message = formData.isFile ? 'The cover image must be 5 MB or smaller.' : 'That is far more text than a club description can hold.'
    return json({ status: 'error' as const, initialValue: null, error: { [field]: [message] } }, { status: 413 })
  }
  const submission = parseWithZod(formData, { schema: SettingsAction })
  if (submission.status !== 'success') return json(submission.reply(), { status: 400 })
  const input = submission.value
  if (input.intent === 'transfer') {
    try {
      await transferOwnership(viewer, slug, input.handle)
    } catch (error) {
      return refusalReply(submission, error, ['handle'])
    }
    return redirectWithNotice(slug, 'settings', 'transferred', { handle: input.handle })
  }
  const { cover, removeCover, intent: _intent, ...details } = input
  let newCover: string | null = null
  try {
    if (cover instanceof Blob && cover.size > 0) newCover = await storeClubCover(new Uint8Array(await cover.arrayBuffer()))
    const coverChange = newCover ? { coverPath: newCover } : removeCover ? { coverPath: null } : undefined
    const saved = await updateClub(viewer, slug, details, coverChange)
    await deleteUpload(saved.replacedCover)
    return redirectWithNotice(saved.slug, 'settings', 'saved')
  } catch (error) {
    await deleteUpload(newCover)
    return refusalReply(submission, error, Object.keys(ClubSchema.shape))
  }
}

const notices = {
  saved: () => 'Club details saved.',
  transferred: ({ handle }: { handle: string }) => `@${handle} now owns the club. You are an admin.`,
}

export default function ClubAdminSettingsRoute() {
  const { club, clubName, transferTo, specialities } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const navigation = useNavigation()
  const pending = navigation.state === 'submitting'
  const done = useActionNotice(notices)
  const generation = useFormGeneration()
  const [transferForm, transferFields] = useForm({
    id: `transfer-${generation}`,
    lastResult: result?.initialValue?.intent === 'transfer' ? result : undefined,
    shouldValidate: 'onSubmit',
    onValidate: ({ formData }) => parseWithZod(formData, { schema: TransferForm }),
  })
  // A part too large to read leaves no values to show again: only the club form has one.
  const editResult = result && (result.initialValue === null || result.initialValue?.intent === 'edit-club') ? result : undefined

  return (
    <div className="space-y-6">
      <AdminNotice message={strayRefusal(result, intents)} ok={false} />
      {club ? (
        <AdminSection id="edit" title="Edit club">
          <AdminNotice message={done?.of('saved')} ok />
          <ClubForm
            id={`edit-club-${generation}`}
            intent="edit-club"
            lastResult={editResult}
            defaultValue={{
              name: club.name,
              slug: club.slug,
              description: club.description,
              specialities: club.specialities,
              visibility: club.visibility,
            }}
            coverUrl={club.coverUrl}
            specialities={specialities}
            submitLabel="Save club details"
            pending={pending && navigation.formData?.get('intent') === 'edit-club'}
          />
        </AdminSection>
      ) : null}

      {transferTo ? (
        <AdminSection
          id="transfer"
          title="Transfer ownership"
          intro="Hand the club to another member. They become the owner; you stay on as an admin. Only they can hand it back."
        >
          <AdminNotice message={done?.of('transferred')} ok />
          <AdminNotice message={refusalFor(result, ['transfer'], ['handle', 'confirm'])} ok={false} />
          <Form method="post" {...getFormProps(transferForm)} className="space-y-3">
            <input type="hidden" name="intent" value="transfer" />
            <div className="max-w-sm">
              <label htmlFor={transferFields.handle.id} className="block text-sm font-medium text-slate-800">
                New owner’s handle
              </label>
              <HandleInput field={transferFields.handle} list="member-handles" />
              <datalist id="member-handles">
                {transferTo.map((p) => (
                  <option key={p.handle} value={p.handle}>
                    {p.name}
                  </option>
                ))}
              </datalist>
            </div>
            <label className="flex items-start gap-2 text-sm">
              <input
                type="checkbox"
                name={transferFields.confirm.name}
                className="mt-1"
                aria-invalid={transferFields.confirm.errors ? true : undefined}
                aria-describedby={transferFields.confirm.errors ? transferFields.confirm.errorId : undefined}
              />
              <span>I understand that I will no longer own {clubName}.</span>
            </label>
            <FieldErrors id={transferFields.confirm.errorId} errors={transferFields.confirm.errors} />
            <button type="submit" className="rounded-md bg-red-700 px-4 py-2 text-sm font-semibold text-white hover:bg-red-800 disabled:opacity-60" disabled={pending}>
              Transfer ownership
            </button>
          </Form>
        </AdminSection>
      ) : null}
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
