import { getCookieConsent, isDeactivated, listUnreadNotices } from '#db/privacy'

/**
 * What every page shows about privacy, for the root loader: whether to ask for
 * cookie consent, unread notices (such as a changed policy), and whether the
 * signed-in account is deactivated.
 */
export async function privacyChrome(userId: string | null, consentId: string | null) {
  const [consent, notices, deactivated] = await Promise.all([
    getCookieConsent({ userId, consentId }),
    userId ? listUnreadNotices(userId) : [],
    userId ? isDeactivated(userId) : false,
  ])
  return {
    cookieBanner: !consent?.current,
    notices: notices.map((n) => ({ id: n.id, kind: n.kind, subject: n.subject, title: n.title, body: n.body, link: n.link })),
    deactivated,
  }
}
