import express, { type RequestHandler } from 'express'
import { WebhookReceiver, type WebhookEvent } from 'livekit-server-sdk'
import { createLiveMedia, type LiveMedia } from './media'
import { LiveKitNotConfiguredError, liveKitSettings, type LiveKitSettings } from './tokens'
import { handleLiveKitEvent } from './webhook-events'

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
  /** The LiveKit calls reconciling makes; by default one for `settings`. */
  media?: LiveMedia
  /** Tells a talk's room its recording changed. */
  onRecordingChange?: (talkId: string) => unknown
}

/**
 * POST /livekit/webhook. Mounted before the JSON/body-limit and origin middlewares: the signature
 * covers the raw body, so it must reach us unparsed.
 */
export function liveKitWebhookRoute({
  settings = liveKitSettings(),
  log = (message) => console.log(`[rounds] ${message}`),
  media,
  onRecordingChange,
}: WebhookRouteOptions = {}): RequestHandler[] {
  const liveMedia = media ?? createLiveMedia(settings)
  const readRawBody = express.raw({ type: ['application/webhook+json', 'application/json'], limit: '256kb' })
  const handle: RequestHandler = (req, res) => {
    if (!settings) {
      res.status(503).type('text/plain').send('LiveKit is not configured.')
      return
    }
    const rawBody = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : ''
    verifyWebhook(rawBody, req.get('authorization'), settings)
      .then(
        async (event) => {
          log(`LiveKit webhook: ${event.event}`)
          try {
            await handleLiveKitEvent(event, { media: liveMedia, onRecordingChange })
          } catch (error) {
            // Already noted as received: a retry would be skipped, so answer 200 and say what failed.
            console.error('[livekit] webhook handler failed:', error)
          }
          res.status(200).type('text/plain').send('ok')
        },
        () => {
          res.status(401).type('text/plain').send('Webhook signature is not valid.')
        },
      )
      .catch(() => {
        if (!res.headersSent) res.status(200).type('text/plain').send('ok')
      })
  }
  return [readRawBody, handle]
}
