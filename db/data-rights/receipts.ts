import { and, eq, gt, isNull } from 'drizzle-orm'
import { db } from '../client'
import { PublicError } from '../errors'
import { erasureReceipts } from '../schema/index'
import type { ErasureReceiptContent } from './erasure'

// The receipt an erased person gets: shown once, through a link that expires.

export type ReceiptState = { state: 'ready'; createdAt: Date } | { state: 'used' } | { state: 'expired' } | null

export async function receiptState(receiptId: string, now = new Date()): Promise<ReceiptState> {
  const [row] = await db
    .select({ createdAt: erasureReceipts.createdAt, viewedAt: erasureReceipts.viewedAt, expiresAt: erasureReceipts.expiresAt })
    .from(erasureReceipts)
    .where(eq(erasureReceipts.id, receiptId))
  if (!row) return null
  if (row.viewedAt) return { state: 'used' }
  if (row.expiresAt.getTime() <= now.getTime()) return { state: 'expired' }
  return { state: 'ready', createdAt: row.createdAt }
}

/** Shows a receipt once: the first call gets it, every later one is "gone". */
export async function openReceipt(receiptId: string, now = new Date()): Promise<ErasureReceiptContent> {
  const [row] = await db
    .update(erasureReceipts)
    .set({ viewedAt: now })
    .where(and(eq(erasureReceipts.id, receiptId), isNull(erasureReceipts.viewedAt), gt(erasureReceipts.expiresAt, now)))
    .returning({ content: erasureReceipts.content })
  if (row) return row.content as ErasureReceiptContent
  const state = await receiptState(receiptId, now)
  if (!state) throw new PublicError('We could not find that receipt.', 404)
  throw new PublicError('This receipt has already been opened, or its link has expired. The email we sent has the same details.', 410)
}
