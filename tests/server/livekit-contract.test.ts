import { randomUUID } from 'node:crypto'
import { RoomServiceClient, TokenVerifier } from 'livekit-server-sdk'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../server/config'
import { createLiveMedia, recordingOutput } from '../../server/livekit/media'
import { liveKitConfigured, liveKitSettings, mintRoomToken, roomNameForTalk } from '../../server/livekit/tokens'

// Against a real LiveKit (`livekit-server --dev`, see docs/livekit.md) when LIVEKIT_URL,
// LIVEKIT_API_KEY and LIVEKIT_API_SECRET are set. Without them this file checks that Rounds
// reports media as off, so the normal run has nothing skipped.

const cfg = parseConfig(process.env)
const settings = liveKitSettings(cfg)

if (settings) {
  describe('a real LiveKit server', () => {
    const rooms = new RoomServiceClient(settings.url.replace(/^ws/, 'http'), settings.apiKey, settings.apiSecret)
    const media = createLiveMedia(settings, recordingOutput(cfg))

    it('accepts our tokens and room service calls, and tolerates a participant who is not there', async () => {
      const talkId = randomUUID()
      const room = roomNameForTalk(talkId)
      await rooms.createRoom({ name: room, emptyTimeout: 30 })
      try {
        expect((await rooms.listRooms([room])).map((r) => r.name)).toEqual([room])
        const minted = await mintRoomToken({ talkId, userId: randomUUID(), displayName: 'Dr Contract', photoUrl: null, role: 'speaker' }, settings)
        const claims = await new TokenVerifier(settings.apiKey, settings.apiSecret).verify(minted.token)
        expect(claims.video?.room).toBe(room)
        // Nobody is in the room: permission and removal calls succeed quietly.
        await media.setPublish(talkId, randomUUID(), false)
        await media.removeParticipant(talkId, randomUUID())
        expect(await media.muteMicrophone(talkId, randomUUID())).toBe(0)
      } finally {
        await rooms.deleteRoom(room)
      }
    })
  })
} else {
  describe('without LIVEKIT_URL', () => {
    it('reports live audio and video as not set up, and the media calls do nothing', async () => {
      expect(cfg.LIVEKIT_URL).toBeUndefined()
      expect(liveKitConfigured(cfg)).toBe(false)
      const media = createLiveMedia(null, recordingOutput(cfg))
      expect(media.configured).toBe(false)
      await media.setPublish(randomUUID(), randomUUID(), true)
      await expect(media.startRecording(randomUUID(), 'x.ogg')).rejects.toThrow('LiveKit is not configured.')
    })
  })
}
