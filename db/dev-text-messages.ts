import { randomUUID } from 'node:crypto'
import { desc } from 'drizzle-orm'
import { db } from './client'
import { devTextMessages } from './schema/index'

/*
 * SMS and WhatsApp messages a local server keeps instead of sending (no provider configured),
 * shown at /dev/mailbox beside the emails. Never used in production (server/notifications/sms.ts).
 */

export type TextChannel = 'sms' | 'whatsapp'
export type StoredTextMessage = { id: string; channel: TextChannel; to: string; text: string; sentAt: Date }

export async function storeDevTextMessage(message: { channel: TextChannel; to: string; text: string }) {
  const id = randomUUID()
  await db.insert(devTextMessages).values({ id, ...message })
  return id
}

export async function listDevTextMessages(options: { limit?: number } = {}): Promise<StoredTextMessage[]> {
  const rows = await db
    .select({ id: devTextMessages.id, channel: devTextMessages.channel, to: devTextMessages.to, text: devTextMessages.text, sentAt: devTextMessages.sentAt })
    .from(devTextMessages)
    .orderBy(desc(devTextMessages.sentAt), desc(devTextMessages.id))
    .limit(options.limit ?? 50)
  return rows.map((r) => ({ ...r, channel: r.channel === 'whatsapp' ? 'whatsapp' : 'sms' }))
}
