/** Who is asking. Every read in db/ takes one, so visibility rules live here and nowhere else. */
export type Viewer = { userId: string; role: 'member' | 'staff' } | null

export const anonymous: Viewer = null
