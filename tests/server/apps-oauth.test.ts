import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeDatabase, openDatabase, rawSql } from '../../db/client'
import { startAppServer, type AppServer } from '../support/app-server'
import { addClubMember, createDoctor, createTalk, createTestClub, type TestDoctor } from '../support/factories'
import { signInOverHttp } from '../support/http-client'
import {
  api,
  authorizeUrl,
  browse,
  clientPost,
  connectApp,
  continueLink,
  CookieJar,
  pkcePair,
  tokenRequest,
  authoriseAsMember,
  registerAppOverHttp,
  type AppCredentials,
} from '../support/oauth-app-client'

/*
 * Third-party apps over real HTTP: a developer registers an app through /developers, a member
 * authorises it with the authorisation code flow and PKCE on the consent page, the app calls
 * /api/v1 with the token, and the member (or staff, or the app itself) ends it.
 */

let app: AppServer
let developer: TestDoctor
let member: TestDoctor
let stranger: TestDoctor
let outsider: TestDoctor
let staff: TestDoctor
const sessions: Record<string, string> = {}
let registered: AppCredentials & { id: string }
let publicClubName = ''
let sharedClub = { id: '', name: '' }
let unsharedClub = { id: '', name: '' }
let talkId = ''
let privateTalkId = ''

const ALL = 'openid profile verified talks:read clubs:read rsvp:write'

const registerOverHttp = (cookie: string, name: string, redirectUri: string) => registerAppOverHttp(app.baseUrl, cookie, name, redirectUri)

const jarOf = (who: string) => new CookieJar(sessions[who])

beforeAll(async () => {
  app = await startAppServer()
  await closeDatabase()
  await openDatabase({ url: app.databaseUrl, runMigrations: false, maxConnections: 3 })
  developer = await createDoctor({ name: 'Dr Dev Eloper' })
  member = await createDoctor({ name: 'Dr Mina Member', profile: { speciality: 'Cardiology', registrationNumber: 'KMC-5550123' } })
  stranger = await createDoctor({ name: 'Dr Private Person', profile: { visibility: 'private', bio: 'SECRET-BIO-TEXT', city: 'Hidden City' } })
  outsider = await createDoctor({ name: 'Dr Not Tester' })
  staff = await createDoctor({ name: 'Dr Staff Reviewer' })
  await rawSql()`update users set role = 'staff' where id = ${staff.id}`
  const publicClub = await createTestClub(developer, { name: 'Open Cardiology Club' })
  publicClubName = publicClub.name
  await addClubMember(publicClub, member)
  const shared = await createTestClub(stranger, { name: 'Shared Private Club', visibility: 'private' })
  const unshared = await createTestClub(stranger, { name: 'Unshared Private Club', visibility: 'private' })
  await addClubMember(shared, member)
  await addClubMember(unshared, member)
  sharedClub = { id: shared.id, name: shared.name }
  unsharedClub = { id: unshared.id, name: unshared.name }
  talkId = (await createTalk({ clubId: publicClub.id, hostId: developer.id, title: 'Echo for beginners' })).id
  privateTalkId = (await createTalk({ clubId: unshared.id, hostId: stranger.id, title: 'Closed-door case review' })).id
  for (const [key, doctor] of Object.entries({ developer, member, stranger, outsider, staff })) {
    sessions[key] = await signInOverHttp(app.baseUrl, doctor.email, doctor.password)
  }
  registered = await registerOverHttp(sessions.developer, 'CPD Logbook', 'http://localhost:4999/callback')
  // The member tests the app while it is in development.
  const added = await browse(app.baseUrl, jarOf('developer'), `/developers/${registered.id}`, {
    method: 'POST',
    body: new URLSearchParams({ intent: 'add-tester', handle: member.handle }),
  })
  expect(added.status).toBe(200)
}, 300_000)

afterAll(async () => {
  await app?.stop()
})

describe('registering an app', () => {
  it('stores no client secret, only a salt, and shows the developer the users count', async () => {
    const [row] = await rawSql()<{ secret_salt: string; status: string }[]>`select secret_salt, status from apps where id = ${registered.id}`
    expect(row.status).toBe('development')
    const dump = JSON.stringify(await rawSql()`select * from apps where id = ${registered.id}`)
    expect(dump).not.toContain(registered.clientSecret)
    const page = await browse(app.baseUrl, jarOf('developer'), `/developers/${registered.id}`)
    expect(page.text).toContain('0 doctors have connected it')
  })

  it('refuses a redirect URI that is neither https nor localhost, and registers nothing', async () => {
    const before = await rawSql()<{ n: number }[]>`select count(*)::int as n from apps`
    const res = await browse(app.baseUrl, jarOf('developer'), '/developers/new', {
      method: 'POST',
      body: new URLSearchParams({
        name: 'Leaky',
        description: 'An app with a plain http redirect.',
        homepageUrl: 'https://leaky.example.org',
        privacyUrl: 'https://leaky.example.org/privacy',
        logoUrl: '',
        redirectUris: 'http://leaky.example.org/cb',
      }),
    })
    expect(res.status).toBe(400)
    expect(res.text).toContain('must start with https://')
    const after = await rawSql()<{ n: number }[]>`select count(*)::int as n from apps`
    expect(after[0].n).toBe(before[0].n)
  })
})

describe('authorisation code with PKCE, end to end', () => {
  let accessToken = ''
  let refreshToken = ''

  it('shows the consent screen in plain words, then gives the app a code and tokens', async () => {
    const flow = await connectApp(app.baseUrl, jarOf('member'), registered, ALL, [sharedClub.id])
    expect(flow.consentPage.status).toBe(200)
    expect(flow.consentPage.text).toContain('CPD Logbook')
    expect(flow.consentPage.text).toContain('Dr Dev Eloper')
    expect(flow.consentPage.text).toContain('See the talks you said you are going to')
    expect(flow.consentPage.text).toContain('never your registration number')
    expect(flow.consentPage.text).toContain('Shared Private Club')
    expect(flow.returnedState).toBe(flow.state)
    expect(flow.redirect.origin + flow.redirect.pathname).toBe(registered.redirectUri)
    expect(flow.tokens.token_type).toBe('Bearer')
    expect(flow.tokens.refresh_token).toBeTruthy()
    expect(flow.tokens.id_token).toBeTruthy()
    accessToken = flow.tokens.access_token
    refreshToken = flow.tokens.refresh_token
  })

  it('answers /api/v1 for the member, as the member would see it', async () => {
    const me = await api(app.baseUrl, accessToken, '/me')
    expect(me.status).toBe(200)
    expect(me.json).toMatchObject({ id: member.id, name: 'Dr Mina Member', speciality: 'Cardiology', verified: false })
    expect(JSON.stringify(me.json)).not.toContain('5550123')

    const rsvp = await api(app.baseUrl, accessToken, `/talks/${talkId}/rsvp`, { method: 'POST', json: { going: true } })
    expect(rsvp.status).toBe(200)
    expect(rsvp.json).toMatchObject({ going: true })
    const talks = await api(app.baseUrl, accessToken, '/me/talks')
    expect(talks.status).toBe(200)
    expect((talks.json.going as { title: string }[]).map((t) => t.title)).toEqual(['Echo for beginners'])

    const clubs = await api(app.baseUrl, accessToken, '/me/clubs')
    const names = (clubs.json as unknown as { name: string }[]).map((c) => c.name)
    expect(names).toContain(publicClubName)
    expect(names).toContain(sharedClub.name)
    expect(names).not.toContain(unsharedClub.name)
  })

  it('never reaches another person’s private data: a private profile is only a card', async () => {
    const person = await api(app.baseUrl, accessToken, `/people/${stranger.handle}`)
    expect(person.status).toBe(200)
    expect(person.json).toMatchObject({ name: 'Dr Private Person', full: false })
    expect(JSON.stringify(person.json)).not.toContain('SECRET-BIO-TEXT')
    expect(JSON.stringify(person.json)).not.toContain('Hidden City')
    const badBody = await api(app.baseUrl, accessToken, `/talks/${privateTalkId}/rsvp`, { method: 'POST', json: { going: 'yes' } })
    expect(badBody.status).toBe(400)
  })

  it('logs every read for the member and shows the app under Connected apps', async () => {
    const page = await browse(app.baseUrl, jarOf('member'), '/settings/apps')
    expect(page.status).toBe(200)
    expect(page.text).toContain('CPD Logbook')
    expect(page.text).toContain('read the talks you are going to and attended')
    expect(page.text).toContain('Private clubs shared: Shared Private Club')
    const dev = await browse(app.baseUrl, jarOf('developer'), `/developers/${registered.id}`)
    expect(dev.text).toContain('1 doctor has connected it')
  })

  it('introspects a live token, rotates the refresh token and refuses the old one', async () => {
    const live = await clientPost(app.baseUrl, registered, '/oauth/token/introspection', { token: accessToken })
    expect(live.status).toBe(200)
    expect(live.json).toMatchObject({ active: true, client_id: registered.clientId, sub: member.id })

    const refreshed = await tokenRequest(app.baseUrl, registered, { grant_type: 'refresh_token', refresh_token: refreshToken })
    expect(refreshed.status).toBe(200)
    expect(refreshed.json.refresh_token).toBeTruthy()
    expect(refreshed.json.refresh_token).not.toBe(refreshToken)
    const replayed = await tokenRequest(app.baseUrl, registered, { grant_type: 'refresh_token', refresh_token: refreshToken })
    expect(replayed.status).toBe(400)
    expect(replayed.json.error).toBe('invalid_grant')
  })

  it('revokes a token the app hands back (RFC 7009): the next call gets 401', async () => {
    const flow = await connectApp(app.baseUrl, jarOf('member'), registered, 'openid profile')
    const token = flow.tokens.access_token
    expect((await api(app.baseUrl, token, '/me')).status).toBe(200)
    const revoked = await clientPost(app.baseUrl, registered, '/oauth/token/revocation', { token, token_type_hint: 'access_token' })
    expect(revoked.status).toBe(200)
    expect((await api(app.baseUrl, token, '/me')).status).toBe(401)
    const dead = await clientPost(app.baseUrl, registered, '/oauth/token/introspection', { token })
    expect(dead.json).toMatchObject({ active: false })
  })

  it('refuses a call outside the granted scopes with 403 insufficient_scope', async () => {
    const flow = await connectApp(app.baseUrl, jarOf('member'), registered, 'openid profile')
    const res = await api(app.baseUrl, flow.tokens.access_token, `/talks/${talkId}/rsvp`, { method: 'POST', json: { going: false } })
    expect(res.status).toBe(403)
    expect(res.json.error).toBe('insufficient_scope')
    const [rsvp] = await rawSql()<{ n: number }[]>`select count(*)::int as n from talk_rsvps where talk_id = ${talkId} and user_id = ${member.id}`
    expect(rsvp.n).toBe(1)
  })
})

describe('bad requests change nothing and get the error the specs name', () => {
  it('a redirect URI the app did not register: a readable page, no redirect', async () => {
    const { challenge } = pkcePair()
    const res = await browse(app.baseUrl, jarOf('member'), authorizeUrl(registered, { scope: 'openid', challenge, redirectUri: 'https://evil.example.org/cb' }))
    expect(res.status).toBe(400)
    expect(res.location).toBeNull()
    expect(res.text).toContain('did not register')
  })

  it('no PKCE challenge, or an unregistered scope: the error goes back to the app', async () => {
    const noPkce = await browse(app.baseUrl, jarOf('member'), authorizeUrl(registered, { scope: 'openid', challenge: null }))
    expect(noPkce.status).toBe(303)
    expect(new URL(noPkce.location!).searchParams.get('error')).toBe('invalid_request')
    const { challenge } = pkcePair()
    const badScope = await browse(app.baseUrl, jarOf('member'), authorizeUrl(registered, { scope: 'openid messages:read', challenge, state: 'st-1' }))
    expect(badScope.status).toBe(303)
    const back = new URL(badScope.location!)
    expect(back.origin + back.pathname).toBe(registered.redirectUri)
    expect(back.searchParams.get('error')).toBe('invalid_scope')
    expect(back.searchParams.get('state')).toBe('st-1')
    const [n] = await rawSql()<{ n: number }[]>`select count(*)::int as n from oauth_records where kind = 'Grant' and payload->>'accountId' = ${member.id} and payload::text like '%messages:read%'`
    expect(n.n).toBe(0)
  })

  it('a wrong or missing verifier is invalid_grant; a replayed code is refused and kills what it issued', async () => {
    const flow = await authoriseAsMember(app.baseUrl, jarOf('member'), registered, 'openid profile')
    const wrong = await tokenRequest(app.baseUrl, registered, { grant_type: 'authorization_code', code: flow.code!, redirect_uri: registered.redirectUri, code_verifier: pkcePair().verifier })
    expect(wrong.status).toBe(400)
    expect(wrong.json.error).toBe('invalid_grant')

    const second = await authoriseAsMember(app.baseUrl, jarOf('member'), registered, 'openid profile')
    const missing = await tokenRequest(app.baseUrl, registered, { grant_type: 'authorization_code', code: second.code!, redirect_uri: registered.redirectUri })
    expect(missing.status).toBe(400)
    expect(['invalid_grant', 'invalid_request']).toContain(missing.json.error)

    const third = await authoriseAsMember(app.baseUrl, jarOf('member'), registered, 'openid profile')
    const body = { grant_type: 'authorization_code', code: third.code!, redirect_uri: registered.redirectUri, code_verifier: third.verifier }
    const first = await tokenRequest(app.baseUrl, registered, body)
    expect(first.status).toBe(200)
    const replay = await tokenRequest(app.baseUrl, registered, body)
    expect(replay.status).toBe(400)
    expect(replay.json.error).toBe('invalid_grant')
    expect((await api(app.baseUrl, first.json.access_token, '/me')).status).toBe(401)
  })

  it('a wrong client secret is invalid_client', async () => {
    const flow = await authoriseAsMember(app.baseUrl, jarOf('member'), registered, 'openid')
    const res = await tokenRequest(app.baseUrl, registered, { grant_type: 'authorization_code', code: flow.code!, redirect_uri: registered.redirectUri, code_verifier: flow.verifier }, 'rsec_wrong')
    expect(res.status).toBe(401)
    expect(res.json.error).toBe('invalid_client')
  })

  it('a development app and a member who is not a tester: a readable refusal, then access_denied for the app', async () => {
    const jar = jarOf('outsider')
    const { challenge } = pkcePair()
    const start = await browse(app.baseUrl, jar, authorizeUrl(registered, { scope: 'openid profile', challenge }))
    const consentPath = new URL(start.location!, app.baseUrl).pathname
    const page = await browse(app.baseUrl, jar, consentPath)
    expect(page.status).toBe(403)
    expect(page.text).toContain('Only its testers can connect it')
    const tried = await browse(app.baseUrl, jar, consentPath, { method: 'POST', body: new URLSearchParams({ intent: 'allow' }) })
    expect(tried.status).toBe(200)
    const back = await browse(app.baseUrl, jar, continueLink(tried)!)
    expect(new URL(back.location!).searchParams.get('error')).toBe('access_denied')
    const [n] = await rawSql()<{ n: number }[]>`select count(*)::int as n from app_authorisations where user_id = ${outsider.id}`
    expect(n.n).toBe(0)
  })

  it('the consent page opened without the browser that started the authorisation shows an expiry page', async () => {
    const { challenge } = pkcePair()
    const start = await browse(app.baseUrl, jarOf('member'), authorizeUrl(registered, { scope: 'openid', challenge }))
    const consentPath = new URL(start.location!, app.baseUrl).pathname
    // Another browser (the stranger's), signed in, without the interaction cookie.
    const other = await browse(app.baseUrl, jarOf('stranger'), consentPath, { method: 'POST', body: new URLSearchParams({ intent: 'allow' }) })
    expect(other.status).toBe(400)
    const [n] = await rawSql()<{ n: number }[]>`select count(*)::int as n from app_authorisations where user_id = ${stranger.id}`
    expect(n.n).toBe(0)
  })
})

describe('ending access', () => {
  it('Revoke in settings deletes the grant and every token at once: the next call gets 401', async () => {
    const flow = await connectApp(app.baseUrl, jarOf('member'), registered, ALL)
    expect((await api(app.baseUrl, flow.tokens.access_token, '/me/talks')).status).toBe(200)
    const page = await browse(app.baseUrl, jarOf('member'), '/settings/apps', { method: 'POST', body: new URLSearchParams({ intent: 'revoke', appId: registered.id }) })
    expect(page.status).toBe(200)
    const gone = await api(app.baseUrl, flow.tokens.access_token, '/me/talks')
    expect(gone.status).toBe(401)
    const refresh = await tokenRequest(app.baseUrl, registered, { grant_type: 'refresh_token', refresh_token: flow.tokens.refresh_token })
    expect(refresh.json.error).toBe('invalid_grant')
    const [rows] = await rawSql()<{ n: number }[]>`select count(*)::int as n from oauth_records where user_id = ${member.id} and client_id = ${registered.clientId}`
    expect(rows.n).toBe(0)
    const [auths] = await rawSql()<{ n: number }[]>`select count(*)::int as n from app_authorisations where user_id = ${member.id}`
    expect(auths.n).toBe(0)
  })

  it('staff make an app public, then suspend it: every token stops at once and it cannot be authorised', async () => {
    const staffJar = jarOf('staff')
    const notStaff = await browse(app.baseUrl, jarOf('member'), '/staff/apps')
    expect([403, 404]).toContain(notStaff.status)
    expect(notStaff.text).not.toContain('CPD Logbook')
    const made = await browse(app.baseUrl, staffJar, '/staff/apps', { method: 'POST', body: new URLSearchParams({ appId: registered.id, status: 'public' }) })
    expect(made.status).toBe(200)
    // Public: the outsider may now connect it.
    const flow = await connectApp(app.baseUrl, jarOf('outsider'), registered, 'openid profile rsvp:write')
    expect((await api(app.baseUrl, flow.tokens.access_token, '/me')).status).toBe(200)
    // Acting for someone outside the private club, the app cannot see or RSVP to its talk.
    const hidden = await api(app.baseUrl, flow.tokens.access_token, `/talks/${privateTalkId}/rsvp`, { method: 'POST', json: { going: true } })
    expect(hidden.status).toBe(404)
    const [none] = await rawSql()<{ n: number }[]>`select count(*)::int as n from talk_rsvps where talk_id = ${privateTalkId}`
    expect(none.n).toBe(0)
    const suspended = await browse(app.baseUrl, staffJar, '/staff/apps', {
      method: 'POST',
      body: new URLSearchParams({ appId: registered.id, status: 'suspended', reason: 'Sold data to advertisers' }),
    })
    expect(suspended.status).toBe(200)
    expect((await api(app.baseUrl, flow.tokens.access_token, '/me')).status).toBe(401)
    const { challenge } = pkcePair()
    const again = await browse(app.baseUrl, jarOf('outsider'), authorizeUrl(registered, { scope: 'openid', challenge }))
    expect(again.status).toBe(400)
    expect(again.text).toContain('suspended')
  })
})

describe('the API description', () => {
  it('is served at /api/v1/openapi.json and is a valid OpenAPI document', async () => {
    const res = await fetch(`${app.baseUrl}/api/v1/openapi.json`)
    expect(res.status).toBe(200)
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> }
    expect(doc.openapi).toMatch(/^3\./)
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/me', '/me/talks', '/me/clubs', '/talks/{id}/rsvp']))
    const { default: SwaggerParser } = await import('@apidevtools/swagger-parser')
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy()
  })
})
