import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { PublicError } from '#db/errors'
import { countUnreadNotifications, listNotifications, markAllNotificationsRead, markNotificationRead, openNotification } from '#db/notifications'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { requireUser, safeRedirectPath } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'
import { LocalTime } from '~/utils/time-zone'
import { ActionMessage, useSettledActionData } from '~/utils/action-message'
import { orErrorPage } from '~/utils/error-page'

export const meta: MetaFunction = () => [{ title: 'Notifications — Rounds' }]

const NotificationAction = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('read'), id: z.string().min(1).max(100) }),
  z.object({ intent: z.literal('open'), id: z.string().min(1).max(100) }),
  z.object({ intent: z.literal('read-all') }),
])

const PageQuery = z.object({ before: z.string().max(100).optional() })

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const query = PageQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams))
  if (!query.success) throw new Response('That page of notifications does not exist.', { status: 400 })
  const [page, unread] = await orErrorPage(
    Promise.all([listNotifications(viewer, { before: query.data.before ?? null }), countUnreadNotifications(viewer)]),
  )
  return json({ ...page, unread, paged: Boolean(query.data.before) })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const parsed = NotificationAction.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) return json({ ok: false, message: 'Choose a notification to mark as read.' }, { status: 400 })
  try {
    if (parsed.data.intent === 'open') {
      // Where a notice leads is the server's own path, never taken from the form.
      return redirect(safeRedirectPath(await openNotification(viewer, parsed.data.id), '/notifications'))
    }
    if (parsed.data.intent === 'read') {
      await markNotificationRead(viewer, parsed.data.id)
      return json({ ok: true, message: 'Marked as read.' })
    }
    const n = await markAllNotificationsRead(viewer)
    return json({ ok: true, message: n === 1 ? 'Marked 1 notification as read.' : `Marked ${n} notifications as read.` })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ ok: false, message: error.message }, { status: error.status })
  }
}

export default function NotificationsRoute() {
  const { items, next, unread, paged } = useLoaderData<typeof loader>()
  const result = useSettledActionData<typeof action>()
  return (
    <div className="mx-auto max-w-2xl">
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h1 className="text-2xl font-semibold">Notifications</h1>
          {unread > 0 ? (
            <Form method="post">
              <input type="hidden" name="intent" value="read-all" />
              <button type="submit" className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50">
                Mark all as read
              </button>
            </Form>
          ) : null}
        </div>
        <p className="mt-2 text-slate-600" data-testid="unread-count">
          {unread === 0 ? 'You are all caught up.' : unread === 1 ? '1 unread notification.' : `${unread} unread notifications.`}{' '}
          <Link to="/settings/notifications" className="text-brand-700 underline">
            Choose what we email you
          </Link>
        </p>
        <ActionMessage result={result} className="mt-4" />
        {items.length === 0 ? (
          <p className="mt-6 text-slate-500">{paged ? 'No older notifications.' : 'Nothing yet. Follows, invitations and notices about your account will appear here.'}</p>
        ) : (
          <ul className="mt-4 divide-y divide-slate-200">
            {items.map((n) => (
              <li key={n.id} className="flex items-start justify-between gap-3 py-3" data-testid="notification" data-read={n.read ? 'true' : 'false'}>
                <div className="min-w-0">
                  {/* A div, not a p: the unread title is a form, which a paragraph may not hold. */}
                  <div className={n.read ? 'text-slate-700' : 'font-semibold text-slate-900'}>
                    {n.read ? null : <span className="sr-only">Unread: </span>}
                    {n.link && n.read ? (
                      <Link to={n.link} className="hover:underline">
                        {n.title}
                      </Link>
                    ) : n.link ? (
                      // Opening an unread notice marks it read on the way, with or without JavaScript.
                      <Form method="post" className="inline">
                        <input type="hidden" name="intent" value="open" />
                        <input type="hidden" name="id" value={n.id} />
                        <button type="submit" className="text-left hover:underline">
                          {n.title}
                        </button>
                      </Form>
                    ) : (
                      n.title
                    )}
                  </div>
                  {n.body ? <p className="mt-1 text-sm text-slate-600">{n.body}</p> : null}
                  <p className="mt-1 text-xs text-slate-500">
                    <LocalTime at={n.updatedAt} style="dateTime" />
                  </p>
                </div>
                {n.read ? null : (
                  <Form method="post" className="shrink-0">
                    <input type="hidden" name="intent" value="read" />
                    <input type="hidden" name="id" value={n.id} />
                    <button type="submit" className="rounded-md border border-slate-300 px-3 py-1 text-sm hover:bg-slate-50" aria-label={`Mark “${n.title}” as read`}>
                      Mark as read
                    </button>
                  </Form>
                )}
              </li>
            ))}
          </ul>
        )}
        {next ? (
          <p className="mt-4">
            <Link to={`/notifications?before=${encodeURIComponent(next)}`} className="font-medium text-brand-700 underline">
              Older notifications
            </Link>
          </p>
        ) : null}
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
