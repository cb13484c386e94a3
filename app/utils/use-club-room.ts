import { useRevalidator } from '@remix-run/react'
import { useEffect, useRef, useState } from 'react'
import { siteSocket } from './site-socket'

const ENTER_TIMEOUT_MS = 5_000

/**
 * Keeps a club's page current while it is open: the page enters the club's room (the server
 * checks who may see the club), reads itself again when one of its talks goes live or ends (only
 * where it lists talks: a form or a refusal on another club page is left as it is), and says so
 * when its reader loses access to the club. Answers that message, or null.
 */
export function useClubRoom(clubId: string, signedIn: boolean, showsTalks: boolean) {
  const { revalidate } = useRevalidator()
  const reread = useRef(revalidate)
  reread.current = showsTalks ? revalidate : () => undefined
  const [removed, setRemoved] = useState<string | null>(null)

  useEffect(() => {
    if (!signedIn) return
    const socket = siteSocket()
    const enter = () => void socket.timeout(ENTER_TIMEOUT_MS).emitWithAck('club:enter', { clubId }).catch(() => undefined)
    const onTalk = (payload: { clubId: string }) => {
      if (payload.clubId === clubId) reread.current()
    }
    const onRemoved = (payload: { clubId: string; message: string }) => {
      if (payload.clubId === clubId) setRemoved(payload.message)
    }
    socket.on('connect', enter)
    socket.on('club:talk', onTalk)
    socket.on('club:removed', onRemoved)
    if (socket.connected) enter()
    return () => {
      socket.off('connect', enter)
      socket.off('club:talk', onTalk)
      socket.off('club:removed', onRemoved)
      if (socket.connected) socket.emit('club:leave', { clubId }, () => undefined)
    }
  }, [clubId, signedIn])

  return removed
}
