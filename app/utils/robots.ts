import type { MetaDescriptor } from '@remix-run/node'

/** Tells search engines to leave a page out of their index. */
export const noindex: MetaDescriptor = { name: 'robots', content: 'noindex' }

/**
 * Parts of the site that are never public, whoever asks: accounts, staff, sign-in, tools, and
 * the pages under a club, talk or profile that are about its people or its running. `*` stands
 * for one path segment (a slug, id or handle). robots.txt disallows each, and their pages say
 * `noindex`. Whether a club, talk or profile page itself is public depends on its data, which
 * the data layer decides.
 */
export const privatePaths = [
  '/settings',
  '/notifications',
  '/staff',
  '/dev',
  '/api',
  '/bench',
  '/login',
  '/logout',
  '/signup',
  '/verify',
  '/unsubscribe',
  '/join',
  '/exports',
  '/receipts',
  '/recordings',
  '/search',
  '/cookies',
  '/clubs/new',
  '/q',
  '/c/*/admin',
  '/c/*/members',
  '/c/*/followers',
  '/c/*/talks/new',
  '/c/*/quizzes/new',
  '/t/*/live',
  '/t/*/report',
  '/u/*/followers',
  '/u/*/following',
]

const escape = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&')
const privatePatterns = privatePaths.map(
  (path) => new RegExp(`^${path.split('*').map(escape).join('[^/]+')}(/|$)`),
)

export function isPrivatePath(pathname: string) {
  return privatePatterns.some((pattern) => pattern.test(pathname))
}
