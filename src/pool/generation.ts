// The only module that imports piscina. A generation is one pool of workers
// running one bundle; a reload makes a new generation and retires the old.
import { randomUUID } from 'node:crypto'
import { BroadcastChannel, type Worker } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'
import { Piscina } from 'piscina'
import type { ControlMessage, ErrorData, RequestTask, UncaughtReport, WorkerData, WorkerMessage } from './protocol.js'
import { CrashLoopError, QueueFullError } from '../errors.js'
import type { Waiter } from './lane.js'
import { pickWorker } from './worker-choice.js'
import { WorkerTracker } from './worker-tracker.js'
import { traceStart } from '../reload/trace.js'
import { WorkerSockets } from './worker-sockets.js'
import { CLOSE_SERVICE_RESTART } from './socket-tunnel.js'

const RUNTIME = fileURLToPath(new URL('../../workers/runtime.js', import.meta.url))
// Requests per worker before they wait for one: handlers are async and mostly wait.
const TASKS_PER_WORKER = 256
const MAX_QUEUE = 1024
// One worker imports a new bundle first and serves; the others import it once
// that worker's first response is out, or this long after it was ready. On a
// machine with few cores the imports beside it (and beside the old generation
// still serving) only slow down the one the swap waits for.
const REST_AFTER_READY_MS = 20
// The leading worker may die while importing: the others must not wait forever.
const REST_AT_THE_LATEST_MS = 2_000

export interface GenerationOptions {
  gen: number
  workers: number
  entry: string
  handler: WorkerData['handler']
  maxMemoryMb: number | undefined
  /** A module importing the bundle's packages (builder.ts), for workers to import while waiting for the bundle. */
  preloadUrl: string
  /** Given when the generation is made for a known build; omitted for a standby. */
  bundleUrl?: string
  /** The last bundle's handler was Node-style: the workers load the Node adapter while waiting. */
  nodeAdapter?: boolean
  /** A worker failed outside any request (a late throw in a timer, say). */
  onWorkerError(error: Error): void
  /** A worker caught an error no handler caught, and keeps running (workers/late-errors.ts). */
  onUncaught?(report: UncaughtReport): void
  /** The generation stopped replacing workers: its entry kills them as fast as they start. */
  onCrashLoop?(error: ErrorData): void
  /** Internal, for tests: tasks per worker before queueing, and the queue size. */
  tasksPerWorker?: number
  maxQueue?: number
  /** A worker captured the entry's own listen() call; every worker reports it. */
  onListenCaptured?(requested: string): void
  /** hotcell's own address, for the captured server's address(); see `serverAddress` for a generation booted before it was known. */
  serverAddress?: WorkerData['serverAddress']
  /** process.env of the workers (with the .env files' variables); default: the main process's. */
  env?: Record<string, string>
}

/** Who waits for a request's outcome (lane.ts). */
export type RunHandlers = Waiter

interface Waiting {
  task: RequestTask
  handlers: RunHandlers
}

export class Generation {
  readonly gen: number
  readonly workers: number
  #inflight = 0
  /** Set when the bundle threw while being imported, or exports no handler. */
  loadError: ErrorData | undefined
  /** A worker reported the loaded handler as Node-style. */
  nodeStyle = false
  bundleUrl: string | undefined
  /**
   * Where the server listens: what the entry's own listen() reports. Set
   * after construction for a generation booted before the server listened;
   * its workers get it with their bundle.
   */
  serverAddress: WorkerData['serverAddress']
  readonly #bootedWithAddress: boolean
  #markServed!: () => void
  /** Resolves once a request has been answered here, or the generation ended. */
  readonly served = new Promise<void>((resolve) => (this.#markServed = resolve))
  #markBooted!: () => void
  /** Resolves once a worker is up and warm, waiting for its bundle (or the generation ended). */
  readonly booted = new Promise<void>((resolve) => (this.#markBooted = resolve))
  isBooted = false
  #markEnded!: () => void
  /** Resolves once destroy() has ended every worker: none will import the bundle again. */
  readonly ended = new Promise<void>((resolve) => (this.#markEnded = resolve))

  readonly #pool: Piscina
  readonly #control: BroadcastChannel
  readonly #ready = new Set<number>()
  #onReady: (() => void) | undefined
  /** load() has resolved: the generation may be serving, with some workers still importing. */
  #loaded = false
  /** The one worker importing the bundle while the others wait (see REST_AFTER_READY_MS). */
  #leader: number | undefined
  #restTimer: NodeJS.Timeout | undefined
  readonly #booted = new Set<number>()
  /** Requests no worker can take yet (all full, or none has its lane up). */
  #waiting: Waiting[] = []
  readonly #maxQueue: number
  #drained: (() => void) | undefined
  #destroyed = false
  /** Which thread runs which request, deaths and crash loops (worker-tracker.ts). */
  readonly #tracker: WorkerTracker
  /** Upgraded connections (WebSockets) served by this generation's workers. */
  readonly sockets = new WorkerSockets((threadId) => this.#ready.has(threadId))
  #onListenCaptured: ((requested: string) => void) | undefined
  readonly #tasksPerWorker: number

  constructor(options: GenerationOptions) {
    this.gen = options.gen
    this.workers = options.workers
    this.bundleUrl = options.bundleUrl
    this.serverAddress = options.serverAddress
    this.#bootedWithAddress = options.serverAddress !== undefined
    this.#tasksPerWorker = options.tasksPerWorker ?? TASKS_PER_WORKER
    this.#maxQueue = options.maxQueue ?? MAX_QUEUE
    this.#tracker = new WorkerTracker({
      entry: options.entry,
      isReady: (threadId) => this.#ready.has(threadId),
      onCrashLoop: (error) => {
        const loading = !this.#loaded
        this.loadError ??= error
        this.#onReady?.()
        // While loading, load()'s caller reports loadError; afterwards no one else would.
        if (!loading) options.onCrashLoop?.(error)
        for (const waiting of this.#waiting.splice(0)) waiting.handlers.reject(new CrashLoopError(error))
        void this.destroy()
      },
      onLaneClosed: () => this.#dispatchWaiting(),
    })
    // Unique per server instance: BroadcastChannel names are process-wide.
    const channel = `hotcell:${randomUUID()}:${options.gen}`
    this.#control = new BroadcastChannel(channel)
    this.#control.unref()
    const workerData: WorkerData = {
      gen: options.gen,
      channel,
      preloadUrl: options.preloadUrl,
      handler: options.handler,
      entry: options.entry,
      ...(options.nodeAdapter ? { nodeAdapter: true } : {}),
      ...(options.bundleUrl ? { bundleUrl: options.bundleUrl } : {}),
      ...(options.serverAddress ? { serverAddress: options.serverAddress } : {}),
    }
    this.#pool = new Piscina({
      filename: RUNTIME,
      workerData,
      minThreads: options.workers,
      maxThreads: options.workers,
      idleTimeout: Infinity,
      // Requests travel on each worker's own lane (lane.ts), not as piscina
      // tasks: piscina starts, replaces and ends the workers.
      // The default ('sync') parks an idle worker in Atomics.wait, freezing
      // streams and timers the handler left running.
      atomics: 'disabled',
      recordTiming: false,
      ...(options.env ? { env: options.env } : {}),
      ...(options.maxMemoryMb ? { resourceLimits: { maxOldGenerationSizeMb: options.maxMemoryMb } } : {}),
    })
    // Without a listener, a worker dying outside a task would crash the process.
    this.#pool.on('error', (error: Error) => {
      if (this.#tracker.workerError(error)) options.onWorkerError(error)
    })
    this.#pool.on('message', (message: WorkerMessage) => this.#onMessage(message, options))
    this.#pool.on('workerCreate', () => this.#tracker.watch(this.#pool.threads))
    // Workers created in the constructor: their exits must be seen even before workerCreate fires.
    this.#tracker.watch(this.#pool.threads)
    this.#onListenCaptured = options.onListenCaptured
    if (this.gen === 1) traceStart('workers')
  }

  /**
   * Hand the bundle to a standby generation and wait until one worker has
   * imported it: that one serves while the others follow (`pickWorker` sends
   * requests to workers that are ready). Waiting for all cost 2–7 ms per
   * reload with 2 workers on 2 cores. Resolves even when the import failed:
   * `loadError` says so, and the import is the same bundle in every worker.
   * `all`: wait for every worker (at start, where a few ms do not matter and
   * the server should come up at full size).
   */
  load(bundleUrl?: string, { all = false, timeoutMs = 10_000 }: { all?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (bundleUrl) {
      this.bundleUrl = bundleUrl
      const threads = this.#pool.threads.map((w) => w.threadId)
      this.#leader = this.workers > 1 && !all ? (threads.find((id) => this.#booted.has(id)) ?? threads[0]) : undefined
      this.#post({ type: 'load', bundleUrl, ...(this.#leader !== undefined ? { only: this.#leader } : {}), ...this.#address() })
      if (this.#leader !== undefined) this.#restIn(REST_AT_THE_LATEST_MS)
    }
    // A crash loop sets loadError and calls #onReady too.
    const enough = () => this.#ready.size >= (all ? this.workers : 1) || this.loadError !== undefined
    const waited = enough()
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            this.loadError ??= {
              name: 'ImportTimeoutError',
              message: `The entry did not finish importing within ${timeoutMs / 1000} s. Is a top-level await waiting for something that never comes?`,
            }
            this.#onReady?.()
          }, timeoutMs)
          this.#onReady = () => {
            if (!enough()) return
            clearTimeout(timer)
            this.#onReady = undefined
            resolve()
          }
        })
    return waited.then(() => {
      this.#loaded = true
    })
  }

  /**
   * Run one request: `resolve` with its result, or `reject` when the worker
   * running it dies (a WorkerLostError), with CrashLoopError, or with
   * QueueFullError. `onStream`: the response streams over this port
   * (stream-pipe.ts). Callbacks, not a promise: this is on every request's path.
   */
  run(task: RequestTask, handlers: RunHandlers): void {
    if (this.#tracker.crashLoop) {
      handlers.reject(new CrashLoopError(this.#tracker.crashLoop))
      return
    }
    const waiting: Waiting = { task, handlers }
    if (this.#waiting.length === 0 && this.#send(waiting)) return
    if (this.#waiting.length >= this.#maxQueue) handlers.reject(new QueueFullError('all workers are busy and the queue is full'))
    else this.#waiting.push(waiting)
  }

  /** Give the request to the least busy worker that can take it; false when none can. */
  #send(waiting: Waiting): boolean {
    const lane = pickWorker(this.#tracker.lanes(), this.#isReady, this.#tasksPerWorker)
    if (!lane) return false
    lane.send(waiting.task, waiting.handlers)
    return true
  }

  /** Requests are done with their worker: waiting ones may take their places; a standby's first answer lets the rest import. */
  readonly #settled = (): void => {
    this.#markServed()
    if (this.#waiting.length > 0) this.#dispatchWaiting()
    if (this.#leader !== undefined) this.#loadRest()
  }

  readonly #isReady = (threadId: number): boolean => this.#ready.has(threadId)

  #dispatchWaiting(): void {
    while (this.#waiting.length > 0 && this.#send(this.#waiting[0]!)) this.#waiting.shift()
  }

  /** The thread request `id` was given to, while it is in flight. */
  threadOf(id: number): number | undefined {
    return this.#tracker.laneOf(id)?.threadId
  }

  /** Has request `id` begun on its worker? False while it waits behind others there. */
  started(id: number): boolean {
    return this.#tracker.laneOf(id)?.started(id) ?? false
  }

  /** The request that began last on `threadId` and is still in flight: a stuck thread is most likely stuck in it. */
  lastStartedOn(threadId: number): { id: number; label: string } | undefined {
    return this.#tracker.lane(threadId)?.lastStarted()
  }

  #restIn(ms: number): void {
    clearTimeout(this.#restTimer)
    this.#restTimer = setTimeout(this.#loadRest, ms)
    this.#restTimer.unref()
  }

  readonly #loadRest = (): void => {
    if (this.#leader === undefined || !this.bundleUrl) return
    this.#leader = undefined
    clearTimeout(this.#restTimer)
    this.#post({ type: 'load', bundleUrl: this.bundleUrl, ...this.#address() })
  }

  /** The live Worker with this thread id. */
  worker(threadId: number): Worker | undefined {
    return this.#pool.threads.find((w) => w.threadId === threadId)
  }

  /** End a stuck worker; piscina fails its tasks (with `reason`, via the tracker) and spawns a replacement. */
  terminate(threadId: number, reason: string, culprit: number | undefined): void {
    const worker = this.worker(threadId)
    if (!worker) return
    this.#tracker.terminating(threadId, reason, culprit)
    void worker.terminate()
  }

  /** The client of request `id` went away (or it ran out of time): abort `request.signal` in its worker. */
  abort(id: number, reason: 'client' | 'timeout' = 'client'): void {
    const lane = this.#tracker.laneOf(id)
    if (lane) {
      lane.abort(id, reason)
      return
    }
    // Not given to a worker yet: it never will be.
    const at = this.#waiting.findIndex((w) => w.task.id === id)
    if (at >= 0 && reason === 'client') this.#waiting.splice(at, 1)[0]!.handlers.reject(new Error('The client disconnected'))
  }

  /** Requests dispatched to this generation whose response has not closed. */
  get inflight(): number {
    return this.#inflight
  }

  /**
   * One request enters this generation; call the returned function once when
   * it is over (its response closed and its worker is done with it). Retiring
   * waits for every such request.
   */
  enter(): () => void {
    this.#inflight++
    let left = false
    return () => {
      if (left) return
      left = true
      if (--this.#inflight === 0) this.#drained?.()
    }
  }

  /** Resolves once no request is in flight here, or after `graceMs`; then ends the workers. */
  async retire(graceMs: number): Promise<void> {
    // Open WebSockets would keep old code running for as long as a tab stays open: they reconnect to the new code.
    this.sockets.closeAll(CLOSE_SERVICE_RESTART, 'hotcell reloaded the code')
    if (this.#inflight > 0) {
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

  /**
   * Ends every worker at once. piscina's `close()` is not used: with two or
   * more workers it resolves when the first worker goes idle and kills the
   * tasks still running on the others (measured on 5.3.2).
   */
  async destroy(): Promise<void> {
    if (this.#destroyed) return
    this.#destroyed = true
    this.sockets.closeAll(CLOSE_SERVICE_RESTART, 'hotcell reloaded the code')
    this.#markServed()
    this.#markBooted()
    this.#tracker.stop()
    for (const waiting of this.#waiting.splice(0)) waiting.handlers.reject(new Error('Terminating worker thread'))
    clearTimeout(this.#restTimer)
    this.#control.close()
    try {
      await this.#pool.destroy()
    } finally {
      this.#markEnded()
    }
  }

  #address(): { serverAddress?: WorkerData['serverAddress'] } {
    return this.serverAddress && !this.#bootedWithAddress ? { serverAddress: this.serverAddress } : {}
  }

  #post(message: ControlMessage): void {
    if (!this.#destroyed) this.#control.postMessage(message)
  }

  #onMessage(message: WorkerMessage, options: GenerationOptions): void {
    switch (message.type) {
      case 'hotcell:hello':
        if (this.gen === 1) traceStart('booted')
        this.#booted.add(message.threadId)
        this.isBooted = true
        this.#markBooted()
        // A standby before its bundle was chosen waits for `load()`; a worker
        // replacing a crashed one needs the bundle now, unless it waits its turn.
        if (this.bundleUrl && (this.#leader === undefined || this.#leader === message.threadId)) {
          this.#post({ type: 'load', bundleUrl: this.bundleUrl, only: message.threadId, ...this.#address() })
        }
        break
      case 'hotcell:lane':
        this.#tracker.addLane(message.threadId, message.port, message.progress, this.#settled)
        this.#dispatchWaiting()
        break
      case 'hotcell:ready':
        if (this.gen === 1) traceStart('ready')
        if (message.error) this.loadError ??= message.error
        if (message.node) this.nodeStyle = true
        this.#ready.add(message.threadId)
        this.#onReady?.()
        if (message.threadId === this.#leader) this.#restIn(REST_AFTER_READY_MS)
        break
      case 'hotcell:uncaught':
        options.onUncaught?.(message)
        break
      case 'hotcell:listen-captured':
        this.#onListenCaptured?.(message.requested)
        break
      case 'hotcell:socket-host':
        this.sockets.addHost(message.threadId, message.port)
        break
    }
  }
}
