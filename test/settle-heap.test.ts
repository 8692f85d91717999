// The idle heap collection (src/reload/settle-heap.ts) waits for a quiet
// server: a full collection under load costs a pause and throws away the
// request path's optimized code. A stand-in collector counts the calls.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { settleHeap } from '../src/reload/settle-heap.js'
import { withDeadline } from './helpers.js'

const QUIET_MS = 100
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function settler(activity: () => number) {
  let collections = 0
  let onCollect: (() => void) | undefined
  const heap = settleHeap({
    activity,
    quietMs: QUIET_MS,
    collect: () => {
      collections++
      onCollect?.()
    },
  })
  const collected = () => withDeadline(new Promise<void>((resolve) => (onCollect = resolve)), 5_000, 'a collection')
  return { heap, collections: () => collections, collected }
}

test('no collection while requests keep coming; one once they stop', async () => {
  // Load as a clock: ten requests a millisecond, however late the timers run.
  let loaded = true
  let last = 0
  const activity = () => {
    if (loaded) last = Math.floor(performance.now() * 10)
    return last
  }
  const { heap, collections, collected } = settler(activity)
  heap.touched()
  await sleep(QUIET_MS * 8)
  assert.equal(collections(), 0, 'collected under load')
  const first = collected()
  loaded = false
  await first
  heap.stop()
})

test('a few requests now and then (a polling tab) leave the server quiet', async () => {
  let requests = 0
  const { heap, collected } = settler(() => requests)
  const polling = setInterval(() => requests++, QUIET_MS / 4)
  try {
    const first = collected()
    heap.touched()
    await first
  } finally {
    clearInterval(polling)
    heap.stop()
  }
})
