import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { LiveKitSettings } from '../../server/livekit/tokens'

/*
 * A stand-in for LiveKit's server API: a local HTTP server that records each Twirp request
 * (path and JSON body) and answers the way LiveKit would, so tests check the exact calls the
 * SDK makes without a LiveKit server. It speaks no WebRTC: browsers fail to connect their audio
 * and video to it, and are told so.
 */

export type TwirpCall = { path: string; body: Record<string, unknown>; authorization: string | undefined; answer?: unknown }

export type FakeLiveKit = {
  settings: LiveKitSettings
  calls: TwirpCall[]
  /** Calls to one method, e.g. 'RoomService/UpdateParticipant'. */
  callsTo: (method: string) => TwirpCall[]
  /** Makes the next call to `method` fail with a Twirp error. */
  failNext: (method: string, code?: string) => void
  close: () => Promise<void>
}

const answers: Partial<Record<string, (body: Record<string, unknown>) => unknown>> = {
  'livekit.RoomService/UpdateParticipant': (body) => ({ identity: body.identity, permission: body.permission ?? {} }),
  'livekit.RoomService/RemoveParticipant': () => ({}),
  'livekit.RoomService/GetParticipant': (body) => ({
    identity: body.identity,
    tracks: [
      { sid: 'TR_mic', type: 'AUDIO', source: 'MICROPHONE', muted: false },
      { sid: 'TR_cam', type: 'VIDEO', source: 'CAMERA', muted: false },
    ],
  }),
  'livekit.RoomService/DeleteRoom': () => ({}),
  'livekit.RoomService/MutePublishedTrack': (body) => ({ track: { sid: body.trackSid, muted: true } }),
  'livekit.Egress/StartRoomCompositeEgress': (body) => ({ egressId: `EG_${String(body.roomName).slice(-8)}`, roomName: body.roomName, status: 'EGRESS_STARTING' }),
  'livekit.Egress/StopEgress': (body) => ({ egressId: body.egressId, status: 'EGRESS_ENDING' }),
}

export async function startFakeLiveKit(): Promise<FakeLiveKit> {
  const calls: TwirpCall[] = []
  const failing = new Map<string, string>()
  const server: Server = createServer((req, res) => {
    let raw = ''
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')))
    req.on('end', () => {
      const path = req.url ?? ''
      if (req.method === 'OPTIONS') {
        // A browser's CORS preflight, answered as LiveKit's server does: any origin, any header.
        res.writeHead(204, {
          'access-control-allow-origin': '*',
          'access-control-allow-methods': 'GET, POST, OPTIONS',
          'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
        })
        res.end()
        return
      }
      if (path.startsWith('/rtc/')) {
        // A browser asks why its signalling socket failed: a server that is up but serves no media.
        res.writeHead(503, { 'content-type': 'text/plain', 'access-control-allow-origin': '*' })
        res.end('media is not available here')
        return
      }
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {}
      const call: TwirpCall = { path, body, authorization: req.headers.authorization }
      calls.push(call)
      const method = path.replace(/^\/twirp\//, '')
      const failure = failing.get(method)
      if (failure) {
        failing.delete(method)
        res.writeHead(failure === 'not_found' ? 404 : 500, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ code: failure, msg: `${failure} (test)` }))
        return
      }
      const answer = answers[method]
      call.answer = answer?.(body)
      res.writeHead(answer ? 200 : 404, { 'content-type': 'application/json' })
      res.end(JSON.stringify(answer ? call.answer : { code: 'bad_route', msg: 'no such method' }))
    })
  })
  // A browser's signalling WebSocket: refused, as an unreachable LiveKit would.
  server.on('upgrade', (_req, socket) => socket.destroy())
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    settings: { url: `http://127.0.0.1:${port}`, apiKey: 'APIroundsFakeKey', apiSecret: 'rounds-fake-livekit-secret-0123456789abcdef' },
    calls,
    callsTo: (method) => calls.filter((c) => c.path === `/twirp/livekit.${method}`),
    failNext: (method, code = 'internal') => failing.set(`livekit.${method}`, code),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
