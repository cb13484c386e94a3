import { Form, useRevalidator } from '@remix-run/react'
import { useEffect, useState } from 'react'
import { LocalTime } from '~/utils/time-zone'

/*
 * Settings → Notifications → Browser notifications: the browsers subscribed to push, each
 * removable with a plain form, and a switch that asks this browser's permission, registers the
 * service worker (/sw.js) and sends its subscription to the server. The switch shows only where
 * the browser has the Push API (after hydration); the list works without JavaScript.
 */

export type PushDeviceItem = { id: string; device: string; createdAt: string; endpointTag: string }

type Support = 'checking' | 'unsupported' | 'denied' | 'off' | 'on'

/** The Push API wants the VAPID public key as bytes. */
function keyBytes(base64Url: string) {
  const base64 = (base64Url + '='.repeat((4 - (base64Url.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/')
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
}

/** The same short tag of an endpoint the server lists (server: sha256 hex, first 16). */
async function tagOf(endpoint: string) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(endpoint))
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0'))
    .join('')
    .slice(0, 16)
}

function pushSupported() {
  return typeof window !== 'undefined' && window.isSecureContext && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window
}

export function BrowserNotifications({ publicKey, devices }: { publicKey: string; devices: PushDeviceItem[] }) {
  const revalidator = useRevalidator()
  const [support, setSupport] = useState<Support>('checking')
  const [thisTag, setThisTag] = useState<string | null>(null)
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null)
  const [busy, setBusy] = useState(false)
  const known = devices.map((d) => d.endpointTag).join(',')

  useEffect(() => {
    let cancelled = false
    async function check() {
      if (!pushSupported()) return setSupport('unsupported')
      if (Notification.permission === 'denied') return setSupport('denied')
      const registration = await navigator.serviceWorker.getRegistration('/')
      const subscription = await registration?.pushManager.getSubscription()
      const tag = subscription ? await tagOf(subscription.endpoint) : null
      if (cancelled) return
      setThisTag(tag)
      setSupport(tag && known.split(',').includes(tag) ? 'on' : 'off')
    }
    check().catch(() => setSupport('unsupported'))
    return () => {
      cancelled = true
    }
  }, [known])

  async function turnOn() {
    setBusy(true)
    setMessage(null)
    try {
      const permission = await Notification.requestPermission()
      if (permission !== 'granted') {
        setSupport(permission === 'denied' ? 'denied' : 'off')
        setMessage({ ok: false, text: 'Your browser did not allow notifications, so none were turned on.' })
        return
      }
      await navigator.serviceWorker.register('/sw.js', { scope: '/' })
      const registration = await navigator.serviceWorker.ready
      const subscription =
        (await registration.pushManager.getSubscription()) ??
        (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) }))
      const json = subscription.toJSON()
      const body = new URLSearchParams({ intent: 'subscribe', endpoint: json.endpoint ?? '', p256dh: json.keys?.p256dh ?? '', auth: json.keys?.auth ?? '' })
      const response = await fetch('/settings/push-subscriptions', { method: 'POST', body })
      const answer = (await response.json().catch(() => null)) as { message?: string } | null
      setMessage({ ok: response.ok, text: answer?.message ?? (response.ok ? 'Browser notifications are on.' : 'That did not work. Reload the page and try again.') })
      if (response.ok) revalidator.revalidate()
    } catch {
      setMessage({ ok: false, text: 'This browser could not turn on notifications. Try again, or use another browser.' })
    } finally {
      setBusy(false)
    }
  }

  return (
    <section id="browsers" className="mt-6 rounded-xl border border-slate-200 bg-white p-6 shadow-sm" aria-labelledby="browsers-heading">
      <h2 id="browsers-heading" className="text-xl font-semibold">
        Browser notifications
      </h2>
      <p className="mt-2 text-slate-600">Notices pop up on your computer or phone, even when Rounds is closed. The Push column above decides which.</p>
      {support === 'off' ? (
        <button
          type="button"
          onClick={() => void turnOn()}
          disabled={busy}
          className="mt-3 rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700 disabled:opacity-60"
        >
          Turn on browser notifications
        </button>
      ) : null}
      {support === 'unsupported' ? <p className="mt-3 text-sm text-slate-700">This browser cannot show notifications from websites.</p> : null}
      {support === 'on' ? <p className="mt-3 text-sm text-slate-700">Browser notifications are on in this browser.</p> : null}
      {support === 'denied' ? (
        <p className="mt-3 text-sm text-slate-700">This browser blocks notifications from Rounds. To get them, allow notifications in the browser’s site settings.</p>
      ) : null}
      {message ? (
        <p role={message.ok ? 'status' : 'alert'} className={`mt-3 rounded-md p-3 text-sm ${message.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
          {message.text}
        </p>
      ) : null}
      {devices.length > 0 ? (
        <ul className="mt-4 divide-y divide-slate-200" data-testid="push-devices">
          {devices.map((d) => (
            <li key={d.id} className="flex flex-wrap items-center justify-between gap-3 py-3">
              <div>
                <p className="font-medium">
                  {d.device}
                  {d.endpointTag === thisTag ? <span className="ml-2 rounded bg-brand-100 px-2 py-0.5 text-xs text-brand-700">This browser</span> : null}
                </p>
                <p className="text-sm text-slate-500">
                  Turned on <LocalTime at={d.createdAt} style="day" />
                </p>
              </div>
              <Form method="post" action="/settings/push-subscriptions">
                <input type="hidden" name="intent" value="remove" />
                <input type="hidden" name="id" value={d.id} />
                <button type="submit" className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50" aria-label={`Remove ${d.device}`}>
                  Remove
                </button>
              </Form>
            </li>
          ))}
        </ul>
      ) : (
        <p className="mt-3 text-sm text-slate-500">No browser gets notifications yet.</p>
      )}
    </section>
  )
}
