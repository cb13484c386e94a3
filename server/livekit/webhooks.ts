import express, { type RequestHandler } from 'express'
import { WebhookReceiver, type WebhookEvent } from 'livekit-server-sdk'
import { LiveKitNotConfiguredError, liveKitSettings, type LiveKitSettings } from './tokens'

/**
 * Checks a LiveKit webhook: the Authorization header must be a JWT signed with our API key and
 * secret whose `sha256` claim matches the exact bytes of the body. Throws when it does not.
 */
export async function verifyWebhook(
  rawBody: string,
  authHeader: string | undefined,
  settings: LiveKitSettings | null = liveKitSettings(),
): Promise<WebhookEvent> {
  if (!settings) throw new LiveKitNotConfiguredError()
  const receiver = new WebhookReceiver(settings.apiKey, settings.apiSecret)
  // Never pass skipAuth: an unsigned event could end a talk or add a speaker.
  return receiver.receive(rawBody, authHeader)
}

type WebhookRouteOptions = {
  settings?: LiveKitSettings | null
  log?: (message: string) => void
}

/**
 * POST /livekit/webhook. Mounted before the JSON/body-limit and origin middlewares: the signature
 * covers the raw body, so it must reach us unparsed.
 */
export function liveKitWebhookRoute({
  settings = liveKitSettings(),
  log = (message) => console.log(`[rounds] ${message}`),
}: WebhookRouteOptions = {}): RequestHandler[] {
  const readRawBody = express.raw({ type: ['application/webhook+json', 'application/json'], limit: '256kb' })
  const handle: RequestHandler = (req, res) => {
    if (!settings) {
      res.status(503).type('text/plain').send('LiveKit is not configured.')
      return
    }
    const rawBody = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : ''
    verifyWebhook(rawBody, req.get('authorization'), settings)
      .then((event) => {
        // For now we only note the event; room and participant handlers come with the live stage.
        log(`LiveKit webhook: ${event.event}`)
        res.status(200).type('text/plain').send('ok')
      })
      .catch(() => {
        res.status(401).type('text/plain').send('Webhook signature is not valid.')
      })
  }
  return [readRawBody, handle]
}
