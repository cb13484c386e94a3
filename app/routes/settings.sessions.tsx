import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { listDeviceSessions } from '#db/session-devices'
import { endOtherSessions, endSession } from '#db/sessions'
import { disconnectSessions } from '#server/realtime/index'
import { SettingsNav } from '~/components/settings-nav'
import { requireUser } from '~/utils/auth.server'
import { deviceName } from '~/utils/device-name.server'
import { readForm } from '~/utils/form.server'
import { LocalTime } from '~/utils/time-zone'

export const meta: MetaFunction = () => [{ title: 'Devices and sessions — Rounds' }]

const SessionAction = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('end-one'), publicId: z.string().min(1).max(100) }),
  z.object({ intent: z.literal('end-others') }),
])

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { userId, sessionId } = requireUser(context, request)
  const sessions = await listDeviceSessions(userId, { currentSessionId: sessionId })
  return json({
    // Each session is named by its public id: the page never holds what signs a device in.
    sessions: sessions.map((s) => ({
      publicId: s.publicId,
      current: s.current,
      createdAt: s.createdAt.toISOString(),
      lastSeenAt: (s.lastSeenAt ?? s.createdAt).toISOString(),
      device: deviceName(s.userAgent),
      ipAddress: s.ipAddress,
    })),
  })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { userId, sessionId, sessionPublicId } = requireUser(context, request)
  const parsed = SessionAction.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) return json({ message: 'Choose which session to end.', ok: false }, { status: 400 })
  if (parsed.data.intent === 'end-one' && parsed.data.publicId === sessionPublicId) {
    return json({ message: 'To end this session, use Sign out.', ok: false }, { status: 400 })
  }
  const ended =
    parsed.data.intent === 'end-one'
      ? await endSession(userId, parsed.data.publicId)
      : await endOtherSessions(userId, sessionId)
  disconnectSessions(ended)
  if (parsed.data.intent === 'end-one' && ended.length === 0) {
    return json({ message: 'That session has already ended.', ok: false }, { status: 404 })
  }
  return json({
    message: ended.length === 1 ? 'Signed out 1 other session.' : `Signed out ${ended.length} other sessions.`,
    ok: true,
  })
}

export default function SessionsRoute() {
  const { sessions } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const others = sessions.filter((s) => !s.current).length
  return (
    <div className="mx-auto max-w-2xl">
      <SettingsNav />
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-2xl font-semibold">Devices and sessions</h1>
        <p className="mt-2 text-slate-600">Where your account is signed in. End any session you do not recognise.</p>
        {result ? (
          <p role={result.ok ? 'status' : 'alert'} className={`mt-4 rounded-md p-3 ${result.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
            {result.message}
          </p>
        ) : null}
        <ul className="mt-4 divide-y divide-slate-200">
          {sessions.map((s) => (
            <li key={s.publicId} className="flex flex-wrap items-center justify-between gap-3 py-3" data-testid="session-row">
              <div>
                <p className="font-medium">
                  {s.device} {s.current ? <span className="ml-1 rounded bg-brand-100 px-2 py-0.5 text-xs text-brand-700">This device</span> : null}
                </p>
                <p className="text-sm text-slate-500" data-testid="session-seen">
                  {s.current ? 'Active now' : <>Last seen <LocalTime at={s.lastSeenAt} style="dateTime" /></>} · signed in{' '}
                  <LocalTime at={s.createdAt} style="day" />
                  {s.ipAddress ? ` · IP address ${s.ipAddress}` : ''}
                </p>
              </div>
              {s.current ? null : (
                <Form method="post">
                  <input type="hidden" name="intent" value="end-one" />
                  <input type="hidden" name="publicId" value={s.publicId} />
                  <button type="submit" className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50">
                    Sign out
                  </button>
                </Form>
              )}
            </li>
          ))}
        </ul>
        {others > 0 ? (
          <Form method="post" className="mt-4">
            <input type="hidden" name="intent" value="end-others" />
            <button type="submit" className="rounded-md bg-red-700 px-4 py-2 font-semibold text-white hover:bg-red-800">
              Sign out all other devices
            </button>
          </Form>
        ) : null}
      </section>
    </div>
  )
}
