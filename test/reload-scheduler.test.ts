// The rebuild policy on its own, with a stand-in build: which triggers are
// merged, when a follow-up runs at once and when it waits for a burst to end.
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

  test('a burst that outlasts the follow-up is built once more, when it has ended', async () => {
    const { s, runs, idle } = scheduler(20)
    // A save every 10 ms for 600 ms: a formatter or a checkout, not a person.
    for (let i = 0; i < 60; i++) {
      s.trigger(`f${i}.ts`)
      await sleep(10)
    }
    const burstEnded = performance.now()
    await idle()
    // The first save, its follow-up, and one build for the rest of the burst, after it.
    assert.equal(runs.length, 3, `${runs.length} builds: ${JSON.stringify(runs.map((r) => r.reasons.length))}`)
    assert.ok(runs[2]!.at >= burstEnded, 'the last build waited for the burst to end')
    assert.deepEqual(new Set(runs.flatMap((r) => r.reasons)), new Set(Array.from({ length: 60 }, (_, i) => `f${i}.ts`)))
  })

  test('a save right after a build waits for quiet; a save later does not', async () => {
    const { s, runs, nextRun, idle } = scheduler(10)
    s.trigger('a.ts')
    await idle()
    const followUp = nextRun()
    const savedAt = performance.now()
    s.trigger('b.ts') // a formatter rewriting the file just built
    await followUp
    assert.ok(runs[1]!.at - savedAt >= SETTLE_MS - 5, `built ${(runs[1]!.at - savedAt).toFixed(0)} ms after the save`)
    await idle()
    await sleep(SETTLE_MS + 50)
    const later = nextRun()
    const laterAt = performance.now()
    s.trigger('c.ts')
    await later
    assert.ok(runs[2]!.at - laterAt < SETTLE_MS, `built ${(runs[2]!.at - laterAt).toFixed(0)} ms after a save made once things were quiet`)
    assert.deepEqual(runs.map((r) => r.reasons), [['a.ts'], ['b.ts'], ['c.ts']])
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
