// After --timeout, the watchdog watches the worker for a moment to tell a
// request that waits (504, the worker kept) from one stuck in a loop (the
// worker terminated). Whatever else the worker runs in that moment is not
// the timed-out request: a slow but healthy request, started after it, must
// not be blamed, nor its worker killed, whether the timed-out request was
// still waiting or answered when aborted.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { serve, type HotcellServer } from '../src/index.js'
import { fixture, request } from './helpers.js'

// The watchdog samples the worker for a tenth of the timeout (200 ms here).
const TIMEOUT_MS = 2000
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const threadOf = (text: string) => /thread (\d+)/.exec(text)?.[1]

describe('--timeout and the requests beside the one that ran out', () => {
  let server: HotcellServer
  before(async () => {
    server = await serve({ entry: fixture('faults.ts'), port: 0, workers: 1, quiet: true, timeout: TIMEOUT_MS })
  })
  after(() => server.close())

  test('a request busy while an earlier one times out is not blamed: 504 for the waiting one, 200 for the busy one, the same worker', async () => {
    const thread = threadOf((await request(`${server.url}/ok`)).text)
    const waiting = request(`${server.url}/hang`, { timeoutMs: 20_000 })
    // Busy from before the deadline until well after the watchdog's look at the worker.
    await sleep(TIMEOUT_MS - 300)
    const busy = await request(`${server.url}/busy?ms=900`, { timeoutMs: 20_000 })
    assert.equal(busy.status, 200, busy.text)
    const timedOut = await waiting
    assert.equal(timedOut.status, 504)
    assert.match(timedOut.text, /did not respond within 2 s/)
    assert.equal(threadOf((await request(`${server.url}/ok`)).text), thread, 'the worker was not replaced')
  })

  test('a request that starts right after a timed-out one answered (when aborted) is not blamed', async () => {
    const thread = threadOf((await request(`${server.url}/ok`)).text)
    const answered = await request(`${server.url}/answer-on-abort`, { timeoutMs: 20_000 })
    assert.equal(answered.status, 503)
    const busy = await request(`${server.url}/busy?ms=400`, { timeoutMs: 20_000 })
    assert.equal(busy.status, 200, busy.text)
    assert.equal(threadOf((await request(`${server.url}/ok`)).text), thread, 'the worker was not replaced')
  })
})
