import { randomUUID } from 'node:crypto'
import { desc, sql } from 'drizzle-orm'
import { db } from './client'
import { devMailbox } from './schema/index'

export type StoredMail = { id: string; to: string; subject: string; text: string; sentAt: Date }

export async function storeDevMail(mail: { to: string; subject: string; text: string }) {
  await db.insert(devMailbox).values({ id: randomUUID(), ...mail })
}

export async function listDevMail(options: { to?: string; limit?: number } = {}): Promise<StoredMail[]> {
  return db
    .select({ id: devMailbox.id, to: devMailbox.to, subject: devMailbox.subject, text: devMailbox.text, sentAt: devMailbox.sentAt })
    .from(devMailbox)
    .where(options.to ? sql`lower(${devMailbox.to}) = lower(${options.to})` : undefined)
    .orderBy(desc(devMailbox.sentAt))
    .limit(options.limit ?? 50)
}
