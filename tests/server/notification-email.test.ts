import { describe, expect, it } from 'vitest'
import { rawSql } from '../../db/client'
import { inviteToClub } from '../../db/clubs'
import { createDoctor, createTestClub, viewerOf } from '../support/factories'
import { smtpSinkForFile } from '../support/smtp-sink'

const sink = smtpSinkForFile()

const runJobs = async (at: Date) => (await import('../../server/jobs/index')).runDueJobs({ now: () => at, log: () => {} })

describe('notification email through SMTP', () => {
  it('retries a refused message with backoff, sends it once, with HTML and text parts and the one-click unsubscribe headers', async () => {
    const owner = await createDoctor({ name: 'Dr Inviting Owner' })
    const invitee = await createDoctor()
    const club = await createTestClub(owner, { name: 'SMTP Club' })
    await inviteToClub(viewerOf(owner), club.slug, invitee.handle)

    sink.state.refuseNext = 1
    const start = Date.now()
    expect(await runJobs(new Date(start))).toEqual({ ran: 1, failed: 1 })
    expect(sink.received).toHaveLength(0)
    const [first] = await rawSql()`select status, attempts, error from notification_deliveries where user_id = ${invitee.id}`
    expect(first).toMatchObject({ status: 'retrying', attempts: 1, error: expect.stringMatching(/451/) })

    // Not before the backoff (10 s), then once.
    expect(await runJobs(new Date(start + 5_000))).toEqual({ ran: 0, failed: 0 })
    expect(await runJobs(new Date(start + 11_000))).toEqual({ ran: 1, failed: 0 })
    expect(await runJobs(new Date(start + 60 * 60_000))).toEqual({ ran: 0, failed: 0 })
    expect(sink.received).toHaveLength(1)
    expect(sink.state.refused).toBe(1)

    const [delivery] = await rawSql()`select status, attempts, error, provider_id, sent_at from notification_deliveries where user_id = ${invitee.id}`
    expect(delivery).toMatchObject({ status: 'sent', attempts: 2, error: null })
    const [mail] = sink.received
    expect(mail.to).toEqual([`RCPT TO:<${invitee.email}>`])
    expect(mail.data).toMatch(/^Subject: Dr Inviting Owner invited you to join SMTP Club$/m)
    expect(mail.data).toContain(`Message-ID: ${delivery.provider_id}`)
    expect(mail.data).toMatch(/^Content-Type: multipart\/alternative;/m)
    expect(mail.data).toMatch(/^Content-Type: text\/plain; charset=utf-8$/m)
    expect(mail.data).toMatch(/^Content-Type: text\/html; charset=utf-8$/m)
    // Long headers are folded (RFC 5322 §2.2.3): unfold them to read them.
    const headers = mail.data.slice(0, mail.data.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ')
    expect(headers).toMatch(/^List-Unsubscribe: <http:\/\/[^>]+\/unsubscribe\?token=[\w.-]+>$/m)
    expect(headers).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m)
    // No job is left behind.
    expect(await rawSql()`select id from jobs where queue = 'notification.email'`).toHaveLength(0)
  })
})
