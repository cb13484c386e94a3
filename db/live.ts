/*
 * The live room (docs/live-room.md, contract in docs/live-contract.md), by part in db/live/:
 * the viewer's standing (access.ts, on the talk entry rule of db/access/talks.ts), joining and
 * the room state (room.ts, batch.ts), attendance, the stage, hosting, comments, questions,
 * reactions, and who does not hear whom (silenced.ts: blocks and mutes). Its state lives in Postgres so a restart or a reconnect restores it exactly. Every
 * function takes the viewer and throws PublicError when they may not.
 *
 * This module is what the rest of Rounds imports.
 */

export {
  canEnterTalk,
  isModerator,
  refuse,
  requireLive,
  requireModerator,
  talkStanding,
  type TalkStanding,
} from './access/index'
export { isId } from './ids'
export * from './live/types'
export { clubOfTalk, loadAccess, type Q } from './live/access'
export { missingConsentSql } from './live/consent'
export { iso } from './live/rows'
export { checkTalkEntry, confirmNotRemoved, enterTalk, getRoomState } from './live/room'
export { attendanceReport, closeOpenAttendance, countAudience, leaveTalk } from './live/attendance'
export {
  askToMute,
  clearStage,
  inviteToStage,
  leaveStage,
  loadStage,
  lowerHand,
  moveToAudience,
  raiseHand,
  redactForAudience,
  respondToStageInvite,
} from './live/stage'
export { endTalk, openTalk, promoteToCohost, removeFromTalk } from './live/hosting'
export { deleteComment, pinComment, postComment } from './live/comments'
export { askQuestion, markQuestion, voteQuestion } from './live/questions'
export { recordReactions } from './live/reactions'
export { peopleNotToReceiveFrom } from './live/silenced'
