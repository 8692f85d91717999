// After a burst of reloads the main thread's heap stays at V8's high-water
// mark: each reload leaves garbage in the old space (a pool, its ports, a
// build result), and V8 collects it only when the old space reaches its limit;
// its memory reducer never ran in a server idle for 25 s. 200 reloads took the
// server from 88 to 135 MiB RSS (heap 10.5 → 38 MiB, 16 of it in use); one
// full collection then brought it to 102.5 MiB (heap 14.7 MiB); a concurrent
// one collected as much but gave nothing back. So once the server has been
// quiet for a while (no reload, few requests: after its start, and after
// reloads), hotcell runs one, and another a second later (see AGAIN_MS):
// pauses of a few ms while nothing happens.
//
// The collection comes from vm.measureMemory in its eager mode, which posts a
// task running the same full collection as --expose-gc's gc()
// (MemoryMeasurement::ScheduleGCTask → PreciseCollectAllGarbage in V8), with
// no flag and no second context. Both were tried before and dropped:
// --expose-gc for the server process made every Node process and worker boot
// ~38 ms slower (the command's start 220 → 290 ms); a context created under
// the flag for its gc() cost Node 24's main thread ~2.5 us on every request for
// as long as it lived, until the next full collection after it was dropped
// (an http → Worker → http prototype: 0.95x plain node:http without one,
// 0.74-0.77x with one; Node 20 showed no difference). A process started with
// --expose-gc anyway has its gc adopted (adoptExposedGc) and used instead.
import { getHeapSpaceStatistics } from 'node:v8'
import { fullCollection } from '../../workers/full-collection.js'
import { traceReload } from './trace.js'

// V8 gives the young generation back only when allocation has been low for a
// while: a collection 2 or 3 s after the last reload freed the old space's
// garbage but kept 16 MiB of new space; 5 s after, the heap went from 36 to
// 13 MiB (200 reloads, Node 20).
const QUIET_MS = 5_000
// ...and not always: after 300 quick reloads a collection 5 s after the last
// one kept 16-32 MiB of new space (Node 20). V8 judges the allocation rate
// between two collections: a second one 1 s later, with nothing allocated in
// between, gave it back (32 → 1 MiB of new space, Node 20 and 24; 0.1 s later
// it did not).
const AGAIN_MS = 1_000
// Anything allocated between the two (a request, a generation ending) can
// make V8 keep it: the second collection is repeated, a second apart, while
// the young generation is larger than V8's smallest (1-2 MiB), a few times at most.
const SMALL_NEW_SPACE = 4 * 1024 * 1024
const MAX_AGAIN = 3
// Requests in a quiet period that still leave it quiet: a tab polling the
// server now and then, not a load test or a benchmark.
const QUIET_REQUESTS = 50

// Awaited: fullCollection resolves once its collection has run.
type Collect = () => unknown

let exposed: Collect | undefined

/**
 * Take the gc global that --expose-gc gave this process (a user who started
 * Node with it), and clear it: no code of the user's gets it from hotcell's
 * process. Call first thing; does nothing without the flag.
 */
export function adoptExposedGc(): void {
  const global = globalThis as { gc?: unknown }
  if (typeof global.gc !== 'function') return
  exposed = global.gc as Collect
  // The flag makes it a global binding that cannot be deleted, but can be overwritten.
  global.gc = undefined
}

function newSpaceBytes(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0
}

export interface HeapSettler {
  /** The server did something that leaves garbage (a reload, the start): collect once it has been quiet. */
  touched(): void
  stop(): void
}

export interface HeapSettlerOptions {
  /**
   * A count that grows with the server's work (requests begun): a collection
   * waits until it has moved by less than QUIET_REQUESTS in `quietMs`. A full collection under load
   * costs a pause, and it throws away the optimized code of the request path
   * (V8 deoptimizes code whose maps died), which then runs slower until it is
   * optimized again.
   */
  activity?: () => number
  /** For tests. */
  quietMs?: number
  collect?: Collect
}

export function settleHeap({ activity = () => 0, quietMs = QUIET_MS, collect }: HeapSettlerOptions = {}): HeapSettler {
  const collector: Collect = collect ?? exposed ?? fullCollection
  const gc = async () => {
    traceReload('settle')
    await collector()
    traceReload('settled')
  }
  let timer: NodeJS.Timeout | undefined
  let seen = 0
  const later = (run: () => void, ms: number) => {
    seen = activity()
    timer = setTimeout(run, ms)
    // Never keeps a closing server alive.
    timer.unref()
  }
  /** True (and the first collection rescheduled) when the server worked since the last look. */
  const busy = (): boolean => {
    if (activity() - seen < QUIET_REQUESTS) return false
    later(first, quietMs)
    return true
  }
  // A collection is awaited: a touch or a stop meanwhile starts a new count, and this settling ends.
  let epoch = 0
  const first = async () => {
    if (busy()) return
    const mine = epoch
    await gc()
    let again = 0
    const collectAgain = async () => {
      if (busy()) return
      await gc()
      if (mine === epoch && ++again < MAX_AGAIN && newSpaceBytes() > SMALL_NEW_SPACE) later(collectAgain, AGAIN_MS)
    }
    if (mine === epoch) later(collectAgain, AGAIN_MS)
  }
  return {
    touched() {
      epoch++
      clearTimeout(timer)
      later(first, quietMs)
    },
    stop() {
      epoch++
      clearTimeout(timer)
    },
  }
}
