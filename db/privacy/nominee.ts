import { eq } from 'drizzle-orm'
import { db } from '../client'
import { PublicError } from '../errors'
import { nominees, users } from '../schema/index'
import { notFound } from './writes'

// The nominee: who may act for the account when its owner no longer can.

export type Nominee = { name: string; email: string; relationship: string; updatedAt: Date }
export type NomineeInput = Omit<Nominee, 'updatedAt'>

export async function getNominee(userId: string): Promise<Nominee | null> {
  const [row] = await db
    .select({ name: nominees.name, email: nominees.email, relationship: nominees.relationship, updatedAt: nominees.updatedAt })
    .from(nominees)
    .where(eq(nominees.userId, userId))
  return row ?? null
}

export async function saveNominee(userId: string, input: NomineeInput) {
  await db.transaction(async (tx) => {
    const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId))
    if (!user) throw notFound()
    if (user.email.toLowerCase() === input.email.toLowerCase()) {
      throw new PublicError('Name someone other than yourself: use their email address.', 400, 'email')
    }
    const now = new Date()
    await tx
      .insert(nominees)
      .values({ userId, ...input, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: nominees.userId, set: { ...input, updatedAt: now } })
  })
}

export async function removeNominee(userId: string) {
  const rows = await db.delete(nominees).where(eq(nominees.userId, userId)).returning({ userId: nominees.userId })
  if (rows.length === 0) throw new PublicError('You have no nominee to remove.', 404)
}
