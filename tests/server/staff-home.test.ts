import { describe, expect, it } from 'vitest'
import * as staffHome from '../../app/routes/staff._index'
import { rawSql } from '../../db/client'
import { createDoctor } from '../support/factories'
import { callLoader, signIn } from '../support/routes'

// /staff lists the consoles a member of staff may open, by their duties; for anyone else it does not exist.

const titles = (data: unknown) => (data as { consoles: { title: string; to: string }[] }).consoles.map((c) => c.title)

describe('the staff home', () => {
  it('is "not found" for a member and for someone signed out', async () => {
    const member = await createDoctor()
    expect((await callLoader(staffHome, { url: '/staff', auth: await signIn(member.id) })).status).toBe(404)
    expect((await callLoader(staffHome, { url: '/staff' })).status).toBe(404)
  })

  it('lists the privacy office and app review for all staff, and each other console only with its duty', async () => {
    const officer = await createDoctor()
    const moderator = await createDoctor()
    await rawSql()`update users set role = 'staff' where id in (${officer.id}, ${moderator.id})`
    await rawSql()`insert into staff_duties (user_id, duty) values (${moderator.id}, 'moderator')`
    expect(titles((await callLoader(staffHome, { url: '/staff', auth: await signIn(officer.id) })).data)).toEqual(['Privacy office', 'App review'])
    expect(titles((await callLoader(staffHome, { url: '/staff', auth: await signIn(moderator.id) })).data)).toEqual([
      'Privacy office',
      'App review',
      'Moderation queue',
      'Watched words',
    ])
  })
})
