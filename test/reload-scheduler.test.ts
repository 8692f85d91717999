// The rebuild policy on its own, with a stand-in build: which triggers are
// merged, that saves build at once at any pace, and when a burst waits for quiet.
// Windows are far apart (1 ms merge, 400 ms quiet) so a loaded machine's late
// timers cannot change the outcome.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createReloadScheduler } from '../src/reload/scheduler.js'
import { withDeadline } from './helpers.js'

const SETTLE_MS = 400
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A scheduler whose builds take `buildMs` and are recorded, with when each started. */
function scheduler(buildMs = 30) {
  const runs: { reasons: string[]; at: number }[] = []
  let onRun: (() => void) | undefined
  const s = createReloadScheduler({
    debounceMs: 1,
    settleMs: SETTLE_MS,
    async run(reasons) {
      runs.push({ reasons, at: performance.now() })
      onRun?.()
      await sleep(buildMs)
    },
  })
  const nextRun = () => withDeadline(new Promise<void>((resolve) => (onRun = resolve)), 5_000, 'a build')
  return { s, runs, nextRun, idle: () => withDeadline(s.idle(), 10_000, 'the scheduler to be idle') }
}

/** A scheduler whose builds end when the test calls `finish()`. */
function gated(options: { maxWaitMs?: number } = {}) {
  const runs: { reasons: string[]; at: number }[] = []
  let onRun: (() => void) | undefined
  let ends: (() => void)[] = []
  const s = createReloadScheduler({
    debounceMs: 1,
    settleMs: SETTLE_MS,
    ...options,
    run(reasons) {
      runs.push({ reasons, at: performance.now() })
      onRun?.()
      return new Promise<void>((resolve) => ends.push(resolve))
    },
  })
  const nextRun = () => withDeadline(new Promise<void>((resolve) => (onRun = resolve)), 10_000, 'a build')
  const finish = () => {
    for (const end of ends) end()
    ends = []
  }
  return { s, runs, nextRun, finish, idle: () => withDeadline(s.idle(), 10_000, 'the scheduler to be idle') }
}

describe('reload scheduler', () => {
  test('one save, one build, with that file', async () => {
    const { s, runs, idle } = scheduler()
    s.trigger('a.ts')
    await idle()
    assert.deepEqual(runs.map((r) => r.reasons), [['a.ts']])
  })

  test('files saved together are built together, each once', async () => {
    const { s, runs, idle } = scheduler()
    s.trigger('a.ts')
    s.trigger('b.ts')
    s.trigger('a.ts')
    await idle()
    assert.deepEqual(runs.map((r) => r.reasons), [['a.ts', 'b.ts']])
  })

  test('saves during a build get one follow-up, started without waiting for quiet', async () => {
    const { s, runs, nextRun, idle } = scheduler(100)
    const first = nextRun()
    s.trigger('a.ts')
    await first
    s.trigger('b.ts')
    s.trigger('c.ts')
    await idle()
    assert.deepEqual(runs.map((r) => r.reasons), [['a.ts'], ['b.ts', 'c.ts']])
    // It started when the first build ended, not a quiet window later.
    assert.ok(runs[1]!.at - runs[0]!.at < SETTLE_MS, `the follow-up started ${(runs[1]!.at - runs[0]!.at).toFixed(0)} ms after the first build`)
  })

  test('after three stale follow-ups in a row, the next build waits for quiet', async () => {
    const { s, runs, nextRun, idle, finish } = gated()
    let started = nextRun()
    s.trigger('f0.ts')
    await started
    // Each build ends with a save made while it ran: a follow-up, at once, three times.
    for (let i = 1; i <= 3; i++) {
      s.trigger(`f${i}.ts`)
      started = nextRun()
      finish()
      if (i < 3) await started
    }
    // The third follow-up ended stale: a burst. Nothing builds while saves keep coming.
    await sleep(SETTLE_MS / 2)
    const lastSaveAt = performance.now()
    s.trigger('f4.ts')
    await sleep(SETTLE_MS / 2)
    assert.equal(runs.length, 3, 'a build started during the burst')
    await started
    // Timers may fire a millisecond early.
    assert.ok(runs[3]!.at - lastSaveAt >= SETTLE_MS - 2, `built ${(runs[3]!.at - lastSaveAt).toFixed(0)} ms after the last save`)
    finish()
    await idle()
    assert.deepEqual(runs.map((r) => r.reasons), [['f0.ts'], ['f1.ts'], ['f2.ts'], ['f3.ts', 'f4.ts']])
  })

  test('an endless burst is still built, maxWaitMs after its quiet wait began', async () => {
    const { s, runs, nextRun, idle, finish } = gated({ maxWaitMs: SETTLE_MS * 2 })
    let started = nextRun()
    s.trigger('f0.ts')
    await started
    for (let i = 1; i <= 3; i++) {
      s.trigger(`f${i}.ts`)
      started = nextRun()
      finish()
      if (i < 3) await started
    }
    // Saves never quiet for SETTLE_MS, for longer than maxWaitMs.
    const until = performance.now() + SETTLE_MS * 4
    let saves = 4
    while (performance.now() < until && runs.length === 3) {
      s.trigger(`f${saves++}.ts`)
      await sleep(SETTLE_MS / 8)
    }
    assert.equal(runs.length, 4, 'no build during the burst')
    await started
    finish()
    await idle()
    assert.equal(new Set(runs.flatMap((r) => r.reasons)).size, saves)
  })

  test('saves at any pace build at once: right after a build, or 50 ms apart', async () => {
    const { s, runs, nextRun, idle } = scheduler(10)
    s.trigger('a.ts')
    await idle()
    // A formatter rewriting the file just built, then a person saving every 50 ms.
    for (const name of ['b.ts', 'c.ts', 'd.ts', 'e.ts']) {
      const started = nextRun()
      const savedAt = performance.now()
      s.trigger(name)
      await started
      assert.ok(runs.at(-1)!.at - savedAt < SETTLE_MS, `${name} was built ${(runs.at(-1)!.at - savedAt).toFixed(0)} ms after its save`)
      await idle()
      await sleep(50)
    }
    assert.deepEqual(runs.map((r) => r.reasons), [['a.ts'], ['b.ts'], ['c.ts'], ['d.ts'], ['e.ts']])
  })

  test('stop() ends a pending wait, and later triggers build nothing', async () => {
    const { s, runs } = scheduler()
    s.trigger('a.ts')
    s.stop()
    await withDeadline(s.idle(), 1_000, 'idle after stop')
    s.trigger('b.ts')
    await sleep(50)
    assert.deepEqual(runs, [])
  })
})
