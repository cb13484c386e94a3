/*
 * The choices the privacy centre offers, as plain constants: the forms in the
 * browser validate against them too, so this module holds no queries (it is
 * listed as browser-safe in vite.config.ts). The rules live in db/privacy/.
 */

export const LISTS_VISIBILITY = ['signed_in', 'followers', 'only_me'] as const
export const INVITES_FROM = ['anyone', 'following', 'nobody'] as const
export type ListsVisibility = (typeof LISTS_VISIBILITY)[number]
export type InvitesFrom = (typeof INVITES_FROM)[number]

export const CHANNELS = ['email', 'sms', 'whatsapp', 'push'] as const
export const MESSAGE_KINDS = ['service', 'engagement', 'promotional'] as const
/** Service messages are always sent; these may be turned off. */
export const OPTIONAL_KINDS = ['engagement', 'promotional'] as const
export type Channel = (typeof CHANNELS)[number]
export type MessageKind = (typeof MESSAGE_KINDS)[number]
export type OptionalKind = (typeof OPTIONAL_KINDS)[number]
