import { describe, expect, it } from 'vitest'
import * as unsubscribeRoute from '../../app/routes/unsubscribe'
import { rawSql } from '../../db/client'
import { listDevMail } from '../../db/mailbox'
import { getCommunicationPreferences, updateCommunicationPreferences, type CommunicationChoices } from '../../db/privacy/index'
import { composeMail, sendMail } from '../../server/mail/index'
import { UNSUBSCRIBE_TOKEN_LIFETIME_MS, signUnsubscribeToken, verifyUnsubscribeToken } from '../../server/mail/unsubscribe'
import { createDoctor } from '../support/factories'
import { callAction, callLoader, signIn } from '../support/routes'

const MB = 1024 * 1024

async function mailboxCount(to: string) {
  return (await listDevMail({ to, limit: 1000 })).length
}

async function preferenceRows(userId: string) {
  return rawSql()`select channel::text, kind::text, enabled from communication_preferences where user_id = ${userId} order by channel, kind`
}

const post = (token: string | null, form: Record<string, string> = { 'List-Unsubscribe': 'One-Click' }) =>
  callAction(unsubscribeRoute, { url: token === null ? '/unsubscribe' : `/unsubscribe?token=${encodeURIComponent(token)}`, form })

const tokenFromMail = (text: string) => {
  const match = /\/unsubscribe\?token=([^\s]+)/.exec(text)
  if (!match) throw new Error(`No unsubscribe link in: ${text}`)
  return decodeURIComponent(match[1])
}

describe('sendMail and preferences', () => {
  it('adds a signed unsubscribe link and RFC 8058 headers to non-service mail, and the link works', async () => {
    const doctor = await createDoctor()
    const composed = await composeMail({ kind: 'engagement', to: doctor.email, subject: 'Reminder', text: 'Your talk starts soon.' })
    if ('sent' in composed) throw new Error('expected a composed mail')
    expect(composed.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click')
    expect(composed.headers['List-Unsubscribe']).toMatch(/^<http:\/\/localhost:3000\/unsubscribe\?token=[^>]+>$/)

    const result = await sendMail({ kind: 'engagement', to: doctor.email, subject: 'Reminder', text: 'Your talk starts soon.' })
    expect(result).toEqual({ sent: true })
    const [mail] = await listDevMail({ to: doctor.email })
    const token = tokenFromMail(mail.text)
    expect(verifyUnsubscribeToken(token)).toMatchObject({ ok: true, claims: { userId: doctor.id, kind: 'engagement', channel: 'email' } })

    const res = await post(token)
    expect(res.status).toBe(200)
    expect(res.data).toMatchObject({ ok: true, outcome: 'unsubscribed' })
    expect((await getCommunicationPreferences(doctor.id)).email.engagement).toBe(false)
  })

  it('does not send a kind the person unsubscribed from: the dev mailbox is unchanged', async () => {
    const doctor = await createDoctor()
    await updateCommunicationPreferences(doctor.id, {
      email: { engagement: false, promotional: false },
      sms: { engagement: false, promotional: false },
      whatsapp: { engagement: false, promotional: false },
      push: { engagement: false, promotional: false },
    })
    const before = await mailboxCount(doctor.email)
    expect(await sendMail({ kind: 'engagement', to: doctor.email, subject: 'Reminder', text: 'x' })).toEqual({ sent: false, reason: 'unsubscribed' })
    expect(await sendMail({ kind: 'promotional', to: doctor.email, subject: 'Offer', text: 'x' })).toEqual({ sent: false, reason: 'unsubscribed' })
    expect(await mailboxCount(doctor.email)).toBe(before)
    // Promotional mail is opt-in: a new doctor gets none.
    const fresh = await createDoctor()
    expect(await sendMail({ kind: 'promotional', to: fresh.email, subject: 'Offer', text: 'x' })).toEqual({ sent: false, reason: 'unsubscribed' })
    expect(await mailboxCount(fresh.email)).toBe(0)
    // Service mail always goes, without an unsubscribe link.
    expect(await sendMail({ kind: 'service', to: doctor.email, subject: 'Your code', text: 'Code 123456' })).toEqual({ sent: true })
    const [service] = await listDevMail({ to: doctor.email })
    expect(service.text).toBe('Code 123456')
  })

  it('sends non-service mail only to accounts', async () => {
    const before = await mailboxCount('nobody@nowhere.test')
    expect(await sendMail({ kind: 'engagement', to: 'nobody@nowhere.test', subject: 'x', text: 'x' })).toEqual({ sent: false, reason: 'no-account' })
    expect(await mailboxCount('nobody@nowhere.test')).toBe(before)
  })
})

describe('/unsubscribe', () => {
  it('asks for confirmation on GET and changes nothing', async () => {
    const doctor = await createDoctor()
    const token = signUnsubscribeToken({ userId: doctor.id, kind: 'promotional', channel: 'email' })
    const res = await callLoader(unsubscribeRoute, { url: `/unsubscribe?token=${encodeURIComponent(token)}` })
    expect(res.status).toBe(200)
    expect(res.data).toMatchObject({ already: false, description: 'news and offers by email' })
    expect(JSON.stringify(res.data)).not.toContain(doctor.email)
    expect(await preferenceRows(doctor.id)).toEqual([])
  })

  it('answers a replayed link “already unsubscribed”, and does not undo a later choice', async () => {
    const doctor = await createDoctor()
    const token = signUnsubscribeToken({ userId: doctor.id, kind: 'engagement', channel: 'email' })
    expect((await post(token)).data).toMatchObject({ ok: true, outcome: 'unsubscribed' })
    // The doctor subscribes again in settings; the old link must not turn it off.
    const on: CommunicationChoices = {
      email: { engagement: true, promotional: false },
      sms: { engagement: false, promotional: false },
      whatsapp: { engagement: false, promotional: false },
      push: { engagement: true, promotional: false },
    }
    await updateCommunicationPreferences(doctor.id, on)
    const before = await preferenceRows(doctor.id)
    const replay = await post(token)
    expect(replay.status).toBe(200)
    expect(replay.data).toMatchObject({ ok: true, outcome: 'already' })
    expect(await preferenceRows(doctor.id)).toEqual(before)
    const page = await callLoader(unsubscribeRoute, { url: `/unsubscribe?token=${encodeURIComponent(token)}` })
    expect(page.data).toMatchObject({ already: true })
  })

  it('refuses forged, tampered, other people’s and oversized tokens with a 400, changing nothing', async () => {
    const victim = await createDoctor()
    const attacker = await createDoctor()
    const own = signUnsubscribeToken({ userId: attacker.id, kind: 'engagement', channel: 'email' })
    const [payload, signature] = own.split('.')
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>
    // The attacker's own valid signature on a payload naming someone else.
    const retargeted = `${Buffer.from(JSON.stringify({ ...decoded, u: victim.id })).toString('base64url')}.${signature}`
    const reKinded = `${Buffer.from(JSON.stringify({ ...decoded, k: 'promotional' })).toString('base64url')}.${signature}`
    const unsigned = `${payload}.${'A'.repeat(43)}`
    const forged = [retargeted, reKinded, unsigned, 'not-a-token', `${payload}.${signature}x`, 'a'.repeat(MB), '']
    const before = [await preferenceRows(victim.id), await preferenceRows(attacker.id)]
    for (const token of forged) {
      const res = await post(token)
      expect(res.status, token.slice(0, 40)).toBe(400)
      expect(res.data).toMatchObject({ ok: false })
      const page = await callLoader(unsubscribeRoute, { url: `/unsubscribe?token=${encodeURIComponent(token.slice(0, 2000))}` })
      expect(page.status).toBe(400)
    }
    // No token at all, and a token only in an oversized form field.
    expect((await post(null, {})).status).toBe(400)
    expect((await post(null, { token: own + 'x'.repeat(MB) })).status).toBe(400)
    expect([await preferenceRows(victim.id), await preferenceRows(attacker.id)]).toEqual(before)
    expect(await rawSql()`select 1 from unsubscribe_token_uses where user_id in (${victim.id}, ${attacker.id})`).toHaveLength(0)
  })

  it('applies a link to its own account only, whoever is signed in when it is opened', async () => {
    const owner = await createDoctor()
    const other = await createDoctor()
    const token = signUnsubscribeToken({ userId: owner.id, kind: 'engagement', channel: 'email' })
    const res = await callAction(unsubscribeRoute, {
      url: `/unsubscribe?token=${encodeURIComponent(token)}`,
      form: { token },
      auth: await signIn(other.id),
    })
    expect(res.data).toMatchObject({ ok: true, outcome: 'unsubscribed' })
    expect((await getCommunicationPreferences(owner.id)).email.engagement).toBe(false)
    expect(await preferenceRows(other.id)).toEqual([])
  })

  it('refuses an expired link with a 410, changing nothing', async () => {
    const doctor = await createDoctor()
    const issued = new Date(Date.now() - UNSUBSCRIBE_TOKEN_LIFETIME_MS - 1000)
    const token = signUnsubscribeToken({ userId: doctor.id, kind: 'engagement', channel: 'email' }, issued)
    const res = await post(token)
    expect(res.status).toBe(410)
    expect((await callLoader(unsubscribeRoute, { url: `/unsubscribe?token=${encodeURIComponent(token)}` })).status).toBe(410)
    expect(await preferenceRows(doctor.id)).toEqual([])
  })

  it('accepts the token from the confirmation form as well as the URL', async () => {
    const doctor = await createDoctor()
    const token = signUnsubscribeToken({ userId: doctor.id, kind: 'promotional', channel: 'email' })
    const res = await post(null, { token })
    expect(res.data).toMatchObject({ ok: true, outcome: 'unsubscribed' })
    expect((await getCommunicationPreferences(doctor.id)).email.promotional).toBe(false)
  })
})
