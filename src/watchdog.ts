// The per-request timeout. piscina has no task timeout, and its `signal`
// option terminates the worker on every abort (research tech §1.2), so the
// main thread keeps the clock itself and decides what to do when it runs out:
// - the worker is idle while the request waits (a promise that never
//   settles): abort request.signal, answer 504, keep the worker;
// - the worker is busy the whole time (a synchronous loop): it can never
//   answer anything again, so terminate it; piscina starts a replacement and
//   the other requests it was running are answered 502 (generation.ts).
import type { Worker } from 'node:worker_threads'
import type { Generation } from './generation.js'
import type { RequestTask, TaskResult } from './protocol.js'
import type { StuckReport } from './worker-faults.js'

// A worker in a synchronous loop is at 1.0; one waiting on I/O, near 0.
// Measured in research tech §8.4: a spinning worker reads > 0.98.
const STUCK_UTILIZATION = 0.9
// How long the worker is watched after the timeout to tell the two apart.
const SAMPLE_MS = 200

export interface TimedOut {
  timedOut: true
  /** Set when the worker was stuck and has been terminated. */
  stuck: StuckReport | undefined
}

export interface WatchdogOptions {
  timeoutMs: number
  /** The response head is out (a stream): from then on the request may run as long as it likes. */
  headersSent(): boolean
  /** Where the stuck worker is, before it is terminated (stuck-location.ts); optional. */
  locate?(worker: Worker): Promise<string | undefined>
  /** For the 502 page of the other requests on a terminated worker. */
  describe: string
}

const EXPIRED: unique symbol = Symbol('expired')

/** Run `task`; resolve with its result, or with TimedOut once `timeoutMs` passed without a response head. */
export async function runWithTimeout(generation: Generation, task: RequestTask, options: WatchdogOptions): Promise<TaskResult | TimedOut> {
  const run = generation.run(task)
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<typeof EXPIRED>((resolve) => (timer = setTimeout(resolve, options.timeoutMs, EXPIRED)))
  try {
    const first = await Promise.race([run, expired])
    if (first !== EXPIRED) return first
  } finally {
    clearTimeout(timer)
  }
  if (options.headersSent()) return run
  // Answered 504 below; whatever the task does later no longer matters.
  run.catch(() => {})
  generation.abort(task.id, 'timeout')
  const threadId = generation.threadOf(task.id)
  const stuck = threadId === undefined ? undefined : await stopIfStuck(generation, threadId, options)
  return { timedOut: true, stuck }
}

async function stopIfStuck(generation: Generation, threadId: number, options: WatchdogOptions): Promise<StuckReport | undefined> {
  const worker = generation.worker(threadId)
  if (!worker) return undefined
  const before = worker.performance.eventLoopUtilization()
  await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS))
  if (!generation.worker(threadId)) return undefined // died or was terminated meanwhile
  const { utilization } = worker.performance.eventLoopUtilization(before)
  if (utilization < STUCK_UTILIZATION) return undefined
  const location = await options.locate?.(worker).catch(() => undefined)
  const seconds = options.timeoutMs >= 1000 ? `${options.timeoutMs / 1000} s` : `${options.timeoutMs} ms`
  const reason =
    `hotcell terminated worker ${threadId}: ${options.describe} ran past --timeout (${seconds}) ` +
    `and the worker was stuck running JavaScript, so it could not answer any request.` +
    (location ? ` It was stuck at ${location.split('\n')[0]}` : '')
  generation.terminate(threadId, reason)
  return { threadId, ...(location ? { location } : {}) }
}
