// The per-request timeout. The main thread keeps the clock itself and
// decides what to do when it runs out:
// - the worker is idle while the request waits (a promise that never
//   settles): abort request.signal, answer 504, keep the worker;
// - the worker is busy the whole time (a synchronous loop): it can never
//   answer anything again, so terminate it; piscina starts a replacement and
//   the other requests it was running are answered 502 (generation.ts).
// Nothing is sent per request for this: when the clock runs out, the
// worker's progress slot says whether the request began (lane.ts). Before
// then, the same clock looks at workers running JavaScript without a break
// (busy-workers.ts), and at their off-heap memory (memory-watch.ts).
import type { MessagePort, Worker } from 'node:worker_threads'
import type { Generation } from './generation.js'
import { causedBy, type ErrorData, TIMEOUT_REASON, type RequestTask, type TaskResult } from './protocol.js'
import { answeredEarly, finishedLate, strayMark, straySince } from './stray-errors.js'
import { formatMs, RETIRED_NOTE } from '../report/fault-views.js'
import { Deadlines, type Expiring } from './deadlines.js'
import { STUCK_UTILIZATION } from './loop-utilization.js'
import { BUSY_NOTICE_MS, lookAtWorkers, type BusyWatch } from './busy-workers.js'
import { lookAtMemory } from './memory-watch.js'
import { dropBody } from './body-arena.js'

// How long the worker is watched after the timeout to tell the two apart: a
// tenth of the timeout, within these bounds, so that a short --timeout is not
// overrun by the watching (a spinning loop reads 1.0 over 20 ms as over 200).
const MAX_SAMPLE_MS = 200
const MIN_SAMPLE_MS = 20

export interface TimedOut {
  timedOut: true
  /** False when the request never started: its worker was busy. */
  started: boolean
  /** An uncaught exception outside any request on its worker while it waited (stray-errors.ts): what it most likely waited on. */
  stray?: { error: ErrorData; agoMs: number } | undefined
}

export interface WatchdogOptions extends BusyWatch {
  timeoutMs: number
  /** The response head is out (a stream): from then on the request may run as long as it likes. */
  headersSent(): boolean
  /** Where the stuck worker is, before it is terminated (stuck-location.ts); optional. */
  locate?: ((worker: Worker, timeoutMs?: number) => Promise<string | undefined>) | undefined
  /** The response streams over this port (stream-pipe.ts). */
  onStream?(port: MessagePort, threadId: number): void
}

/** What a request came to: its result, TimedOut, or why it could not run (a WorkerLostError, QueueFullError…). */
export type Outcome = TaskResult | TimedOut | Error

/**
 * Run `task` and call `done` once with what it came to: its result, or
 * TimedOut once `timeoutMs` passed without a response head and the worker
 * was not stuck. When it was stuck, the worker is terminated and the request
 * fails with a WorkerLostError saying so (generation.ts). One object per
 * request, no closures and no promise: this is on every request's path.
 */
export function runWithTimeout(generation: Generation, task: RequestTask, options: WatchdogOptions, done: (outcome: Outcome) => void): void {
  const watch = new Watch(generation, task, options, done)
  generation.run(task, watch)
  // No timeout (while a debugger is attached). Not a huge delay either:
  // setTimeout treats anything over 2^31 - 1 ms as 1 ms.
  if (watch.result !== undefined || !Number.isFinite(options.timeoutMs)) return
  watch.deadlines = deadlinesFor(options.timeoutMs)
  watch.deadlines.add(watch)
}

// One list per timeout in use (one per server, as a rule): a handful at most.
const lists = new Map<number, Deadlines<Watch>>()
let lastMs = Number.NaN
let last: Deadlines<Watch> | undefined

function deadlinesFor(timeoutMs: number): Deadlines<Watch> {
  if (timeoutMs === lastMs) return last!
  // A timeout that comes within BUSY_NOTICE_MS of the notice says the same, with the location's code frame.
  const list = lists.get(timeoutMs) ?? new Deadlines<Watch>(timeoutMs, expire, timeoutMs >= 2 * BUSY_NOTICE_MS ? afterSweepBusy : afterSweep)
  lists.set(timeoutMs, list)
  lastMs = timeoutMs
  last = list
  return list
}

/** After a sweep: the workers' off-heap memory, now and then (memory-watch.ts). */
function afterSweep(list: Deadlines<Watch>): void {
  lookAtMemory(list.oldest === undefined)
}

function afterSweepBusy(list: Deadlines<Watch>): void {
  lookAtMemory(list.oldest === undefined)
  lookAtOldRequests(list)
}

/** After a sweep: the generations holding a request for a period or more, each looked at once (busy-workers.ts). */
function lookAtOldRequests(list: Deadlines<Watch>): void {
  let watch = list.oldest
  // Oldest first: none is old (requests answered within a period) is one comparison.
  if (!watch || list.ageMs(watch) === 0) return
  const now = performance.now()
  const seen = new Set<Generation>()
  for (; watch && list.ageMs(watch) > 0; watch = watch.newer as Watch | undefined) {
    if (!watch.options.onBusy || seen.has(watch.generation)) continue
    seen.add(watch.generation)
    lookAtWorkers(watch.generation, watch.options, now)
  }
}

/** One request's run and its clock; the run's waiter (lane.ts). */
class Watch implements Expiring {
  result: Outcome | undefined = undefined
  expired = false
  finished = false
  /** Its place in the list of deadlines (deadlines.ts), while it has one. */
  deadlines: Deadlines<Watch> | undefined = undefined
  newer: Expiring | undefined = undefined
  older: Expiring | undefined = undefined
  due = -1
  /** Set after expiry: someone waits for the run's own result. */
  onResult: (() => void) | undefined = undefined
  readonly onStream: WatchdogOptions['onStream']
  /** Where stray errors stood when it was given to the generation (stray-errors.ts): one on its worker since may be what it waits on. */
  readonly begun = strayMark()

  constructor(
    readonly generation: Generation,
    readonly task: RequestTask,
    readonly options: WatchdogOptions,
    readonly done: (outcome: Outcome) => void,
  ) {
    this.onStream = options.onStream
  }

  resolve(result: TaskResult): void {
    this.settle(result)
  }

  reject(error: Error): void {
    this.settle(error)
  }

  settle(outcome: Outcome): void {
    this.result = outcome
    // Answered after the 504 went out: its body, if in a worker's arena, goes back.
    if (this.finished) {
      dropBody(outcome)
      finishedLate(this.generation, this.task.id)
    } else if (!this.expired) this.finish(outcome)
    else this.onResult?.()
  }

  finish(outcome: Outcome): void {
    if (this.finished) return void dropBody(outcome)
    this.finished = true
    this.deadlines?.remove(this)
    this.done(outcome)
  }

  /**
   * Answered late, or the worker died or was terminated meanwhile: the run's
   * own result says what happened, unless it is the handler failing with the
   * timeout's own abort (a fetch that was passed request.signal, a Node
   * handler's req destroyed): it did not answer, so the 504 stands.
   */
  whenRun(): void {
    const finish = () => this.finish(failedByTimeout(this.result!) ? { timedOut: true, started: true } : this.result!)
    if (this.result !== undefined) finish()
    else this.onResult = finish
  }
}

function failedByTimeout(outcome: Outcome): boolean {
  if (outcome instanceof Error || 'timedOut' in outcome || outcome.kind !== 'failed') return false
  return causedBy(outcome.error, TIMEOUT_REASON)
}

function expire(watch: Watch): void {
  const { generation, task, options } = watch
  watch.expired = true
  if (options.headersSent()) {
    watch.whenRun()
    return
  }
  const threadId = generation.threadOf(task.id)
  const started = generation.started(task.id)
  generation.abort(task.id, 'timeout')
  if (threadId === undefined || !started) {
    watch.finish({ timedOut: true, started: false })
    return
  }
  const settled = new Promise<'settled'>((resolve) => {
    if (watch.result !== undefined) resolve('settled')
    else watch.onResult = () => resolve('settled')
  })
  void Promise.race([settled, stopIfStuck(watch, threadId)]).then((verdict) => {
    watch.onResult = undefined
    if (verdict !== 'idle') return void watch.whenRun()
    // Its handler still runs on the worker: not in flight any more for the busy line's count (busy-workers.ts).
    if (watch.result === undefined) answeredEarly(generation, task.id)
    watch.finish({ timedOut: true, started: true, stray: straySince(generation, threadId, watch.begun) })
  })
}

async function stopIfStuck(watch: Watch, threadId: number): Promise<'idle' | 'gone'> {
  const { generation, task, options } = watch
  const worker = generation.worker(threadId)
  if (!worker) return 'gone'
  const before = worker.performance.eventLoopUtilization()
  const sampleMs = Math.min(MAX_SAMPLE_MS, Math.max(MIN_SAMPLE_MS, options.timeoutMs / 10))
  await new Promise((resolve) => setTimeout(resolve, sampleMs))
  // Answered meanwhile (when aborted, say): the race is over, and whatever
  // kept the thread busy since was another request.
  if (watch.result !== undefined || !generation.worker(threadId)) return 'gone'
  const { utilization } = worker.performance.eventLoopUtilization(before)
  if (utilization < STUCK_UTILIZATION) return 'idle'
  // No request can start while a thread is stuck: the last one that started is the likely culprit.
  const culprit = generation.lastStartedOn(threadId)
  // One that started after this request means this one is waiting, not
  // looping. The busy one is stuck if it is past its own deadline too (the
  // thread is then terminated, naming it: this request gets its 502); if
  // not, it is a slow but healthy request, and this one gets its 504.
  if (culprit && culprit.id !== task.id && !(culprit.waiter instanceof Watch && culprit.waiter.expired)) return 'idle'
  const location = await options.locate?.(worker).catch(() => undefined)
  if (!generation.worker(threadId)) return 'gone'
  const reason =
    `Worker ${threadId} was stuck running JavaScript past --timeout (${formatMs(options.timeoutMs)})` +
    (culprit ? `, most likely in ${culprit.label}, the last request to start on it` : '') +
    // A retired generation's worker (a save brought new code meanwhile) is not replaced for anyone: new requests go to the new code.
    (generation.retired
      ? `. No request on it could finish, so hotcell ended it; ${RETIRED_NOTE}.`
      : `. No request on it could finish, so hotcell terminated it and started a new one.`) +
    (location ? `\nIt was stuck at ${location}` : '')
  generation.terminate(threadId, reason, culprit?.id)
  return 'gone'
}
