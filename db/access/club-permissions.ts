/**
 * Club roles and what each may do: the one table the server checks and the UI mirrors. Free of
 * database code, so components import it directly (`#db/access/club-permissions`).
 */
export const clubRoles = ['owner', 'admin', 'moderator', 'member'] as const
export type ClubRole = (typeof clubRoles)[number]

export const clubPermissions = [
  'view:club',
  'edit:club',
  'read:members-all',
  'manage:members',
  'manage:invites',
  'manage:roles',
  'read:audit',
  'transfer:club',
  'moderate:talks',
  'schedule:talks',
  'manage:certificates',
] as const
export type ClubPermission = (typeof clubPermissions)[number]

const granted: Record<ClubRole, readonly ClubPermission[]> = {
  owner: clubPermissions,
  admin: [
    'view:club',
    'edit:club',
    'read:members-all',
    'manage:members',
    'manage:invites',
    'manage:roles',
    'read:audit',
    'moderate:talks',
    'schedule:talks',
    'manage:certificates',
  ],
  moderator: ['view:club', 'read:members-all', 'moderate:talks'],
  member: ['view:club'],
}

const rank: Record<ClubRole, number> = { owner: 3, admin: 2, moderator: 1, member: 0 }

export function can(role: ClubRole | null | undefined, permission: ClubPermission) {
  return role ? granted[role].includes(permission) : false
}

/** The roles holding a permission, for queries that must decide in SQL what `can` decides here. */
export function rolesWith(permission: ClubPermission): ClubRole[] {
  return clubRoles.filter((role) => granted[role].includes(permission))
}

export function permissionsOf(role: ClubRole | null | undefined): ClubPermission[] {
  return role ? [...granted[role]] : []
}

/** An actor acts on people below them; only the owner hands out 'admin', and nobody hands out 'owner'. */
export function canActOn(actor: ClubRole, target: ClubRole) {
  return rank[actor] > rank[target]
}

export function canGrant(actor: ClubRole, role: ClubRole) {
  if (role === 'owner') return false
  if (role === 'admin') return actor === 'owner'
  return rank[actor] >= rank.admin
}
