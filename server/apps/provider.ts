import { createECDH, createHmac } from 'node:crypto'
import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import { remember } from '@epic-web/remember'
import Provider, { interactionPolicy, type Configuration, type KoaContextWithOIDC } from 'oidc-provider'
import { appScopes } from '../../db/access/apps'
import { createOidcAdapter } from '../../db/apps/oidc-adapter'
import { getOwnProfile } from '../../db/profiles'
import { verificationBadge } from '../../db/verification'

/*
 * The authorisation server for third-party apps (docs/decisions/034-platform-applications.md):
 * oidc-provider, mounted at /oauth. Clients are the apps registered at /developers; every
 * authorisation comes to the consent page (/oauth/consent/<uid>), which binds it to whoever is
 * signed in to Rounds at that moment.
 */

export const OAUTH_PATH = '/oauth'

export type AppsSettings = { publicUrl: string; secret: string; secure: boolean }

function derive(secret: string, label: string) {
  return createHmac('sha256', secret).update(label).digest()
}

/** The ID-token signing key (ES256), derived from the server secret so every node signs alike. */
function signingKey(secret: string) {
  const d = derive(secret, 'rounds-oauth-id-token-key')
  const ecdh = createECDH('prime256v1')
  ecdh.setPrivateKey(d)
  const pub = ecdh.getPublicKey()
  const b64 = (b: Buffer) => b.toString('base64url')
  const x = pub.subarray(1, 33)
  const y = pub.subarray(33, 65)
  return { kty: 'EC', crv: 'P-256', d: b64(d), x: b64(x), y: b64(y), alg: 'ES256', use: 'sig', kid: b64(derive(secret, 'kid').subarray(0, 8)) }
}

const escapeHtml = (value: unknown) =>
  String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

/** What a person reads when an app sent them here with a request that cannot go on. */
const PEOPLE_MESSAGES: Record<string, string> = {
  invalid_client: 'This app is not registered with Rounds, or it has been suspended.',
  invalid_redirect_uri: 'This app asked to send you to an address it did not register. Nothing was shared.',
  invalid_request: 'This app sent an incomplete request. Nothing was shared.',
  invalid_scope: 'This app asked for a permission Rounds does not offer. Nothing was shared.',
  access_denied: 'Nothing was shared with the app.',
}

function createProvider(settings: AppsSettings) {
  const policy = interactionPolicy.base()
  // Every authorisation is confirmed by whoever is signed in to Rounds now, never by an earlier
  // sign-in remembered by the authorisation server: the consent page finishes it for that member.
  policy
    .get('login')!
    .checks.add(
    new interactionPolicy.Check('rounds_member', 'The member signed in to Rounds confirms each authorisation', (ctx) =>
      ctx.oidc.result?.login ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT,
    ),
  )

  const configuration: Configuration = {
    adapter: createOidcAdapter(settings.secret),
    clients: [],
    jwks: { keys: [signingKey(settings.secret) as never] },
    cookies: { keys: [derive(settings.secret, 'rounds-oauth-cookies').toString('base64url')], long: { signed: true, secure: settings.secure }, short: { signed: true, secure: settings.secure } },
    scopes: appScopes,
    claims: { openid: ['sub'], profile: ['name', 'picture', 'speciality', 'preferred_username'], verified: ['verified'] },
    pkce: { required: () => true },
    responseTypes: ['code'],
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      introspection: { enabled: true },
      userinfo: { enabled: true },
    },
    // Every client gets a refresh token, rotated on each use; a replayed one revokes the grant.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    ttl: {
      AuthorizationCode: 60,
      AccessToken: 60 * 60,
      IdToken: 60 * 60,
      RefreshToken: 30 * 24 * 60 * 60,
      Grant: 365 * 24 * 60 * 60,
      Interaction: 30 * 60,
      Session: 10 * 60,
    },
    interactions: { policy, url: (_ctx, interaction) => `${OAUTH_PATH}/consent/${interaction.uid}` },
    findAccount: async (_ctx: KoaContextWithOIDC, sub: string) => {
      if (!/^[0-9a-f-]{36}$/i.test(sub)) return undefined
      const profile = await getOwnProfile(sub).catch(() => null)
      if (!profile) return undefined
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          name: profile.name,
          picture: profile.photoUrl ? new URL(profile.photoUrl, settings.publicUrl).href : undefined,
          preferred_username: profile.handle,
          speciality: profile.speciality,
          verified: (await verificationBadge(sub)) !== null,
        }),
      }
    },
    renderError: (ctx, out) => {
      const message = PEOPLE_MESSAGES[out.error] ?? 'This app’s request could not go on. Nothing was shared.'
      ctx.type = 'html'
      ctx.body =
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Could not connect the app · Rounds</title></head>` +
        `<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem"><h1>Could not connect the app</h1><p>${escapeHtml(message)}</p>` +
        `<p style="color:#555">Error: <code>${escapeHtml(out.error)}</code></p><p><a href="/">Back to Rounds</a></p></body></html>`
    },
  }
  const provider = new Provider(`${settings.publicUrl}${OAUTH_PATH}`, configuration)
  provider.proxy = true
  return provider
}

let current: Provider | null = null

/** The one authorisation server of this process (kept across development reloads). */
export function appsProvider(settings?: AppsSettings): Provider {
  const slot = remember('rounds:apps-provider', () => ({ provider: current }))
  if (!slot.provider) {
    if (!settings) throw new Error('The apps authorisation server is not set up.')
    slot.provider = createProvider(settings)
  }
  current = slot.provider
  return slot.provider
}

/** A Node request/response pair carrying a page request's cookies, for oidc-provider's interaction helpers. */
function nodePair(request: Request) {
  const req = new IncomingMessage(new Socket())
  req.headers = Object.fromEntries(request.headers)
  req.method = request.method
  const url = new URL(request.url)
  req.url = url.pathname + url.search
  return { req, res: new ServerResponse(req) }
}

/** The interaction behind the consent page; null when its cookie is missing, expired or for another page. */
export async function consentInteraction(request: Request, uid: string) {
  const { req, res } = nodePair(request)
  const interaction = await appsProvider()
    .interactionDetails(req, res)
    .catch(() => null)
  return interaction && interaction.uid === uid ? interaction : null
}

/**
 * Finishes the interaction as the signed-in member: creates (or widens) the grant for exactly
 * these scopes and returns the address that continues the authorisation.
 */
export async function approveInteraction(request: Request, uid: string, accountId: string, scopes: string[]) {
  const provider = appsProvider()
  const interaction = await consentInteraction(request, uid)
  if (!interaction) return null
  const clientId = String(interaction.params.client_id)
  const grant = new provider.Grant({ accountId, clientId })
  grant.addOIDCScope(scopes.join(' '))
  const grantId = await grant.save()
  const { req, res } = nodePair(request)
  const returnTo = await provider.interactionResult(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false })
  return { returnTo, grantId, clientId }
}

/** Ends the interaction with an OAuth error the app receives at its redirect URI. */
export async function refuseInteraction(request: Request, uid: string, error: 'access_denied', description: string) {
  const interaction = await consentInteraction(request, uid)
  if (!interaction) return null
  const { req, res } = nodePair(request)
  return appsProvider().interactionResult(req, res, { error, error_description: description }, { mergeWithLastSubmission: false })
}
