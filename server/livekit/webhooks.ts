import type { Request, RequestHandler } from 'express'
import { WebhookReceiver, type WebhookEvent } from 'livekit-server-sdk'
import { closeAfterAnswer } from '../http/bad-input'
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

/** A webhook event is a few kilobytes; nothing near this is ever sent. */
export const MAX_WEBHOOK_BYTES = 1024 * 1024
const WEBHOOK_TYPES = new Set(['application/webhook+json', 'application/json'])

/**
 * Reads a request body up to `maxBytes`, whatever Content-Length said (a chunked body has none).
 * Resolves null, and stops reading, as soon as the body passes the cap.
 */
export function readCappedBody(req: Request, maxBytes: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength
      if (size > maxBytes) {
        cleanup()
        req.pause()
        resolve(null)
        return
      }
      chunks.push(chunk)
    }
    const onEnd = () => {
      cleanup()
      resolve(Buffer.concat(chunks))
    }
    const onError = (error: Error) => {
      cleanup()
      reject(error)
    }
    const cleanup = () => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
  })
}

/**
 * POST /livekit/webhook. Mounted before the body-limit and origin middlewares: the signature
 * covers the raw body, so it must reach us unparsed. The body is capped before and while it is
 * read: a Content-Length over the cap is refused unread, a chunked body is cut off at the cap.
 */
export function liveKitWebhookRoute({
  settings = liveKitSettings(),
  log = (message) => console.log(`[rounds] ${message}`),
  media,
  onRecordingChange,
}: WebhookRouteOptions = {}): RequestHandler[] {
  const liveMedia = media ?? createLiveMedia(settings)
  const handle: RequestHandler = (req, res) => {
    // Answered without reading the rest of the body.
    const refuse = (status: number, message: string) => {
      closeAfterAnswer(req, res)
      res.status(status).type('text/plain').send(message)
    }
    if (!settings) return refuse(503, 'LiveKit is not configured.')
    if (!WEBHOOK_TYPES.has((req.get('content-type') ?? '').split(';')[0].trim().toLowerCase())) {
      return refuse(415, 'A LiveKit webhook is sent as application/webhook+json.')
    }
    if (Number(req.get('content-length') ?? 0) > MAX_WEBHOOK_BYTES) return refuse(413, 'A LiveKit webhook is never this large.')
    readCappedBody(req, MAX_WEBHOOK_BYTES)
      .then(async (body) => {
        if (body === null) return refuse(413, 'A LiveKit webhook is never this large.')
        let event: WebhookEvent
        try {
          event = await verifyWebhook(body.toString('utf8'), req.get('authorization'), settings)
        } catch {
          return refuse(401, 'Webhook signature is not valid.')
        }
        log(`LiveKit webhook: ${event.event}`)
        try {
          await handleLiveKitEvent(event, { media: liveMedia, onRecordingChange })
        } catch (error) {
          // Already noted as received: a retry would be skipped, so answer 200 and say what failed.
          console.error('[livekit] webhook handler failed:', error)
        }
        res.status(200).type('text/plain').send('ok')
      })
      .catch(() => {
        if (!res.headersSent) refuse(400, 'The webhook body could not be read.')
      })
  }
  return [handle]
}
