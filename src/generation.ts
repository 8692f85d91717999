// The only module that imports piscina. A generation is one pool of workers
// running one bundle; a reload makes a new generation and retires the old.
import { randomUUID } from 'node:crypto'
import { BroadcastChannel, type MessagePort, type Worker } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'
import { Piscina } from 'piscina'
import { CrashLoopBreaker } from './crash-loop.js'
import type { ControlMessage, ErrorData, RequestTask, TaskResult, UncaughtReport, WorkerData, WorkerMessage } from './protocol.js'
import { CrashLoopError, describeDeath, WorkerLostError } from './worker-faults.js'

const RUNTIME = fileURLToPath(new URL('../workers/runtime.js', import.meta.url))
// Tasks per worker before piscina queues: handlers are async and mostly wait.
const TASKS_PER_WORKER = 256
const MAX_QUEUE = 1024

export interface GenerationOptions {
  gen: number
  workers: number
  entry: string
  handler: WorkerData['handler']
  maxMemoryMb: number | undefined
  /** Bare specifiers to import while waiting for the bundle. */
  preload: string[]
  /** Given when the generation is made for a known build; omitted for a standby. */
  bundleUrl?: string
  /** A worker failed outside any request (a late throw in a timer, say). */
  onWorkerError(error: Error): void
  /** A worker caught an error no handler caught, and keeps running (workers/late-errors.ts). */
  onUncaught?(report: UncaughtReport): void
  /** The generation stopped replacing workers: its entry kills them as fast as they start. */
  onCrashLoop?(error: ErrorData): void
}

/** Raised by `run()` when the pool's queue is full: the client gets 503. */
export class QueueFullError extends Error {
  override name = 'QueueFullError'
}

interface Termination {
  reason: string
  /** The request the worker was most likely stuck in. */
  culprit: number | undefined
}

export class Generation {
  readonly gen: number
  readonly workers: number
  /** Requests dispatched to this generation whose response has not closed. */
  inflight = 0
  /** Set when the bundle threw while being imported, or exports no handler. */
  loadError: ErrorData | undefined
  bundleUrl: string | undefined

  readonly #pool: Piscina
  readonly #control: BroadcastChannel
  readonly #ready = new Set<number>()
  #onReady: (() => void) | undefined
  readonly #streams = new Map<number, (port: MessagePort) => void>()
  #drained: (() => void) | undefined
  #destroyed = false
  // Crash isolation (crash-loop.ts, watchdog.ts): which thread runs which
  // request, which threads hotcell terminated itself, and why.
  readonly #running = new Map<number, number>()
  readonly #pending = new Set<number>()
  readonly #terminated = new Map<number, Termination>()
  /** Briefly set after a terminated worker exits: its tasks that never started fail with this. */
  #justTerminated: Termination | undefined
  /** Per thread: the last request that started on it; a stuck thread is most likely stuck in it. */
  readonly #lastStarted = new Map<number, number>()
  readonly #labels = new Map<number, string>()
  readonly #watched = new WeakSet<Worker>()
  readonly #breaker = new CrashLoopBreaker()
  #lastWorkerError: Error | undefined
  /** Set once the entry killed workers in a loop; requests then get this error until the next build. */
  crashLoop: ErrorData | undefined
  readonly #options: GenerationOptions

  constructor(options: GenerationOptions) {
    this.gen = options.gen
    this.workers = options.workers
    this.bundleUrl = options.bundleUrl
    this.#options = options
    // Unique per server instance: BroadcastChannel names are process-wide.
    const channel = `hotcell:${randomUUID()}:${options.gen}`
    this.#control = new BroadcastChannel(channel)
    this.#control.unref()
    const workerData: WorkerData = {
      gen: options.gen,
      channel,
      preload: options.preload,
      handler: options.handler,
      entry: options.entry,
      ...(options.bundleUrl ? { bundleUrl: options.bundleUrl } : {}),
    }
    this.#pool = new Piscina({
      filename: RUNTIME,
      workerData,
      minThreads: options.workers,
      maxThreads: options.workers,
      idleTimeout: Infinity,
      concurrentTasksPerWorker: TASKS_PER_WORKER,
      maxQueue: MAX_QUEUE,
      // The default ('sync') parks an idle worker in Atomics.wait, freezing
      // streams and timers the handler left running (research §1.6).
      atomics: 'disabled',
      recordTiming: false,
      ...(options.maxMemoryMb ? { resourceLimits: { maxOldGenerationSizeMb: options.maxMemoryMb } } : {}),
    })
    // Without a listener, a worker dying outside a task would crash the process.
    this.#pool.on('error', (error: Error) => {
      this.#lastWorkerError = error
      options.onWorkerError(error)
    })
    this.#pool.on('message', (message: WorkerMessage) => this.#onMessage(message))
    this.#pool.on('workerCreate', () => this.#watchExits())
  }

  /**
   * Hand the bundle to every worker (a standby generation) and wait until all
   * have imported it. Resolves even when the import failed: `loadError` says so.
   */
  load(bundleUrl?: string, timeoutMs = 10_000): Promise<void> {
    if (bundleUrl) {
      this.bundleUrl = bundleUrl
      this.#post({ type: 'load', bundleUrl })
    }
    if (this.#ready.size >= this.workers) return Promise.resolve()
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.loadError ??= {
          name: 'ImportTimeoutError',
          message: `The entry did not finish importing within ${timeoutMs / 1000} s. Is a top-level await waiting for something that never comes?`,
        }
        resolve()
      }, timeoutMs)
      this.#onReady = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  }

  /** Run one request. Rejects when the worker running it dies, or with QueueFullError. */
  run(task: RequestTask): Promise<TaskResult> {
    if (this.crashLoop) return Promise.reject(new CrashLoopError(this.crashLoop))
    this.#pending.add(task.id)
    this.#labels.set(task.id, `${task.method} ${task.url}`)
    return this.#pool
      .run(task, { transferList: task.body ? [task.body] : [] })
      .catch((error: Error) => {
        if (/queue is at limit/i.test(error.message)) throw new QueueFullError('all workers are busy and the queue is full')
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

  /** The thread running request `id`, once the worker said it started it. */
  threadOf(id: number): number | undefined {
    return this.#running.get(id)
  }

  /** The request that most recently started on `threadId` and is still running, if any. */
  lastStartedOn(threadId: number): { id: number; label: string } | undefined {
    const id = this.#lastStarted.get(threadId)
    const label = id === undefined ? undefined : this.#labels.get(id)
    return id === undefined || label === undefined ? undefined : { id, label }
  }

  /** The live Worker with this thread id. */
  worker(threadId: number): Worker | undefined {
    return this.#pool.threads.find((w) => w.threadId === threadId)
  }

  /** Thread ids of the live workers. */
  threadIds(): number[] {
    return this.#pool.threads.map((w) => w.threadId)
  }

  /**
   * End a stuck worker. piscina fails its tasks and spawns a replacement;
   * those tasks' errors carry `reason`.
   */
  terminate(threadId: number, reason: string, culprit: number | undefined): boolean {
    const worker = this.worker(threadId)
    if (!worker) return false
    this.#terminated.set(threadId, { reason, culprit })
    void worker.terminate()
    return true
  }

  /** Call `onPort` when the response to request `id` starts streaming. */
  expectStream(id: number, onPort: (port: MessagePort) => void): void {
    this.#streams.set(id, onPort)
  }

  forgetStream(id: number): void {
    this.#streams.delete(id)
  }

  /** The client of request `id` went away: tell its worker to abort `request.signal`. */
  abort(id: number, reason: 'client' | 'timeout' = 'client'): void {
    this.#post({ type: 'abort', id, reason })
  }

  /** Resolves once no request is in flight here, or after `graceMs`; then ends the workers. */
  async retire(graceMs: number): Promise<void> {
    if (this.inflight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs)
        this.#drained = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
    await this.destroy()
  }

  /** Called by the dispatcher whenever `inflight` drops. */
  settled(): void {
    if (this.inflight === 0) this.#drained?.()
  }

  /**
   * Ends every worker at once. piscina's `close()` is not used: with two or
   * more workers it kills tasks still running (research §1.4).
   */
  async destroy(): Promise<void> {
    if (this.#destroyed) return
    this.#destroyed = true
    this.#control.close()
    await this.#pool.destroy()
  }

  /** Attach an exit listener to workers not seen yet (piscina's events carry no Worker). */
  #watchExits(): void {
    for (const worker of this.#pool.threads) {
      if (this.#watched.has(worker)) continue
      this.#watched.add(worker)
      // threadId reads -1 once the worker has exited.
      const threadId = worker.threadId
      worker.once('exit', (code) => this.#onExit(threadId, code))
    }
  }

  #onExit(threadId: number, code: number): void {
    const termination = this.#terminated.get(threadId)
    if (termination) {
      // piscina has just failed this worker's tasks; their handlers run before the next turn.
      this.#justTerminated = termination
      setImmediate(() => (this.#justTerminated = undefined))
      return
    }
    if (this.#destroyed) return
    for (const thread of this.#running.values()) if (thread === threadId) return // a request's death: paced by clients
    const whileImporting = !this.#ready.has(threadId)
    if (!this.#breaker.record()) return
    const cause = this.#lastWorkerError ? ` The last one failed with: ${this.#lastWorkerError.message}` : ''
    this.crashLoop = {
      name: 'CrashLoopError',
      code: `EXIT_${code}`,
      message:
        `Workers running ${this.#options.entry} keep ending on their own ${whileImporting ? 'while importing it' : 'without handling a request'} ` +
        `(the last one exited with code ${code}).${cause} hotcell stopped replacing them until the next save.`,
    }
    this.loadError ??= this.crashLoop
    this.#onReady?.()
    this.#options.onCrashLoop?.(this.crashLoop)
    void this.destroy()
  }

  #post(message: ControlMessage): void {
    if (!this.#destroyed) this.#control.postMessage(message)
  }

  #onMessage(message: WorkerMessage): void {
    switch (message.type) {
      case 'hotcell:hello':
        // A standby before its bundle was chosen waits for `load()`; a worker
        // replacing a crashed one needs the bundle now.
        if (this.bundleUrl) this.#post({ type: 'load', bundleUrl: this.bundleUrl })
        break
      case 'hotcell:ready':
        if (message.error) this.loadError ??= message.error
        this.#ready.add(message.threadId)
        if (this.#ready.size >= this.workers) this.#onReady?.()
        break
      case 'hotcell:start':
        // The start message and the result travel on different ports: a late
        // start for a finished task must not leave a stale entry.
        if (this.#pending.has(message.id)) {
          this.#running.set(message.id, message.threadId)
          this.#lastStarted.set(message.threadId, message.id)
        }
        break
      case 'hotcell:uncaught':
        this.#options.onUncaught?.(message)
        break
      case 'hotcell:stream': {
        const onPort = this.#streams.get(message.id)
        this.#streams.delete(message.id)
        if (onPort) onPort(message.port)
        else message.port.close()
        break
      }
    }
  }
}
