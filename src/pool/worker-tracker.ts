// Crash bookkeeping for one generation's pool: each worker's request lane
// (which thread runs which request), which threads hotcell terminated itself
// and why, and whether the workers die on their own in a loop. Generation
// owns the pool; this class watches its workers and, when one ends, fails
// exactly the requests on its lane with a WorkerLostError that says why.
import type { MessagePort, Worker } from 'node:worker_threads'
import { CrashLoopBreaker } from './crash-loop.js'
import { Lane, type Waiter } from './lane.js'
import type { ErrorData, RequestTask } from './protocol.js'
import { WorkerLostError } from '../errors.js'
import { describeDeath, exitCall, WORKERS_ENDED } from './worker-death.js'
import { stuckLine } from './stuck-workers.js'
import { lastSeenLine } from './last-seen.js'

interface Termination {
  reason: string
  /** The request the worker was most likely stuck in. */
  culprit: number | undefined
  /** Ended for holding more than --max-memory off-heap (memory-watch.ts), not for being stuck. */
  overMemory: boolean
}

export interface TrackerOptions {
  entry: string
  /** Has this thread finished importing the entry? */
  isReady(threadId: number): boolean
  /** Was this thread given an upgraded connection (a WebSocket)? */
  servedSockets(threadId: number): boolean
  /** The workers' heap limit (--max-memory), for the message of a death by running out of it. */
  maxMemoryMb: number | undefined
  /** Workers die on their own in a loop: stop replacing them. */
  onCrashLoop(error: ErrorData): void
  /** A worker exited on its own (process.exit(), say) with no request running and no error, and was replaced: `death` says how. */
  onExited?(threadId: number, death: ErrorData): void
  /** A worker's lane closed: requests waiting for a worker may go elsewhere. */
  onLaneClosed(): void
  /** Send a request a terminated worker never began to another worker. */
  requeue?(task: RequestTask, waiter: Waiter): void
}

export class WorkerTracker {
  /** Set once the entry killed workers in a loop; requests then get this error until the next build. */
  crashLoop: ErrorData | undefined
  #stopped = false
  #elsewhere: ((task: RequestTask, waiter: Waiter) => void) | undefined
  #stopReason: string | undefined
  #stuckAt: Map<number, string> | undefined
  readonly #lanes = new Map<number, Lane>()
  readonly #terminated = new Map<number, Termination>()
  /** The error a worker emitted before exiting (out of memory), by thread. */
  readonly #errors = new Map<number, Error>()
  /** Per thread: where it called process.exit(), once it has (workers/exit-note.ts). */
  readonly #exitNotes = new Map<number, SharedArrayBuffer>()
  readonly #watched = new WeakSet<Worker>()
  readonly #breaker = new CrashLoopBreaker()
  #lastWorkerError: Error | undefined
  /** Set while a worker that had requests in flight emits its error: that error is theirs. */
  #erroring: { threadId: number; hadRequests: boolean } | undefined

  constructor(readonly options: TrackerOptions) {}

  /** A worker announced its lane. */
  addLane(threadId: number, port: MessagePort, progress: SharedArrayBuffer, exitNote: SharedArrayBuffer, onSettled: () => void): Lane {
    const lane = new Lane(threadId, port, progress, onSettled)
    this.#lanes.set(threadId, lane)
    this.#exitNotes.set(threadId, exitNote)
    return lane
  }

  lanes(): IterableIterator<Lane> {
    return this.#lanes.values()
  }

  lane(threadId: number): Lane | undefined {
    return this.#lanes.get(threadId)
  }

  /** The lane request `id` is on. */
  laneOf(id: number): Lane | undefined {
    for (const lane of this.#lanes.values()) if (lane.has(id)) return lane
    return undefined
  }

  /** hotcell is about to terminate this worker: its requests' errors will carry `reason`. */
  terminating(threadId: number, reason: string, culprit: number | undefined, overMemory = false): void {
    this.#terminated.set(threadId, { reason, culprit, overMemory })
  }

  /** hotcell terminated this worker and it has not exited yet. */
  isTerminating(threadId: number): boolean {
    return this.#terminated.has(threadId) && this.#lanes.has(threadId)
  }

  /**
   * The pool reported a worker error. False when it belongs to a worker that
   * had requests in flight: their 502s report it.
   */
  workerError(error: Error): boolean {
    this.#lastWorkerError = error
    const erroring = this.#erroring
    this.#erroring = undefined
    return !erroring?.hadRequests
  }

  /** Attach exit listeners to workers not seen yet (piscina's events carry no Worker). */
  watch(workers: Worker[]): void {
    for (const worker of workers) {
      if (this.#watched.has(worker)) continue
      this.#watched.add(worker)
      // threadId reads -1 once the worker has exited.
      const threadId = worker.threadId
      // Before piscina's own listener, which re-emits the error on the pool.
      worker.prependListener('error', (error: Error) => {
        this.#errors.set(threadId, error)
        this.#erroring = { threadId, hadRequests: (this.#lanes.get(threadId)?.load ?? 0) > 0 }
      })
      worker.once('exit', (code) => this.#onExit(threadId, code))
    }
  }

  /**
   * A worker hotcell terminated never exited (unstoppable-worker.ts): its
   * requests fail now, as they would at its exit, instead of waiting forever.
   */
  abandon(threadId: number, waitedMs: number): void {
    if (!this.#lanes.has(threadId)) return
    this.#errors.set(threadId, new Error(`The worker did not stop within ${waitedMs / 1000} s of being terminated`))
    this.#onExit(threadId, 1)
  }

  /** The pool is being destroyed: exits from now on are expected; `reason` is what requests still running are told. */
  /** `stuckAt`: where each worker stuck in JavaScript was (stuck-workers.ts), said to its requests. */
  /** `elsewhere`: where requests its workers never began go (a reload's new code), instead of failing with `reason`. */
  stop(reason?: string, stuckAt?: Map<number, string>, elsewhere?: (task: RequestTask, waiter: Waiter) => void): void {
    this.#stopped = true
    this.#stopReason = reason
    this.#stuckAt = stuckAt
    this.#elsewhere = elsewhere
  }

  #onExit(threadId: number, code: number): void {
    const exitStack = readExitNote(this.#exitNotes.get(threadId))
    const lane = this.#lanes.get(threadId)
    this.#lanes.delete(threadId)
    const hadRequests = (lane?.load ?? 0) > 0
    if (lane) {
      const termination = this.#terminated.get(threadId)
      const death =
        this.#stopped && !termination
          ? { name: WORKERS_ENDED, message: (this.#stopReason ?? 'Terminating worker thread') + stuckLine(this.#stuckAt?.get(threadId)) }
          : lostWhere(describeDeath(this.#errors.get(threadId) ?? new Error(`worker exited with code: ${code}`), exitStack, this.options.maxMemoryMb), lane)
      // A worker ended for being stuck never began the requests queued behind the stuck one: another worker serves them.
      // Ended by a reload: the new code serves them.
      const again = termination && !this.#stopped && !this.crashLoop ? this.options.requeue : this.#stopped && !termination ? this.#elsewhere : undefined
      lane.close((id) => new WorkerLostError(death, threadId, termination?.reason, termination?.culprit === id, termination?.overMemory), again)
    }
    // An exit without an error (process.exit() in a timer of the module) says nothing of itself: the piscina 'error' of a throw is logged elsewhere.
    const quiet = !this.#errors.has(threadId)
    this.#errors.delete(threadId)
    this.#exitNotes.delete(threadId)
    this.options.onLaneClosed()
    if (this.#terminated.has(threadId) || this.#stopped || this.crashLoop) return
    // A request's death, or a WebSocket message's: paced by clients (each is answered 502, or closed 1011).
    if (hadRequests || this.options.servedSockets(threadId)) return
    const whileImporting = !this.options.isReady(threadId)
    if (!this.#breaker.record()) {
      if (quiet) this.options.onExited?.(threadId, describeDeath(new Error(`worker exited with code: ${code}`), exitStack))
      return
    }
    const cause = this.#lastWorkerError ? ` The last one failed with: ${this.#lastWorkerError.message}` : ''
    // process.exit() in the app's code (workers/exit-note.ts): its frames say where, as for a request's worker.
    const note = exitCall(exitStack)
    const message =
      `Workers running ${this.options.entry} keep ending on their own ${whileImporting ? 'while importing it' : 'without handling a request'} ` +
      `(the last one ${note ? `called ${note.call}` : `exited with code ${code}`}).${cause} hotcell stopped replacing them until the next build.`
    this.crashLoop = { name: 'CrashLoopError', code: `EXIT_${code}`, message, ...(note ? { stack: `CrashLoopError: ${message}\n${note.frames}` } : {}) }
    this.options.onCrashLoop(this.crashLoop)
  }
}

/** Out of heap: where the worker was last seen running, if the busy line found it (last-seen.ts). */
function lostWhere(death: ErrorData, lane: Lane): ErrorData {
  return death.code === 'ERR_WORKER_OUT_OF_MEMORY' ? { ...death, message: death.message + lastSeenLine(lane) } : death
}

/** The stack a worker wrote before it called process.exit(), if it did. */
function readExitNote(note: SharedArrayBuffer | undefined): string | undefined {
  if (!note) return undefined
  const length = Atomics.load(new Int32Array(note, 0, 1), 0)
  // Copied out first: TextDecoder does not read shared memory.
  return length > 0 ? new TextDecoder().decode(new Uint8Array(note, 4, length).slice()) : undefined
}
