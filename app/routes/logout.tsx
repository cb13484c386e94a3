import type { ActionFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { blankSessionCookie, endSessionById } from '#server/auth'
import { disconnectSessions } from '#server/realtime/index'

export async function loader() {
  return redirect('/')
}

export async function action({ context }: ActionFunctionArgs) {
  if (context.auth) {
    await endSessionById(context.auth.session.id)
    disconnectSessions([context.auth.session.id])
  }
  return redirect('/', { headers: { 'Set-Cookie': blankSessionCookie() } })
}
