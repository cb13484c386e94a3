// The clubs module: one file per part under db/clubs/, and this one list of what the rest of
// Rounds may use. The club rules themselves live in db/access/clubs.ts.

// The talk and quiz modules read the club rule from here.
export { visibleClubCondition } from './access/clubs'
export { listClubsForViewer, listMyClubs, type ClubSummary, type ClubVisibility } from './clubs/summaries'
export { getClubPage, getClubShareInfo, type ClubPage } from './clubs/page'
export { createClub, updateClub, type ClubInput } from './clubs/details'
export { followClub, joinClub, leaveClub, unfollowClub } from './clubs/membership'
export { listClubFollowers, listClubMembers, type ClubPeopleList, type ClubPerson } from './clubs/people'
export {
  createInviteLink,
  joinByInviteLink,
  listInviteLinks,
  previewInviteLink,
  revokeInviteLink,
  rotateInviteLink,
  type InviteLink,
  type InvitePreview,
} from './clubs/invite-links'
export { cancelInvitation, declineInvitation, inviteToClub, listMyInvitations, listPendingInvitations } from './clubs/invitations'
export { changeMemberRole, liftBan, listBans, passOwnership, removeMember, transferOwnership } from './clubs/members'
export { listAuditLog, type AuditEntry } from './clubs/audit'
