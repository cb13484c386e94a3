import { and, eq, or, sql } from 'drizzle-orm'
import { db } from '../client'
import { apps, oauthRecords } from '../schema/index'
import { clientSecretFor } from './secrets'

/*
 * Storage for oidc-provider (https://github.com/panva/node-oidc-provider/blob/main/example/my_adapter.js):
 * one table, one row per record, keyed by kind and id. Clients are not stored here: they are the
 * apps registered at /developers, read from `apps` (a suspended app is no client at all).
 */

type Payload = Record<string, unknown> & { grantId?: string; userCode?: string; uid?: string; accountId?: string; clientId?: string; consumed?: number }

export type AdapterClass = new (name: string) => {
  upsert(id: string, payload: Payload, expiresIn?: number): Promise<void>
  find(id: string): Promise<Payload | undefined>
  findByUserCode(userCode: string): Promise<Payload | undefined>
  findByUid(uid: string): Promise<Payload | undefined>
  consume(id: string): Promise<void>
  destroy(id: string): Promise<void>
  revokeByGrantId(grantId: string): Promise<void>
}

/** Client metadata for oidc-provider, from a registered app; undefined for unknown or suspended apps. */
async function findClient(clientId: string, serverSecret: string): Promise<Payload | undefined> {
  const [app] = await db
    .select({ clientId: apps.clientId, secretSalt: apps.secretSalt, redirectUris: apps.redirectUris, status: apps.status, name: apps.name })
    .from(apps)
    .where(eq(apps.clientId, clientId))
  if (!app || app.status === 'suspended') return undefined
  return {
    client_id: app.clientId,
    client_secret: clientSecretFor(app.clientId, app.secretSalt, serverSecret),
    client_name: app.name,
    redirect_uris: app.redirectUris,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'ES256',
  }
}

const isUuid = (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f-]{36}$/i.test(value)

export function createOidcAdapter(serverSecret: string): AdapterClass {
  return class RoundsOidcAdapter {
    constructor(readonly name: string) {}

    async upsert(id: string, payload: Payload, expiresIn?: number) {
      const row = {
        kind: this.name,
        id,
        payload,
        grantId: payload.grantId ?? null,
        userCode: payload.userCode ?? null,
        uid: payload.uid ?? null,
        // Only a real member id: sessions of no one yet carry none.
        userId: isUuid(payload.accountId) ? payload.accountId : null,
        clientId: typeof payload.clientId === 'string' ? payload.clientId : null,
        expiresAt: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
      }
      await db
        .insert(oauthRecords)
        .values(row)
        .onConflictDoUpdate({ target: [oauthRecords.kind, oauthRecords.id], set: { ...row, consumedAt: null } })
    }

    async find(id: string) {
      if (this.name === 'Client') return findClient(id, serverSecret)
      return this.findWhere(eq(oauthRecords.id, id))
    }

    async findByUserCode(userCode: string) {
      return this.findWhere(eq(oauthRecords.userCode, userCode))
    }

    async findByUid(uid: string) {
      return this.findWhere(eq(oauthRecords.uid, uid))
    }

    private async findWhere(where: ReturnType<typeof eq>) {
      const [row] = await db
        .select({ payload: oauthRecords.payload, consumedAt: oauthRecords.consumedAt })
        .from(oauthRecords)
        .where(and(eq(oauthRecords.kind, this.name), where, sql`(${oauthRecords.expiresAt} is null or ${oauthRecords.expiresAt} > now())`))
        .limit(1)
      if (!row) return undefined
      const payload = row.payload as Payload
      return row.consumedAt ? { ...payload, consumed: Math.floor(row.consumedAt.getTime() / 1000) } : payload
    }

    async consume(id: string) {
      await db
        .update(oauthRecords)
        .set({ consumedAt: new Date() })
        .where(and(eq(oauthRecords.kind, this.name), eq(oauthRecords.id, id)))
    }

    async destroy(id: string) {
      await db.delete(oauthRecords).where(and(eq(oauthRecords.kind, this.name), eq(oauthRecords.id, id)))
    }

    async revokeByGrantId(grantId: string) {
      await db.delete(oauthRecords).where(or(eq(oauthRecords.grantId, grantId), and(eq(oauthRecords.kind, 'Grant'), eq(oauthRecords.id, grantId))))
    }
  }
}

/** Expired records are of no use to anyone: removed by the periodic clean-up. */
export async function deleteExpiredOauthRecords(now = new Date()) {
  await db.delete(oauthRecords).where(sql`${oauthRecords.expiresAt} <= ${now.toISOString()}::timestamptz`)
}
