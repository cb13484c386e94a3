import { beforeAll, describe, expect, it } from 'vitest'
import * as presentRoute from '../../app/routes/t.$id_.present'
import { addClubMember, addTalkRole, createDoctor, createTalk, createTestClub, type TestClub, type TestDoctor } from '../support/factories'
import { callLoader, signIn } from '../support/routes'

/*
 * The presenter view's page: its talk's host and co-hosts get it; everyone else — a member of
 * the club, someone outside a private club, a visitor — finds no such page.
 */

let host: TestDoctor
let cohost: TestDoctor
let member: TestDoctor
let stranger: TestDoctor
let club: TestClub
let talkId: string

beforeAll(async () => {
  host = await createDoctor({ name: 'Dr Presenting Host' })
  cohost = await createDoctor({ name: 'Dr Presenting Cohost' })
  member = await createDoctor({ name: 'Dr Presenting Member' })
  stranger = await createDoctor({ name: 'Dr Presenting Stranger' })
  club = await createTestClub(host, { name: 'Presenter Route Club', visibility: 'private' })
  await addClubMember(club, cohost)
  await addClubMember(club, member)
  const talk = await createTalk({ clubId: club.id, hostId: host.id, status: 'live', startsAt: new Date(), title: 'Heart sounds, live quiz' })
  talkId = talk.id
  await addTalkRole(talkId, cohost, 'cohost')
})

async function load(doctor: TestDoctor | null, id = talkId) {
  return callLoader(presentRoute, { url: `/t/${id}/present`, params: { id }, auth: doctor ? await signIn(doctor.id) : null })
}

describe('the presenter view page', () => {
  it('is shown to the host and to a co-host, with the talk it presents', async () => {
    for (const doctor of [host, cohost]) {
      const result = await load(doctor)
      expect(result.status).toBe(200)
      expect(result.data).toEqual({ talk: { id: talkId, title: 'Heart sounds, live quiz', status: 'live', clubName: club.name } })
    }
  })

  it('is not found for a member, someone outside the private club, a visitor, or a malformed id', async () => {
    for (const doctor of [member, stranger, null]) {
      const result = await load(doctor)
      expect(result.status, doctor?.name ?? 'visitor').toBe(404)
      expect(result.thrown).toBe(true)
      expect(JSON.stringify(result.data)).not.toContain('Heart sounds')
    }
    expect((await load(host, 'not-a-talk')).status).toBe(404)
  })
})
