import type { Viewer } from '../viewer'

// Who may do what with a third-party app (docs/who-sees-what.md, "Apps").

export type AppStatus = 'development' | 'public' | 'suspended'

/** Every scope an app may ask for, and what it lets the app do, in a doctor's words. */
export const APP_SCOPES = {
  openid: 'Know it is you (a Rounds id only this app sees)',
  profile: 'See your name, photo and speciality',
  verified: 'See whether you are a verified doctor (never your registration number)',
  'talks:read': 'See the talks you said you are going to',
  'certificates:read': 'See your attendance certificates and minutes',
  'clubs:read': 'See your public clubs, and the private clubs you choose below',
  'rsvp:write': 'Say you are going to a talk, or no longer going, for you',
} as const

export type AppScope = keyof typeof APP_SCOPES
export const appScopes = Object.keys(APP_SCOPES) as AppScope[]
export const isAppScope = (value: string): value is AppScope => Object.hasOwn(APP_SCOPES, value)

/** Only an app's developer manages it; staff review it on their own pages. */
export function managesApp(viewer: Viewer, app: { developerId: string }): boolean {
  return viewer !== null && viewer.userId === app.developerId
}

/**
 * Whether this member may authorise the app now: a public app, anyone; an app in development,
 * only its developer and its named testers; a suspended app, no one.
 */
export function mayAuthoriseApp(userId: string, app: { status: AppStatus; developerId: string }, testerIds: readonly string[]): boolean {
  if (app.status === 'suspended') return false
  if (app.status === 'public') return true
  return app.developerId === userId || testerIds.includes(userId)
}

/** The scopes an API call needs, all of them granted. */
export function scopesAllow(granted: readonly string[], needed: readonly AppScope[]): boolean {
  return needed.every((scope) => granted.includes(scope))
}
