import type { LoaderFunctionArgs } from '@remix-run/node'
import { json } from '@remix-run/node'
import { z } from 'zod'
import { BREAKDOWNS, getReportCell } from '#db/ads/index'
import { PublicError } from '#db/errors'
import { requireUser } from '~/utils/auth.server'

const Query = z.object({
  day: z.string({ required_error: 'Choose a day.' }).regex(/^\d{4}-\d{2}-\d{2}$/, 'Choose a day as YYYY-MM-DD.'),
  dimension: z.enum(BREAKDOWNS, { errorMap: () => ({ message: 'Choose speciality or region.' }) }),
  value: z.string({ required_error: 'Choose a group.' }).min(1, 'Choose a group.').max(80, 'Choose a group from the report.'),
})

/** One cell of a report as JSON: a cell held back answers 403, never a number. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const url = new URL(request.url)
  const query = Query.safeParse(Object.fromEntries(url.searchParams))
  if (!query.success) return json({ ok: false, message: query.error.issues[0].message }, { status: 400 })
  try {
    const cell = await getReportCell(viewer, params.id ?? '', query.data.day, query.data.dimension, query.data.value)
    return json({ ok: true, cell })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ ok: false, message: error.message }, { status: error.status })
  }
}
