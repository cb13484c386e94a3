/*
 * Trust and safety (docs/decisions/027-moderation.md, docs/who-sees-what.md): reports, the items
 * they hold back, the moderation queue, moderators' decisions and the author's appeals. Who may
 * report or moderate what is in db/access/moderation.ts.
 *
 * This module is what the rest of Rounds imports.
 */

import { hasStaffDuty } from '../access/index'
import type { Viewer } from '../viewer'

export { checkedReport, listMyReports, reportItem, type MyReport, type ReportInput, type ReportResult } from './reports'
export {
  holdOf,
  listenForHeldItems,
  liftHold,
  myPendingText,
  placeHold,
  removeHeldItem,
  shownAgain,
  MODERATION_HOLD_CHANNEL,
  PLACEHOLDER_TITLE,
  type HeldItemNotice,
  type HoldState,
  type PageTextKind,
} from './holds'
export {
  clubRoleOf,
  getModerationItem,
  listModerationQueue,
  listOpenAppeals,
  readItem,
  type ItemInContext,
  type LoggedAction,
  type ModerationItemPage,
  type QueueEntry,
  type ReportOfItem,
} from './queue'
export { decideItem, limitPosting, logAction, suspendAccount, type DecisionResult, type ModerationDecision } from './actions'
export { appealAction, decideAppeal, listActionsOnMe, type ActionOnMe } from './appeals'
export * from './reasons'
export { addWatchedWord, checkedPattern, findWatchedWord, listWatchedWords, removeWatchedWord, type WatchedWord, type WatchedWordAction } from './watched-words'

/** Whether the viewer is staff with the moderator duty (the header links them to the queue). */
export const isStaffModerator = (viewer: Viewer) => hasStaffDuty(viewer, 'moderator')
