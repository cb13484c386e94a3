/*
 * Rounds' service worker: shows web push notices and opens their page on click (decision 033).
 * The server sends { title, body, url, tag } (server/notifications/push.ts); `tag` is the
 * notice's id, so a notice delivered twice replaces itself instead of showing twice.
 */
self.addEventListener('install', () => self.skipWaiting())
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()))

self.addEventListener('push', (event) => {
  let notice = {}
  try {
    notice = event.data ? event.data.json() : {}
  } catch {
    notice = { body: event.data ? event.data.text() : '' }
  }
  const title = typeof notice.title === 'string' && notice.title ? notice.title : 'Rounds'
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof notice.body === 'string' ? notice.body : '',
      tag: typeof notice.tag === 'string' ? notice.tag : undefined,
      icon: '/favicon.svg',
      data: { url: typeof notice.url === 'string' ? notice.url : '/notifications' },
    }),
  )
})

self.addEventListener('notificationclick', (event) => {
  event.notification.close()
  const target = new URL((event.notification.data && event.notification.data.url) || '/notifications', self.location.origin)
  // Only Rounds' own pages: a notice never opens another site.
  const url = target.origin === self.location.origin ? target.href : new URL('/notifications', self.location.origin).href
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      const open = windows.find((client) => client.url === url)
      if (open) return open.focus()
      return self.clients.openWindow(url)
    }),
  )
})

// The browser replaced the subscription (it expired, or the push service rotated it): subscribe
// again with the same key and tell Rounds, which swaps it only if this browser is still on the
// person's list. Signed out or removed: nothing is kept.
self.addEventListener('pushsubscriptionchange', (event) => {
  event.waitUntil(
    (async () => {
      const old = event.oldSubscription
      if (!old) return
      const key = old.options && old.options.applicationServerKey
      const fresh = event.newSubscription || (key ? await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }) : null)
      if (!fresh) return
      const { endpoint, keys } = fresh.toJSON()
      if (!endpoint || !keys || !keys.p256dh || !keys.auth) return
      const body = new URLSearchParams({ intent: 'renew', oldEndpoint: old.endpoint, endpoint, p256dh: keys.p256dh, auth: keys.auth })
      const answer = await fetch('/settings/push-subscriptions', { method: 'POST', body, credentials: 'include' })
      if (answer.status === 404) await fresh.unsubscribe()
    })(),
  )
})
