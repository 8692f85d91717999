// Crash bookkeeping for one generation's pool: which thread runs which
// request, which threads hotcell terminated itself and why, and whether the
// workers die on their own in a loop. Generation owns the pool; this class
// only watches it and turns piscina's rejections into WorkerLostErrors that
// say what happened.
import type { Worker } from 'node:worker_threads'
import { CrashLoopBreaker } from './crash-loop.js'
import type { ErrorData, RequestTask } from './protocol.js'
import { CrashLoopError, QueueFullError, WorkerLostError } from '../errors.js'
import { describeDeath } from './worker-death.js'

interface Termination {
  reason: string
  /** The request the worker was most likely stuck in. */
  culprit: number | undefined
}

export interface TrackerOptions {
  entry: string
  /** Has this thread finished importing the entry? */
  isReady(threadId: number): boolean
  /** Workers die on their own in a loop: stop replacing them. */
  onCrashLoop(error: ErrorData): void
}

export class WorkerTracker {
  /** Set once the entry killed workers in a loop; requests then get this error until the next build. */
  crashLoop: ErrorData | undefined
  #stopped = false
  readonly #pending = new Set<number>()
  readonly #labels = new Map<number, string>()
  readonly #running = new Map<number, number>()
  /** Per thread: the last request that started on it; a stuck thread is most likely stuck in it. */
  readonly #lastStarted = new Map<number, number>()
  readonly #terminated = new Map<number, Termination>()
  /** Briefly set after a terminated worker exits: its tasks that never started fail with this. */
  #justTerminated: Termination | undefined
  readonly #watched = new WeakSet<Worker>()
  readonly #breaker = new CrashLoopBreaker()
  #lastWorkerError: Error | undefined

  constructor(readonly options: TrackerOptions) {}

  /** Run one task; a worker death becomes a WorkerLostError naming the cause. */
  track<T>(task: RequestTask, run: () => Promise<T>): Promise<T> {
    if (this.crashLoop) return Promise.reject(new CrashLoopError(this.crashLoop))
    this.#pending.add(task.id)
    this.#labels.set(task.id, `${task.method} ${task.url}`)
    return run()
      .catch((error: Error) => {
        if (error instanceof QueueFullError) throw error
        const threadId = this.#running.get(task.id)
        const termination = threadId === undefined ? this.#justTerminated : this.#terminated.get(threadId)
        throw new WorkerLostError(describeDeath(error), threadId, termination?.reason, termination?.culprit === task.id)
      })
      .finally(() => {
        this.#pending.delete(task.id)
        this.#labels.delete(task.id)
        this.#running.delete(task.id)
      })
  }

  /** The worker said it started request `id`. */
  started(id: number, threadId: number): void {
    // The start message and the result travel on different ports: a late
    // start for a finished task must not leave a stale entry.
    if (!this.#pending.has(id)) return
    this.#running.set(id, threadId)
    this.#lastStarted.set(threadId, id)
  }

  threadOf(id: number): number | undefined {
    return this.#running.get(id)
  }

  /** The request that most recently started on `threadId` and is still running, if any. */
  lastStartedOn(threadId: number): { id: number; label: string } | undefined {
    const id = this.#lastStarted.get(threadId)
    const label = id === undefined ? undefined : this.#labels.get(id)
    return id === undefined || label === undefined ? undefined : { id, label }
  }

  /** hotcell is about to terminate this worker: its tasks' errors will carry `reason`. */
  terminating(threadId: number, reason: string, culprit: number | undefined): void {
    this.#terminated.set(threadId, { reason, culprit })
  }

  workerError(error: Error): void {
    this.#lastWorkerError = error
  }

  /** Attach an exit listener to workers not seen yet (piscina's events carry no Worker). */
  watch(workers: Worker[]): void {
    for (const worker of workers) {
      if (this.#watched.has(worker)) continue
      this.#watched.add(worker)
      // threadId reads -1 once the worker has exited.
      const threadId = worker.threadId
      worker.once('exit', (code) => this.#onExit(threadId, code))
    }
  }

  /** The pool is being destroyed: exits from now on are expected. */
  stop(): void {
    this.#stopped = true
  }

  #onExit(threadId: number, code: number): void {
    const termination = this.#terminated.get(threadId)
    if (termination) {
      // piscina has just failed this worker's tasks; their handlers run before the next turn.
      this.#justTerminated = termination
      setImmediate(() => (this.#justTerminated = undefined))
      return
    }
    if (this.#stopped || this.crashLoop) return
    for (const thread of this.#running.values()) if (thread === threadId) return // a request's death: paced by clients
    const whileImporting = !this.options.isReady(threadId)
    if (!this.#breaker.record()) return
    const cause = this.#lastWorkerError ? ` The last one failed with: ${this.#lastWorkerError.message}` : ''
    this.crashLoop = {
      name: 'CrashLoopError',
      code: `EXIT_${code}`,
      message:
        `Workers running ${this.options.entry} keep ending on their own ${whileImporting ? 'while importing it' : 'without handling a request'} ` +
        `(the last one exited with code ${code}).${cause} hotcell stopped replacing them until the next save.`,
    }
    this.options.onCrashLoop(this.crashLoop)
  }
}
