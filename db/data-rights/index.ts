/*
 * Data rights: export, correction, erasure and the privacy officer's console. Every request has
 * a status, a deadline (30 days from receipt) and a history (data_request_events).
 *
 * requests.ts       what a person asks for, and the request history every part writes to
 * catalogue.ts      every column that points at a person, read from the database
 * export.ts         the copy of a person's data, and who has looked at it
 * staff-console.ts  the privacy officer console and legal holds (staff only)
 * erasure.ts        erasure with the retention rules of db/retention.ts
 * receipts.ts       the one-time erasure receipt
 *
 * Routes, jobs and tests import this module only.
 */
export {
  ERASURE_GRACE_DAYS,
  EXPORTS_PER_DAY,
  EXPORT_LINK_DAYS,
  GRIEVANCE_DEADLINE_DAYS,
  GRIEVANCE_MAX_CHARS,
  RECEIPT_LINK_DAYS,
  REQUEST_DEADLINE_DAYS,
  cancelErasure,
  correctableFields,
  fileGrievance,
  getMyRequest,
  getPendingErasure,
  grievanceTopics,
  lastCancelledErasure,
  listMyRequests,
  recordRequestFailure,
  requestCorrection,
  requestErasure,
  requestExport,
  type CorrectableField,
  type GrievanceTopic,
  type MyRequest,
  type RequestKind,
  type RequestStatus,
} from './requests'
export { listUserColumns, unruledColumns, type UserColumn } from './catalogue'
export {
  beginExport,
  collectExport,
  findExportDownload,
  finishExport,
  forgetExportFile,
  listAccessesToMyData,
  listExpiredExports,
  markExportDownloaded,
  streamExport,
  type DataAccess,
  type ExportAccount,
  type ExportData,
  type ExportedFile,
  type ExportMail,
  type ExportSection,
  type ExportSink,
  type ExportSummary,
} from './export'
export {
  addRequestNote,
  getRequestForStaff,
  listLegalHolds,
  listRequestsForStaff,
  placeLegalHold,
  releaseLegalHold,
  setRequestStatus,
  viewSubjectData,
  type HoldRow,
  type StaffDataView,
  type StaffRequestRow,
} from './staff-console'
export { eraseAccount, type ClubHandover, type ErasureReceiptContent, type ErasureResult, type ErasureStep } from './erasure'
export { openReceipt, receiptState, type ReceiptState } from './receipts'
