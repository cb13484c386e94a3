import { countUnreadNotifications } from '#db/notifications'
import type { Viewer } from '#db/viewer'

/**
 * What the header's bell needs: the viewer's unread notices that they may still see. For the
 * root loader: `bell: await loadNotificationBell(context.viewer)`, then
 * `<NotificationBell unread={data.bell.unread} />` beside the account menu.
 */
export async function loadNotificationBell(viewer: Viewer): Promise<{ unread: number }> {
  return { unread: await countUnreadNotifications(viewer) }
}
