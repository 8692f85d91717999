// The rebuild policy on its own, with a stand-in build: which triggers are
// merged, that saves build at once at any pace, and that a flood waits for quiet.
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
/** `debounceMs: undefined`: the scheduler's own default. */
function gated(options: { maxWaitMs?: number; now?: () => number; debounceMs?: number | undefined } = {}) {
  const runs: { reasons: string[]; at: number; quietMs: number }[] = []
  let onRun: (() => void) | undefined
  let ends: (() => void)[] = []
  const s = createReloadScheduler({
    debounceMs: 1,
    settleMs: SETTLE_MS,
    ...options,
    run(reasons, quietMs) {
      runs.push({ reasons, at: performance.now(), quietMs })
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
    assert.deepEqual(
      runs.map((r) => r.reasons),
      [['a.ts']],
    )
  })

  test('files saved together are built together, each once', async () => {
    const { s, runs, idle } = scheduler()
    s.trigger('a.ts')
    s.trigger('b.ts')
    s.trigger('a.ts')
    await idle()
    assert.deepEqual(
      runs.map((r) => r.reasons),
      [['a.ts', 'b.ts']],
    )
  })

  test('saves during a build get one follow-up, started without waiting for quiet', async () => {
    const { s, runs, nextRun, idle } = scheduler(100)
    const first = nextRun()
    s.trigger('a.ts')
    await first
    s.trigger('b.ts')
    s.trigger('c.ts')
    await idle()
    assert.deepEqual(
      runs.map((r) => r.reasons),
      [['a.ts'], ['b.ts', 'c.ts']],
    )
    // It started when the first build ended, not a quiet window later.
    assert.ok(runs[1]!.at - runs[0]!.at < SETTLE_MS, `the follow-up started ${(runs[1]!.at - runs[0]!.at).toFixed(0)} ms after the first build`)
  })

  /** Trigger `events` ([ms after the one before, name]) during a first build; whether the follow-up waited for quiet, and the runs. */
  async function duringBuild(events: ReadonlyArray<readonly [number, string]>, debounceMs?: number) {
    const clock = { t: 0 }
    const { s, runs, nextRun, idle, finish } = gated({ now: () => clock.t, debounceMs })
    const started = nextRun()
    s.trigger('first')
    await started
    for (const [gap, name] of events) {
      clock.t += gap
      s.trigger(name)
    }
    const followUp = nextRun()
    const endedAt = performance.now()
    finish()
    await followUp
    const waited = runs[1]!.at - endedAt >= SETTLE_MS - 2
    finish()
    await idle()
    return { waited, runs }
  }

  test('four operations less than 30 ms apart are a flood: the next build waits for quiet', async () => {
    // A checkout or a formatter: three more operations 10 ms apart while the first build runs.
    const { waited, runs } = await duringBuild(
      [
        [10, 'f1.ts'],
        [10, 'f2.ts'],
        [10, 'f3.ts'],
      ],
      1,
    )
    assert.ok(waited, `the follow-up did not wait ${SETTLE_MS} ms of quiet`)
    assert.deepEqual(
      runs.map((r) => r.reasons),
      [['first'], ['f1.ts', 'f2.ts', 'f3.ts']],
    )
    // Told to the build, for its reload line ("waited … for a burst of writes to end"): a timer never fires early.
    assert.equal(runs[0]!.quietMs, 0)
    assert.ok(runs[1]!.quietMs >= SETTLE_MS - 2, `quietMs ${runs[1]!.quietMs}`)
  })

  test('four quick operations with one gap of 30 ms or more are no flood: a sed, a git checkout, and its late event', async () => {
    // sed -i: two operations 1.3 ms apart (with a 1 ms window); git checkout 17 ms later; chokidar's second event of the checkout 43 ms after that.
    const { waited, runs } = await duringBuild(
      [
        [1.3, 'sed again'],
        [17, 'checkout'],
        [43, 'checkout, late'],
      ],
      1,
    )
    assert.equal(waited, false, 'the follow-up waited for quiet, as in a flood')
    assert.deepEqual(
      runs.map((r) => r.reasons),
      [['first'], ['sed again', 'checkout', 'checkout, late']],
    )
    assert.deepEqual(
      runs.map((r) => r.quietMs),
      [0, 0],
    )
  })

  test("with the default window, a sed's two events are one operation: a sed, a checkout 20 ms later and its late event are no flood", async () => {
    // sed -i: its second event 1.3 ms after the first; the checkout 20 ms on; chokidar's late event of it 15 ms after that.
    const { waited, runs } = await duringBuild(
      [
        [1.3, 'sed again'],
        [20, 'checkout'],
        [15, 'checkout, late'],
      ],
      undefined,
    )
    assert.equal(waited, false, 'the follow-up waited for quiet, as for a flood')
    assert.deepEqual(runs[1]!.reasons, ['sed again', 'checkout', 'checkout, late'])
  })

  test('events 2 ms apart without end are still a flood with the default window: an operation is counted from its first event', async () => {
    const { waited } = await duringBuild(
      Array.from({ length: 12 }, (_, i) => [2, `gen${i}.ts`] as const),
      undefined,
    )
    assert.equal(waited, true, 'a stream of writes 2 ms apart was taken for one save')
  })

  test('saves 50 ms apart that keep landing during builds are built at once, each', async () => {
    const clock = { t: 0 }
    const { s, runs, nextRun, idle, finish } = gated({ now: () => clock.t })
    let started = nextRun()
    s.trigger('f0.ts')
    await started
    for (let i = 1; i <= 5; i++) {
      clock.t += 50
      s.trigger(`f${i}.ts`)
      started = nextRun()
      const endedAt = performance.now()
      finish()
      await started
      assert.ok(runs[i]!.at - endedAt < SETTLE_MS, `follow-up ${i} started ${(runs[i]!.at - endedAt).toFixed(0)} ms after the build before it`)
    }
    finish()
    await idle()
    assert.deepEqual(
      runs.map((r) => r.reasons),
      [['f0.ts'], ['f1.ts'], ['f2.ts'], ['f3.ts'], ['f4.ts'], ['f5.ts']],
    )
  })

  test('an endless flood is still built, maxWaitMs after its quiet wait began', async () => {
    const clock = { t: 0 }
    const { s, runs, nextRun, idle, finish } = gated({ maxWaitMs: SETTLE_MS * 2, now: () => clock.t })
    const started = nextRun()
    s.trigger('f0.ts')
    await started
    let saves = 1
    for (; saves < 4; saves++) {
      clock.t += 10
      s.trigger(`f${saves}.ts`)
    }
    finish()
    // The flood goes on: writes 10 ms apart by their clock, never quiet for SETTLE_MS in real time, for longer than maxWaitMs.
    const until = performance.now() + SETTLE_MS * 4
    while (performance.now() < until && runs.length === 1) {
      clock.t += 10
      s.trigger(`f${saves++}.ts`)
      await sleep(SETTLE_MS / 8)
    }
    assert.equal(runs.length, 2, 'no build during the flood')
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
    assert.deepEqual(
      runs.map((r) => r.reasons),
      [['a.ts'], ['b.ts'], ['c.ts'], ['d.ts'], ['e.ts']],
    )
  })

  test('a build given up as stale: its reasons come first in the follow-up, which starts at once, and are not counted toward a flood', async () => {
    const clock = { t: 0 }
    const { s, runs, nextRun, idle, finish } = gated({ now: () => clock.t })
    let started = nextRun()
    s.trigger('a.ts')
    await started
    // Three more operations 10 ms apart: with a retry counted as one, this would be a flood of four.
    for (const name of ['b.ts', 'c.ts']) {
      clock.t += 10
      s.trigger(name)
    }
    assert.equal(s.hasPending(), true)
    clock.t += 10
    s.retry(['a.ts'])
    started = nextRun()
    const endedAt = performance.now()
    finish()
    await started
    assert.ok(runs[1]!.at - endedAt < SETTLE_MS, `the follow-up started ${(runs[1]!.at - endedAt).toFixed(0)} ms after the stale build`)
    finish()
    await idle()
    assert.deepEqual(
      runs.map((r) => r.reasons),
      [['a.ts'], ['a.ts', 'b.ts', 'c.ts']],
    )
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
