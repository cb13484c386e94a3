import { parseWithZod } from '@conform-to/zod'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { createClub } from '#db/clubs'
import { PublicError } from '#db/errors'
import { specialities } from '#db/specialities'
import { PHOTO_MAX_BYTES, deleteUpload, storeClubCover } from '#server/uploads'
import { ClubForm } from '~/components/club-form'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { requireUser } from '~/utils/auth.server'
import { FormPartTooLargeError, readUploadForm } from '~/utils/form.server'
import { ClubSchema } from '~/utils/club-forms'

export const meta: MetaFunction = () => [{ title: 'Create a club — Rounds' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  requireUser(context, request)
  return json({ specialities })
}

/** The form as sent: multipart when it carries a cover, url-encoded otherwise. */
async function readClubForm(request: Request) {
  const form = await readUploadForm(request, { cover: PHOTO_MAX_BYTES })
  return form instanceof FormPartTooLargeError ? { tooLarge: form.isFile ? 'cover' : form.field } : form
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const formData = await readClubForm(request)
  if (!(formData instanceof FormData)) {
    const field = formData.tooLarge === 'cover' ? 'cover' : 'description'
    const message = field === 'cover' ? 'The cover image must be 5 MB or smaller.' : 'That is far more text than a club description can hold.'
    return json({ status: 'error' as const, initialValue: null, error: { [field]: [message] } }, { status: 413 })
  }
  const submission = parseWithZod(formData, { schema: ClubSchema })
  if (submission.status !== 'success') return json(submission.reply(), { status: 400 })
  const { cover, removeCover: _ignored, ...input } = submission.value
  let coverPath: string | null = null
  try {
    if (cover instanceof Blob && cover.size > 0) coverPath = await storeClubCover(new Uint8Array(await cover.arrayBuffer()))
    const club = await createClub(viewer, input, coverPath)
    return redirect(`/c/${club.slug}?created=1`)
  } catch (error) {
    // Nothing is left behind when the club could not be created.
    await deleteUpload(coverPath)
    if (!(error instanceof PublicError)) throw error
    const reply = error.field
      ? submission.reply({ fieldErrors: { [error.field]: [error.message] } })
      : submission.reply({ formErrors: [error.message] })
    return json(reply, { status: error.status })
  }
}

export default function NewClubRoute() {
  const { specialities } = useLoaderData<typeof loader>()
  const lastResult = useActionData<typeof action>()
  const navigation = useNavigation()
  return (
    <div className="mx-auto max-w-2xl">
      <p className="mb-3 text-sm">
        <Link to="/clubs" className="text-brand-700 underline">
          ← Clubs
        </Link>
      </p>
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <h1 className="text-2xl font-semibold">Create a club</h1>
        <p className="mt-2 text-slate-600">
          A club is a home for talks, case discussions and quizzes. You will be its owner and can add admins later.
        </p>
        <div className="mt-6">
          <ClubForm
            id="new-club"
            lastResult={lastResult}
            specialities={specialities}
            submitLabel="Create club"
            pending={navigation.state === 'submitting'}
            suggestSlug
          />
        </div>
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
