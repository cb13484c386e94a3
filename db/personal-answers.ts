import { eq } from 'drizzle-orm'
import { db } from './client'
import { privacySettings, profiles } from './schema/index'

/**
 * What a person told Rounds about their work — speciality and interests — for suggestions and
 * the home feed; null when they objected to personalisation (then nothing personal is used) or
 * have no profile. Read once per page and passed to each part that needs it.
 */
export type PersonalAnswers = { speciality: string | null; interests: string[] } | null

export async function personalAnswers(userId: string): Promise<PersonalAnswers> {
  const [me] = await db
    .select({ speciality: profiles.speciality, interests: profiles.interests, objected: privacySettings.objectPersonalisation })
    .from(profiles)
    .leftJoin(privacySettings, eq(privacySettings.userId, profiles.userId))
    .where(eq(profiles.userId, userId))
  return me && !me.objected ? { speciality: me.speciality, interests: me.interests } : null
}
