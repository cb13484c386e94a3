import { describe, expect, it } from 'vitest'
import { apiCaller, apiMyClubs, mayAuthorise, recordAuthorisation, registerApp, reviewApp, revokeApp, rotateAppSecret, addTester, isAllowedRedirectUri } from '../../db/apps/index'
import { createOidcAdapter } from '../../db/apps/oidc-adapter'
import { clientSecretFor } from '../../db/apps/secrets'
import { rawSql } from '../../db/client'
import { addClubMember, createDoctor, createTestClub, viewerOf } from '../support/factories'

const SECRET = 'a-server-secret-for-these-tests-only-000'
const input = (name = 'Journal Club Helper') => ({
  name,
  description: 'Finds papers for your journal club.',
  homepageUrl: 'https://jc.example.org',
  privacyUrl: 'https://jc.example.org/privacy',
  logoUrl: null,
  redirectUris: ['https://jc.example.org/cb', 'http://localhost:3000/cb'],
})

async function tokenRow(adapter: InstanceType<ReturnType<typeof createOidcAdapter>>, accountId: string, clientId: string, grantId: string) {
  const id = crypto.randomUUID()
  await adapter.upsert(id, { accountId, clientId, grantId, scope: 'openid' }, 3600)
  return id
}

describe('apps in the data layer', () => {
  it('accepts https and localhost redirect URIs only', () => {
    expect(isAllowedRedirectUri('https://a.example.org/cb')).toBe(true)
    expect(isAllowedRedirectUri('http://localhost:8080/cb')).toBe(true)
    expect(isAllowedRedirectUri('http://a.example.org/cb')).toBe(false)
    expect(isAllowedRedirectUri('https://a.example.org/cb#frag')).toBe(false)
    expect(isAllowedRedirectUri('javascript:alert(1)')).toBe(false)
  })

  it('derives the client secret from the salt: rotating it changes what the authorisation server compares', async () => {
    const dev = await createDoctor()
    const app = await registerApp(viewerOf(dev), input(), SECRET)
    const Clients = createOidcAdapter(SECRET)
    const client = await new Clients('Client').find(app.clientId)
    expect(client?.client_secret).toBe(app.clientSecret)
    const rotated = await rotateAppSecret(viewerOf(dev), app.id, SECRET)
    expect(rotated.clientSecret).not.toBe(app.clientSecret)
    expect((await new Clients('Client').find(app.clientId))?.client_secret).toBe(rotated.clientSecret)
    const [row] = await rawSql()<{ secret_salt: string }[]>`select secret_salt from apps where id = ${app.id}`
    expect(clientSecretFor(app.clientId, row.secret_salt, SECRET)).toBe(rotated.clientSecret)
    // Someone else cannot rotate it.
    const other = await createDoctor()
    await expect(rotateAppSecret(viewerOf(other), app.id, SECRET)).rejects.toThrow('We could not find that app.')
  })

  it('lets only the developer and named testers authorise an app in development, anyone once public, no one once suspended', async () => {
    const [dev, tester, other, staff] = await Promise.all([createDoctor(), createDoctor(), createDoctor(), createDoctor()])
    await rawSql()`update users set role = 'staff' where id = ${staff.id}`
    const app = await registerApp(viewerOf(dev), input(), SECRET)
    await addTester(viewerOf(dev), app.id, tester.handle)
    expect(await mayAuthorise(dev.id, app.clientId)).toBe(true)
    expect(await mayAuthorise(tester.id, app.clientId)).toBe(true)
    expect(await mayAuthorise(other.id, app.clientId)).toBe(false)
    await expect(reviewApp(viewerOf(dev), app.id, { status: 'public' })).rejects.toThrow()
    await reviewApp(viewerOf(staff, 'staff'), app.id, { status: 'public' })
    expect(await mayAuthorise(other.id, app.clientId)).toBe(true)
    await reviewApp(viewerOf(staff, 'staff'), app.id, { status: 'suspended', reason: 'Misused data' })
    expect(await mayAuthorise(dev.id, app.clientId)).toBe(false)
    expect(await new (createOidcAdapter(SECRET))('Client').find(app.clientId)).toBeUndefined()
  })

  it('revoking removes one member’s tokens for one app and leaves everyone else’s', async () => {
    const [dev, a, b] = await Promise.all([createDoctor(), createDoctor(), createDoctor()])
    const app = await registerApp(viewerOf(dev), input(), SECRET)
    const Tokens = createOidcAdapter(SECRET)
    const store = new Tokens('AccessToken')
    for (const who of [a, b]) await recordAuthorisation(viewerOf(who), app.clientId, { scopes: ['openid', 'talks:read'], sharedClubIds: [], grantId: `grant-${who.id}` })
    const aToken = await tokenRow(store, a.id, app.clientId, `grant-${a.id}`)
    const bToken = await tokenRow(store, b.id, app.clientId, `grant-${b.id}`)
    expect(await apiCaller(app.clientId, a.id, ['openid'])).not.toBeNull()
    await revokeApp(viewerOf(a), app.id)
    expect(await store.find(aToken)).toBeUndefined()
    expect(await store.find(bToken)).toBeDefined()
    expect(await apiCaller(app.clientId, a.id, ['openid'])).toBeNull()
    expect(await apiCaller(app.clientId, b.id, ['openid'])).not.toBeNull()
  })

  it('marks consumed codes and revokes by grant', async () => {
    const Codes = createOidcAdapter(SECRET)
    const codes = new Codes('AuthorizationCode')
    const grantId = crypto.randomUUID()
    await codes.upsert('code-1', { grantId, clientId: 'x' }, 60)
    await codes.consume('code-1')
    expect((await codes.find('code-1'))?.consumed).toBeGreaterThan(0)
    await codes.revokeByGrantId(grantId)
    expect(await codes.find('code-1')).toBeUndefined()
  })

  it('shares only the private clubs the member ticked, and only their own', async () => {
    const [dev, member, owner] = await Promise.all([createDoctor(), createDoctor(), createDoctor()])
    const app = await registerApp(viewerOf(dev), input(), SECRET)
    const ticked = await createTestClub(owner, { visibility: 'private' })
    const unticked = await createTestClub(owner, { visibility: 'private' })
    const notMine = await createTestClub(owner, { visibility: 'private' })
    const open = await createTestClub(owner)
    for (const club of [ticked, unticked, open]) await addClubMember(club, member)
    await recordAuthorisation(viewerOf(member), app.clientId, { scopes: ['openid', 'clubs:read'], sharedClubIds: [ticked.id, notMine.id], grantId: 'g' })
    const [row] = await rawSql()<{ shared_club_ids: string[] }[]>`select shared_club_ids from app_authorisations where user_id = ${member.id}`
    expect(row.shared_club_ids).toEqual([ticked.id])
    const caller = (await apiCaller(app.clientId, member.id, ['openid', 'clubs:read']))!
    const names = (await apiMyClubs(caller)).map((c) => c.name)
    expect(names.sort()).toEqual([ticked.name, open.name].sort())
  })
})
