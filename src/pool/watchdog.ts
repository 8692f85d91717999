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

const EXPIRED: unique symbol = Symbol('expired')
const SETTLED: unique symbol = Symbol('settled')

/**
 * Run `task`; resolve with its result, or with TimedOut once `timeoutMs`
 * passed without a response head and the worker was not stuck. When it was
 * stuck, the worker is terminated and `run` rejects with a WorkerLostError
 * saying so (generation.ts), which this promise passes on.
 */
export async function runWithTimeout(generation: Generation, task: RequestTask, options: WatchdogOptions): Promise<TaskResult | TimedOut> {
  const run = generation.run(task, options.onStream)
  // No timeout (while a debugger is attached). Not a huge delay either:
  // setTimeout treats anything over 2^31 - 1 ms as 1 ms.
  if (!Number.isFinite(options.timeoutMs)) return run
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<typeof EXPIRED>((resolve) => (timer = setTimeout(resolve, options.timeoutMs, EXPIRED)))
  try {
    const first = await Promise.race([run, expired])
    if (first !== EXPIRED) return first
  } finally {
    clearTimeout(timer)
  }
  if (options.headersSent()) return run
  const threadId = generation.threadOf(task.id)
  const started = generation.started(task.id)
  generation.abort(task.id, 'timeout')
  if (threadId === undefined || !started) {
    run.catch(() => {})
    return { timedOut: true, started: false }
  }
  const settled = run.then(() => SETTLED, () => SETTLED)
  const verdict = await Promise.race([settled, stopIfStuck(generation, threadId, options)])
  // Answered late, or the worker died or was terminated meanwhile (maybe by
  // another request's watchdog): `run` says what happened.
  if (verdict !== 'idle') return run
  run.catch(() => {})
  return { timedOut: true, started: true }
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
