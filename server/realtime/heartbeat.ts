import { countAudience } from '../../db/live'
import { beatNode, closeStaysOfSilentNodes, registerNode } from '../../db/nodes'
import { realtimeServer } from './index'
import { talkAudiences } from './audiences'
import { revealOverdueQuestions } from './quiz'
import type { LiveNamespace } from './types'

/** How often a node writes its heartbeat and looks for what stopped nodes left open. */
export const HEARTBEAT_MS = 5_000

export type NodeIdentity = { tag: string; name: string }

/**
 * Closes what the sweep finds left open by nodes that stopped: stays (at each node's last
 * heartbeat) and live quiz questions past their time (closed and revealed). The rooms on this
 * node hear of it: the new audience count, the reveal.
 */
export async function sweepStoppedNodes() {
  const nsp = realtimeServer()?.of('/live') as LiveNamespace | undefined
  const { closedStays, talkIds } = await closeStaysOfSilentNodes()
  if (nsp) {
    for (const talkId of talkIds) talkAudiences(nsp, talkId).everyone('audience:count', { talkId, count: await countAudience(talkId) })
  }
  const revealedQuestions = await revealOverdueQuestions(nsp)
  return { closedStays, revealedQuestions }
}

/**
 * At start, before sockets are taken: closes the stays this node's last run left open at that
 * run's last heartbeat, and what other stopped nodes left; then beats every HEARTBEAT_MS and
 * sweeps again. A failed beat (the database is away) is logged once until one succeeds.
 */
export async function startNodeHeartbeat(node: NodeIdentity, options: { log: (message: string) => void; intervalMs?: number }) {
  const { log } = options
  const own = await registerNode(node)
  if (own.closedStays > 0) log(`Closed ${own.closedStays} live-room ${own.closedStays === 1 ? 'stay' : 'stays'} left open by this node's last run, at its last heartbeat.`)
  const reportSweep = ({ closedStays, revealedQuestions }: Awaited<ReturnType<typeof sweepStoppedNodes>>) => {
    if (closedStays > 0) log(`Closed ${closedStays} live-room ${closedStays === 1 ? 'stay' : 'stays'} of stopped nodes, at their last heartbeat.`)
    if (revealedQuestions > 0) log(`Closed and revealed ${revealedQuestions} quiz ${revealedQuestions === 1 ? 'question' : 'questions'} left open by a stopped node.`)
  }
  reportSweep(await sweepStoppedNodes())

  let failing = false
  let running: Promise<void> | undefined
  let stopped = false
  const tick = async () => {
    try {
      await beatNode(node)
      reportSweep(await sweepStoppedNodes())
      if (failing) log('Node heartbeat written again.')
      failing = false
    } catch (error) {
      if (!failing && !stopped) console.warn('[rounds] Could not write this node’s heartbeat:', error instanceof Error ? error.message : error)
      failing = true
    }
  }
  const timer = setInterval(() => {
    running ??= tick().finally(() => (running = undefined))
  }, options.intervalMs ?? HEARTBEAT_MS)
  timer.unref()
  return {
    async stop() {
      stopped = true
      clearInterval(timer)
      await running
    },
  }
}
