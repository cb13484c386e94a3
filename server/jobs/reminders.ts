import { listenForDueJobs, sendLiveNow, TALK_LIVE_QUEUE } from '../../db/notifications/live-now'
import { sendTalkReminders, TALK_REMINDERS_QUEUE } from '../../db/notifications/reminders'
import { runQueues, type QueueSpec, type RunOptions } from './runner'

/*
 * Talk reminders and "live now" (docs/decisions/028-talk-reminders.md). Both fan out set-based
 * inside the job; the "live now" job also wakes the runner at once, since its notices matter in
 * the seconds after the room opens, not at the next 2-second poll.
 */

export const reminderQueues: Record<string, QueueSpec> = {
  [TALK_REMINDERS_QUEUE]: { handler: async (payload, { now, signal }) => void (await sendTalkReminders(payload, now, signal)) },
  [TALK_LIVE_QUEUE]: { handler: async (payload, { now, signal }) => void (await sendLiveNow(payload, now, signal)) },
}

/**
 * Works the "live now" queue as soon as a job is queued (one pass at a time; a wake during a pass
 * runs another after it). The main runner may take the same job: claims never overlap (decision 007).
 */
export async function wakeForLiveNow(options: RunOptions = {}) {
  const live = { [TALK_LIVE_QUEUE]: reminderQueues[TALK_LIVE_QUEUE] }
  let running: Promise<unknown> | null = null
  let again = false
  const log = options.log ?? ((message: string, error?: unknown) => console.error(`[rounds] ${message}`, error ?? ''))
  const pass = () => {
    if (running) {
      again = true
      return
    }
    running = runQueues(live, { ...options, limit: 20 })
      .catch((error: unknown) => log('The "live now" runner could not reach the database:', error))
      .finally(() => {
        running = null
        if (again) {
          again = false
          pass()
        }
      })
  }
  const listener = await listenForDueJobs((queue) => {
    if (queue === TALK_LIVE_QUEUE) pass()
  })
  return {
    async stop() {
      await listener.stop()
      await running
    },
  }
}
