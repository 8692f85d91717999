// A reload's standby told to wait for its bundle awake (bundle-handoff.ts
// stayAwake(), workers/lane.ts): its thread spins on its lane instead of
// going back to the event loop. The bundle that comes meanwhile is imported
// at once; once the time is up with no bundle, the thread goes back to its
// event loop and the bundle that comes later is imported as ever.
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { createBuilder } from '../src/reload/builder.js'
import { Generation } from '../src/pool/generation.js'
import type { Builder } from '../src/reload/builder.js'
import { fixture, ROOT, withDeadline } from './helpers.js'

let builder: Builder | undefined

async function bundle(): Promise<{ url: string; preloadUrl: string }> {
  builder ??= await createBuilder(fixture('counter.ts'), ROOT)
  const build = await builder.build()
  assert.ok(build.ok)
  return build
}

/** A standby: booted, no bundle yet. */
async function standby(preloadUrl: string): Promise<Generation> {
  const generation = new Generation({
    gen: 2,
    workers: 1,
    entry: 'counter.ts',
    handler: 'auto',
    maxMemoryMb: undefined,
    preloadUrl,
    bundleUrl: undefined,
    onWorkerError: () => {},
  })
  await withDeadline(generation.booted, 20_000, 'the standby to boot')
  assert.equal(generation.bootError, undefined)
  return generation
}

/** Whether the generation answers a request with the bundle's handler. */
function served(generation: Generation): Promise<number> {
  return withDeadline(
    new Promise<number>((resolve, reject) =>
      generation.run(
        { id: 1, method: 'GET', url: 'http://127.0.0.1/health', headers: ['host', '127.0.0.1'], body: null, remoteAddress: '127.0.0.1', remotePort: 1 },
        { resolve: (result) => resolve(result.kind === 'response' ? result.status : -1), reject },
      ),
    ),
    10_000,
    'the request to be answered',
  )
}

/** Whether the worker's event loop waits for events (idle) at some point in the next `ms`: false while its thread spins. */
async function idles(generation: Generation, ms: number): Promise<boolean> {
  const worker = generation.threads[0]!
  const before = worker.performance.eventLoopUtilization()
  await new Promise((resolve) => setTimeout(resolve, ms))
  return worker.performance.eventLoopUtilization(before).idle > 0
}

/** A booted standby for a fresh bundle, ended after `run`. */
async function withStandby(run: (generation: Generation, url: string) => Promise<void>): Promise<void> {
  const { url, preloadUrl } = await bundle()
  const generation = await standby(preloadUrl)
  try {
    await run(generation, url)
  } finally {
    await generation.destroy()
  }
}

after(async () => {
  await builder?.dispose()
})

describe('a standby waiting for its bundle awake', () => {
  test('imports the bundle that comes while it waits, without waiting for the end of its time', async () => {
    await withStandby(async (generation, url) => {
      // Far longer than the deadline below: only a 'load' handled during the wait ends it in time.
      generation.stayAwake(60_000)
      await withDeadline(generation.load(url), 10_000, 'the import during the wait')
      assert.equal(generation.loadError, undefined)
      assert.equal(await served(generation), 200)
    })
  })

  test('told twice, then given no bundle: goes back to its event loop, and imports the next bundle', async () => {
    await withStandby(async (generation, url) => {
      // The second (a follow-up build's) comes during the first wait and extends it.
      generation.stayAwake(50)
      generation.stayAwake(100)
      await new Promise((resolve) => setTimeout(resolve, 300))
      assert.ok(await idles(generation, 200), 'the worker is back in its event loop')
      await withDeadline(generation.load(url), 10_000, 'the import after the wait')
      assert.equal(generation.loadError, undefined)
      assert.equal(await served(generation), 200)
    })
  })
  test('told to stop waiting, goes back to its event loop at once (a reload that does not hand it the bundle)', async () => {
    await withStandby(async (generation, url) => {
      generation.stayAwake(60_000)
      generation.stayAwake(0)
      // Once both messages have come: idle time from then on is the thread's own event loop.
      await new Promise((resolve) => setTimeout(resolve, 200))
      assert.ok(await idles(generation, 300), 'the worker is back in its event loop')
      await withDeadline(generation.load(url), 10_000, 'the import after the wait')
      assert.equal(await served(generation), 200)
    })
  })
})
