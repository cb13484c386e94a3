import { db } from '../client'
import { isModerator, mayEnterTalk, refuse, type TalkStatus } from '../access/index'
import { isId } from '../ids'
import { accessSelect, type Access } from '../live/access'
import type { Viewer } from '../viewer'

/*
 * The presenter view of a talk's quizzes and polls (docs/quizzes.md, Presenter view): a screen
 * for the hall, shown by the talk's hosts and co-hosts. Showing it is not attending: it opens no
 * stay, so the attendance and the audience count are as without it.
 */

/** What the presenter view shows of the talk itself. */
export type PresentedTalk = { id: string; title: string; status: TalkStatus; clubName: string }

async function presenterStanding(viewer: Viewer, talkId: string) {
  if (!viewer || !isId(talkId)) return undefined
  const [row] = await db.execute<Access>(accessSelect(viewer, talkId))
  return row
}

const presented = (row: Access): PresentedTalk => ({ id: row.id, title: row.title, status: row.status, clubName: row.clubName })

/** The talk, when the viewer may enter it as a host or co-host; null for anyone else, as if there were no such talk. */
export async function findPresentedTalk(viewer: Viewer, talkId: string): Promise<PresentedTalk | null> {
  const row = await presenterStanding(viewer, talkId)
  return mayEnterTalk(row) && isModerator(row.role) ? presented(row) : null
}

/** As findPresentedTalk, refusing in words a person can read: signed out, no such talk (or one they may not see), not a host. */
export async function requirePresenter(viewer: Viewer, talkId: string): Promise<PresentedTalk> {
  if (!viewer) throw refuse.signIn()
  const row = await presenterStanding(viewer, talkId)
  if (!mayEnterTalk(row)) throw refuse.notFound()
  if (!isModerator(row.role)) throw refuse.notHost()
  return presented(row)
}
