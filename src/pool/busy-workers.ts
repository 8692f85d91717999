// A request stuck in a synchronous loop holds its worker, and every request
// queued behind it, until --timeout ends it (30 s by default); until then the
// terminal said nothing, and a test suite just hung. Once a worker has run
// JavaScript without a break for BUSY_NOTICE_MS on the same request, one line
// says which request, on which worker, where it is, and how many wait behind
// it (report/busy-line.ts); once per request.
//
// Nothing is spent per request: the deadlines' interval (deadlines.ts, every
// 250 ms, running only while requests are in flight) calls this after its
// sweep, for the generations holding a request for a period or more. Their
// busy workers' event-loop utilization is read from the main thread, as the
// watchdog does at the timeout: a request awaiting a slow call leaves its
// worker's loop idle, and is never taken for a loop.
//
// Where the worker is comes from pausing it with the inspector for a moment
// (stuck-location.ts), as at the timeout, but the worker is resumed and goes
// on: measured on a worker spinning, the spin went on and ended on time, its
// code ran as fast after as before, and a worker that was idle when asked (its
// loop ended just before) answered its next message at once.
import type { EventLoopUtilization } from 'node:perf_hooks'
import type { Worker } from 'node:worker_threads'
import type { Generation } from './generation.js'
import type { Lane } from './lane.js'
import { STUCK_UTILIZATION } from './loop-utilization.js'
import { countAnswered } from './stray-errors.js'
import { sawRunning } from './last-seen.js'

/**
 * How long a worker runs JavaScript without a break before it is said. Past
 * the synchronous work a route does on its own (parsing a large JSON file, a
 * first render, a cold cache: up to a second or so), and well before a
 * developer whose request hangs gives up on it.
 */
export const BUSY_NOTICE_MS = 2_000
/** How long the look for where it is may take: a loop is paused within ~60 ms; a synchronous call (execSync) cannot be, and the line goes without. */
const LOCATE_MS = 1_000
/** A worker not looked at for this long (the main thread was busy itself) starts its count again: the stretch in between is unknown. */
const GAP_MS = 1_000

export interface BusyNotice {
  threadId: number
  /** `METHOD url` of the request that began last on it, if it is still in flight: the one it runs, unless it began others too. */
  request: string | undefined
  /** Requests it has begun and not answered (the others are queued). */
  begun: number
  /** Requests given to it that wait behind it. */
  queued: number
  /** `src/app.ts:2:40 in fetch()`, if the inspector found it there. */
  location: string | undefined
}

export interface BusyWatch {
  /** Says it; unset where nothing is said (the servers `hotcell bench` starts). */
  onBusy?: ((notice: BusyNotice) => void) | undefined
  /** Where the worker is (stuck-location.ts). */
  locate?: ((worker: Worker, timeoutMs?: number) => Promise<string | undefined>) | undefined
}

/** A worker's stretch of running JavaScript, as of the last look. */
interface Stretch {
  /** The request that began last on it, if it is in flight; -1 if not. */
  id: number
  /** When it was first seen busy without a break since. */
  since: number
  at: number
  elu: EventLoopUtilization
  /** Said already, for this request. */
  told: boolean
}

const stretches = new WeakMap<Lane, Stretch>()

/** Look at the workers of `generation` holding requests; `now`: performance.now(). */
export function lookAtWorkers(generation: Generation, watch: BusyWatch, now: number): void {
  for (const lane of generation.lanes()) {
    if (lane.load === 0) continue
    const worker = generation.worker(lane.threadId)
    if (!worker) continue
    const id = lane.lastStarted()?.id ?? -1
    const elu = worker.performance.eventLoopUtilization()
    const stretch = stretches.get(lane)
    // Another request began: the worker was free for it.
    if (!stretch || stretch.id !== id) {
      stretches.set(lane, { id, since: now, at: now, elu, told: false })
      continue
    }
    const busy = now - stretch.at <= GAP_MS && worker.performance.eventLoopUtilization(elu, stretch.elu).utilization >= STUCK_UTILIZATION
    stretch.at = now
    stretch.elu = elu
    if (!busy) stretch.since = now
    else if (!stretch.told && now - stretch.since >= BUSY_NOTICE_MS) {
      stretch.told = true
      void tell(generation, lane, worker, id, elu, watch)
    }
  }
}

async function tell(generation: Generation, lane: Lane, worker: Worker, id: number, from: EventLoopUtilization, watch: BusyWatch): Promise<void> {
  const place = await watch.locate?.(worker, LOCATE_MS).catch(() => undefined)
  // Over meanwhile (answered, its worker ended), or another request began: nothing to say any more.
  const last = lane.lastStarted()
  if ((last?.id ?? -1) !== id || lane.load === 0) return
  // Paused where it runs, not where some later code ran after a loop that ended in between.
  const still = worker.performance.eventLoopUtilization(from).utilization >= STUCK_UTILIZATION
  const location = still ? place?.split('\n')[0] : undefined
  // Kept for its requests' error if it dies meanwhile (out of memory, say): last-seen.ts.
  if (location) sawRunning(lane, location)
  const queued = lane.waiting
  // A request answered 504 whose handler still awaits is on the lane until it settles, but no longer in flight for anyone.
  const ids = new Map<number, string>()
  lane.collectRequests(ids)
  watch.onBusy?.({
    threadId: lane.threadId,
    request: last?.label,
    begun: lane.load - queued - countAnswered(generation, ids.keys()),
    queued,
    location,
  })
}
