import { rm } from 'node:fs/promises'
import { eraseAccount, recordRequestFailure, type ErasureResult, type ErasureStep } from '../../db/data-rights/index'
import type { JobInput } from '../../db/jobs'
import { forgetActor } from '../../db/notifications'
import { config } from '../config'
import { disconnectSessions } from '../realtime/index'
import { signedPath } from '../signed-links'
import { deleteUpload } from '../uploads'
import { deleteAllDocuments } from '../verification-documents'
import { exportPath } from './exports'

/**
 * Recordings the person hosted. None exist yet (recordings come with LiveKit
 * egress); when they do, this step deletes their rows and queues the stored files
 * for deletion, and returns the counts for the receipt.
 */
export const deleteHostedRecordings: ErasureStep = async () => ({})

/** Steps run inside the erasure transaction, for data outside the core tables. */
export const erasureSteps: ErasureStep[] = [deleteHostedRecordings, forgetActor]

export function receiptPath(receiptId: string, expiresAt: Date) {
  return signedPath('/receipts', 'receipt', receiptId, expiresAt)
}

const RECEIPT_DAYS_MS = 30 * 24 * 60 * 60 * 1000

function alsoDone(result: Omit<ErasureResult, 'receiptId'>) {
  const n = result.sessionIds.length
  return [
    n ? `Signed you out of ${n} ${n === 1 ? 'device' : 'devices'} and closed any live connections.` : 'No device was still signed in.',
    result.files.photo ? 'Deleted your profile photo file.' : null,
    result.files.exports.length ? `Deleted ${result.files.exports.length} ${result.files.exports.length === 1 ? 'copy' : 'copies'} of your data waiting for download.` : null,
    'Removed you from Rounds search.',
    'Recordings you hosted: none were stored.',
  ].filter((line): line is string => line !== null)
}

function table(counts: Record<string, number>) {
  const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b))
  return entries.length ? entries.map(([t, n]) => `  ${t.padEnd(28)} ${n}`).join('\n') : '  (none)'
}

function mails(result: ErasureResult, now: Date): JobInput[] {
  const { publicUrl } = config()
  const link = `${publicUrl}${receiptPath(result.receiptId, new Date(now.getTime() + RECEIPT_DAYS_MS))}`
  const receipt: JobInput = {
    queue: 'mail.send',
    payload: {
      to: result.email,
      subject: 'Your Rounds account has been erased',
      text: [
        'As you asked, we have erased your Rounds account. This is a service message: it is the last one we send to this address, and we do not keep the address.',
        '',
        'Removed (table: rows):',
        table(result.removed),
        '',
        'Unlinked from you (rows that stay, without your name):',
        table(result.unlinked),
        '',
        ...alsoDone(result),
        '',
        result.handedOver.clubs || result.handedOver.clubsClosed
          ? `Clubs you owned: ${result.handedOver.clubs} handed to their longest-standing admin or member, ${result.handedOver.clubsClosed} closed because nobody else was in them.`
          : 'You owned no clubs.',
        '',
        'Kept, and why:',
        ...result.kept.map((k) => `- ${k.table}: ${k.what} Why: ${k.why}`),
        '',
        `You can read this receipt once on Rounds for 30 days: ${link}`,
      ].join('\n'),
    },
  }
  const notices: JobInput[] = result.clubs.flatMap((club) =>
    club.notify.map((person) => ({
      queue: 'mail.send',
      payload: {
        to: person.email,
        subject: `You now ${person.isNewOwner ? 'own' : 'have a new owner in'} ${club.clubName}`,
        text: [
          `The owner of ${club.clubName} has closed their Rounds account.`,
          person.isNewOwner
            ? 'As its longest-standing admin (or member), you are now its owner. Talks and quizzes they ran in the club are now yours; the club’s audit log shows each hand-over.'
            : 'Ownership passed to the club’s longest-standing admin (or member); the club’s audit log shows the hand-over.',
        ].join('\n\n'),
      },
    })),
  )
  return [receipt, ...notices]
}

/**
 * Job `erasure.run`: erases the account in one transaction (db/data-rights/erasure.ts), then
 * ends live connections and deletes files. Everything after the commit is safe to
 * repeat and cannot bring data back: the rows are already gone.
 */
export async function runErasure(payload: Record<string, unknown>, now = new Date()) {
  const requestId = String(payload.requestId ?? '')
  let result: ErasureResult | null
  try {
    result = await eraseAccount(requestId, { now, steps: erasureSteps, also: alsoDone, mails: (r) => mails(r, now) })
  } catch (error) {
    // Nothing was erased (one transaction); the job retries, and the console shows why it is stuck.
    await recordRequestFailure(requestId, `Erasure failed and will be retried: ${error instanceof Error ? error.message : String(error)}`, now)
    throw error
  }
  if (!result) return null
  disconnectSessions(result.sessionIds)
  await deleteUpload(result.files.photo)
  await deleteAllDocuments(result.userId)
  for (const file of result.files.exports) await rm(exportPath(file), { force: true })
  return result
}
