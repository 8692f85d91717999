// The per-request timeout. The main thread keeps the clock itself and
// decides what to do when it runs out:
// - the worker is idle while the request waits (a promise that never
//   settles): abort request.signal, answer 504, keep the worker;
// - the worker is busy the whole time (a synchronous loop): it can never
//   answer anything again, so terminate it; piscina starts a replacement and
//   the other requests it was running are answered 502 (generation.ts).
// Nothing is sent per request for this: when the clock runs out, the
// worker's progress slot says whether the request began (lane.ts).
import type { MessagePort, Worker } from 'node:worker_threads'
import type { Generation } from './generation.js'
import type { RequestTask, TaskResult } from './protocol.js'
import { formatMs } from '../report/fault-views.js'

// A worker in a synchronous loop is at 1.0; one waiting on I/O, near 0.
// A spinning worker measured > 0.98.
const STUCK_UTILIZATION = 0.9
// How long the worker is watched after the timeout to tell the two apart.
const SAMPLE_MS = 200

export interface TimedOut {
  timedOut: true
  /** False when the request never started: its worker was busy. */
  started: boolean
}

export interface WatchdogOptions {
  timeoutMs: number
  /** The response head is out (a stream): from then on the request may run as long as it likes. */
  headersSent(): boolean
  /** Where the stuck worker is, before it is terminated (stuck-location.ts); optional. */
  locate?(worker: Worker): Promise<string | undefined>
  /** The response streams over this port (stream-pipe.ts). */
  onStream?(port: MessagePort): void
}

/** What a request came to: its result, TimedOut, or why it could not run (a WorkerLostError, QueueFullError…). */
export type Outcome = TaskResult | TimedOut | Error

/**
 * Run `task` and call `done` once with what it came to: its result, or
 * TimedOut once `timeoutMs` passed without a response head and the worker
 * was not stuck. When it was stuck, the worker is terminated and the request
 * fails with a WorkerLostError saying so (generation.ts). Callbacks, not
 * promises: this is on every request's path.
 */
export function runWithTimeout(generation: Generation, task: RequestTask, options: WatchdogOptions, done: (outcome: Outcome) => void): void {
  let result: Outcome | undefined
  let expired = false
  let finished = false
  let timer: NodeJS.Timeout | undefined
  /** Set after expiry: someone waits for the run's own result. */
  let onResult: (() => void) | undefined
  const finish = (outcome: Outcome) => {
    if (finished) return
    finished = true
    clearTimeout(timer)
    done(outcome)
  }
  const settle = (outcome: Outcome) => {
    result = outcome
    if (!expired) finish(outcome)
    else onResult?.()
  }
  generation.run(task, { resolve: settle, reject: settle, onStream: options.onStream })
  // No timeout (while a debugger is attached). Not a huge delay either:
  // setTimeout treats anything over 2^31 - 1 ms as 1 ms.
  if (result !== undefined || !Number.isFinite(options.timeoutMs)) return
  /** Answered late, or the worker died or was terminated meanwhile: the run's own result says what happened. */
  const whenRun = () => {
    if (result !== undefined) finish(result)
    else onResult = () => finish(result!)
  }
  timer = setTimeout(() => {
    expired = true
    if (options.headersSent()) return whenRun()
    const threadId = generation.threadOf(task.id)
    const started = generation.started(task.id)
    generation.abort(task.id, 'timeout')
    if (threadId === undefined || !started) return finish({ timedOut: true, started: false })
    const settled = new Promise<'settled'>((resolve) => {
      if (result !== undefined) resolve('settled')
      else onResult = () => resolve('settled')
    })
    void Promise.race([settled, stopIfStuck(generation, threadId, options)]).then((verdict) => {
      onResult = undefined
      if (verdict !== 'idle') whenRun()
      else finish({ timedOut: true, started: true })
    })
  }, options.timeoutMs)
}

async function stopIfStuck(generation: Generation, threadId: number, options: WatchdogOptions): Promise<'idle' | 'gone'> {
  const worker = generation.worker(threadId)
  if (!worker) return 'gone'
  const before = worker.performance.eventLoopUtilization()
  await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS))
  if (!generation.worker(threadId)) return 'gone'
  const { utilization } = worker.performance.eventLoopUtilization(before)
  if (utilization < STUCK_UTILIZATION) return 'idle'
  // No request can start while a thread is stuck: the last one that started is the likely culprit.
  const culprit = generation.lastStartedOn(threadId)
  const location = await options.locate?.(worker).catch(() => undefined)
  if (!generation.worker(threadId)) return 'gone'
  const reason =
    `Worker ${threadId} was stuck running JavaScript past --timeout (${formatMs(options.timeoutMs)})` +
    (culprit ? `, most likely in ${culprit.label}, the last request to start on it` : '') +
    `. No request on it could finish, so hotcell terminated it and started a new one.` +
    (location ? `\nIt was stuck at ${location}` : '')
  generation.terminate(threadId, reason, culprit?.id)
  return 'gone'
}
