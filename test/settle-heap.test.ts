// The idle heap collection (src/reload/settle-heap.ts) waits for a quiet
// server: a full collection under load costs a pause and throws away the
// request path's optimized code. A stand-in collector counts the calls; the
// last test lets the real one run.
import assert from 'node:assert/strict'
import { constants, PerformanceObserver } from 'node:perf_hooks'
import { test } from 'node:test'
import { getHeapStatistics } from 'node:v8'
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

test('the real collection: a full one, with no second V8 context and no warning', async () => {
  // A second context would cost Node 24's main thread on every request (settle-heap.ts).
  const contexts = getHeapStatistics().number_of_native_contexts
  const warnings: string[] = []
  const onWarning = (warning: Error) => warnings.push(warning.message)
  process.on('warning', onWarning)
  let sawFull: () => void
  const full = new Promise<void>((resolve) => (sawFull = resolve))
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // Node's gc entries carry the collection's kind in `detail`.
      const { detail } = entry as unknown as { detail?: { kind?: number } }
      if (detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) sawFull()
    }
  })
  observer.observe({ entryTypes: ['gc'] })
  const heap = settleHeap({ quietMs: QUIET_MS })
  try {
    heap.touched()
    await withDeadline(full, 5_000, 'a full collection')
    await sleep(50)
    assert.equal(getHeapStatistics().number_of_native_contexts, contexts)
    assert.deepEqual(warnings, [])
  } finally {
    heap.stop()
    observer.disconnect()
    process.off('warning', onWarning)
  }
})
