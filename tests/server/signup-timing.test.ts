import { performance } from 'node:perf_hooks'
import { describe, expect, it } from 'vitest'
import * as signupRoute from '../../app/routes/signup'
import { createDoctor } from '../support/factories'
import { callAction, nextClientAddress } from '../support/routes'

const TRIES = 15

let counter = 0
const newEmail = () => `timing.${++counter}.${Date.now()}@hospital.test`

async function timedSignup(email: string) {
  const form = { name: 'Dr Lena Ortiz', email, password: 'ward round at seven sharp', dateOfBirth: '1984-02-10' }
  const started = performance.now()
  const result = await callAction(signupRoute, { url: '/signup', form, clientAddress: nextClientAddress() })
  const took = performance.now() - started
  expect(result).toMatchObject({ status: 302, location: `/verify?email=${encodeURIComponent(email)}` })
  return took
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

describe('sign-up timing', () => {
  it('takes about as long for an email that has an account as for a new one', async () => {
    const known = [] as string[]
    for (let i = 0; i < TRIES + 1; i++) known.push((await createDoctor()).email)
    // Warm both paths once (first hash, prepared statements) before measuring.
    await timedSignup(known.pop()!)
    await timedSignup(newEmail())

    const knownTimes: number[] = []
    const newTimes: number[] = []
    // Interleaved, so load on the machine falls on both paths alike.
    for (let i = 0; i < TRIES; i++) {
      knownTimes.push(await timedSignup(known[i]))
      newTimes.push(await timedSignup(newEmail()))
    }

    const ratio = median(knownTimes) / median(newTimes)
    const detail = `known ${median(knownTimes).toFixed(1)} ms, new ${median(newTimes).toFixed(1)} ms, ratio ${ratio.toFixed(2)}`
    console.info(`sign-up timing: ${detail}`)
    expect(ratio, detail).toBeGreaterThan(0.5)
    expect(ratio, detail).toBeLessThan(2)
  }, 60_000)
})
