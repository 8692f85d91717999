// A generation is one pool of workers running one bundle; a reload makes a
// new generation and retires the old.
import type { Worker } from 'node:worker_threads'
import type { Piscina } from 'piscina'
import {
  type ErrorData,
  type FailurePhase,
  IMPORT_LIMIT_MS,
  type LoadWait,
  type RequestTask,
  type StopSignal,
  type WorkerData,
  type WorkerMessage,
} from './protocol.js'
import type { GenerationOptions } from './generation-options.js'
import { ClientLeftError, CrashLoopError, NotBegunError } from '../errors.js'
import { type Inflight, InflightRequests } from './inflight-requests.js'
import type { Lane, Waiter } from './lane.js'
import { RequestQueue } from './request-queue.js'
import { startWorkers } from './worker-pool.js'
import { WorkerTracker } from './worker-tracker.js'
import { traceStart } from '../reload/trace.js'
import { WorkerSockets } from './worker-sockets.js'
import { EventStreams } from './event-streams.js'
import { UNSTOPPABLE_MS, whenUnstoppable } from './unstoppable-worker.js'
import { outOfSyncImports } from './sync-import-grace.js'
import { CLOSE_SERVICE_RESTART } from './websocket-frames.js'
import { BundleHandoff } from './bundle-handoff.js'
import type { Locate } from './stuck-workers.js'
import { retireGeneration } from './retire-generation.js'
import { watchMemory } from './memory-watch.js'
import { type MessageParts, onWorkerMessage } from './generation-messages.js'
import { Retirement } from './retirement.js'

export class Generation {
  /** Its id, given at boot; standbys that are dropped unused take one too. */
  readonly gen: number
  /** The number users see: 1 for the first to serve, then one more per swap. Unset until it serves. */
  number: number | undefined
  readonly workers: number
  readonly #inflight = new InflightRequests()
  /** Set when the bundle threw while being imported, or exports no handler. */
  loadError: ErrorData | undefined
  /** What a worker whose import has ended still waits for before it serves (a listen(), Fastify's ready()); unset while the import runs. */
  waitingFor: LoadWait | undefined
  /** Where loading failed (the import, or the export's shape); unset for a crash loop. */
  loadPhase: FailurePhase | undefined
  /** How many of its workers imported the bundle: with a loadError, some may serve while others failed (one thread per process for a legacy native addon). */
  importedBy = 0
  /** A worker reported the loaded handler as Node-style. */
  nodeStyle = false
  bundleUrl: string | undefined
  /**
   * Where the server listens: what the entry's own listen() reports. Set
   * after construction for a generation booted before the server listened;
   * its workers get it with their bundle.
   */
  serverAddress: WorkerData['serverAddress']
  #markServed!: () => void
  /** Resolves once a request has been answered here, or the generation ended. */
  readonly served = new Promise<void>((resolve) => (this.#markServed = resolve))
  #markBooted!: () => void
  /** Resolves once a worker is up and warm, waiting for its bundle (or the generation ended, or `bootError`). */
  readonly booted = new Promise<void>((resolve) => (this.#markBooted = resolve))
  isBooted = false
  /** retire() was called: new code serves (or the server stops); a worker ended now is not replaced for anyone. */
  retired = false
  /**
   * A worker died before any had booted: hotcell's own runtime could not run
   * (its files replaced under the server, by a reinstall). piscina does not
   * replace a worker that fails that early, so this generation never boots.
   */
  bootError: Error | undefined
  #markEnded!: () => void
  /** Resolves once destroy() has ended every worker: none will import the bundle again. */
  readonly ended = new Promise<void>((resolve) => (this.#markEnded = resolve))

  readonly #pool: Piscina
  /** The bundle's way to the workers, and which have imported it (bundle-handoff.ts). */
  readonly #handoff: BundleHandoff
  /** Requests on their way to a worker, or waiting for one (request-queue.ts). */
  readonly #queue: RequestQueue
  #destroyed = false
  /** Which thread runs which request, deaths and crash loops (worker-tracker.ts). */
  readonly #tracker: WorkerTracker
  /** The app's cleanup at the end (retirement.ts). */
  readonly #retirement: Retirement
  /** Upgraded connections (WebSockets) served by this generation's workers. */
  readonly sockets = new WorkerSockets((threadId) => this.#handoff.isReady(threadId))
  /** Its open event streams: retiring ends them, as it closes the sockets. */
  readonly eventStreams = new EventStreams()
  readonly #onUnstoppable: GenerationOptions['onUnstoppable']
  /** Whose listeners its code's cleanup runs at its end (workers/retirement.ts): SIGTERM, or at shutdown the signal the server got. */
  stopSignal: StopSignal = 'SIGTERM'

  constructor(options: GenerationOptions) {
    this.gen = options.gen
    this.workers = options.workers
    this.bundleUrl = options.bundleUrl
    this.serverAddress = options.serverAddress
    this.#handoff = new BundleHandoff(this, { destroyed: () => this.#destroyed, lanes: () => this.#tracker.lanes() })
    this.#tracker = new WorkerTracker({
      entry: options.entry,
      isReady: (threadId) => this.#handoff.isReady(threadId),
      servedSockets: (threadId) => this.sockets.served(threadId),
      maxMemoryMb: options.maxMemoryMb,
      onCrashLoop: (error) => {
        const loading = !this.#handoff.loaded
        this.loadError ??= error
        this.#handoff.recheck()
        // While loading, load()'s caller reports loadError; afterwards no one else would.
        if (!loading) options.onCrashLoop?.(error)
        this.#queue.rejectAll(() => new CrashLoopError(error))
        void this.destroy()
      },
      onExited: (threadId, death) => options.onWorkerExited?.(threadId, death),
      onLaneClosed: () => this.#queue.dispatch(),
      requeue: (task, waiter) => this.#queue.add(task, waiter),
    })
    this.#queue = new RequestQueue({
      lanes: () => this.#tracker.lanes(),
      isReady: this.#isReady,
      tasksPerWorker: options.tasksPerWorker,
      max: options.maxQueue,
    })
    this.#pool = startWorkers(options)
    // Without a listener, a worker dying outside a task would crash the process.
    this.#pool.on('error', (error: Error) => {
      if (!this.isBooted && !this.bootError) {
        this.bootError = error
        this.#markBooted()
      }
      if (this.#tracker.workerError(error)) options.onWorkerError(error)
    })
    const parts: MessageParts = {
      handoff: this.#handoff,
      tracker: this.#tracker,
      queue: this.#queue,
      markBooted: () => this.#markBooted(),
      settled: this.#settled,
      destroyed: () => this.#destroyed,
    }
    this.#pool.on('message', (message: WorkerMessage) => onWorkerMessage(this, parts, message, options))
    this.#retirement = new Retirement(this.#pool, options.onCleanupCut)
    this.#pool.on('workerCreate', () => this.#tracker.watch(this.#pool.threads))
    // Workers created in the constructor: their exits must be seen even before workerCreate fires.
    this.#tracker.watch(this.#pool.threads)
    this.#onUnstoppable = options.onUnstoppable
    if (options.maxMemoryMb) watchMemory(this, options.maxMemoryMb)
    if (this.gen === 1) traceStart('workers')
  }

  /** The generations older than this one have ended: a fixed port one held is free (workers/port-retry.ts). */
  olderEnded(): void {
    this.#handoff.olderEnded()
  }

  /** Have the workers load Node's fetch classes now, before the bundle comes (a standby). */
  warmFetchApi(): void {
    this.#handoff.warmFetchApi()
  }

  /** A reload's bundle is coming: the worker that imports it first waits for it awake, up to `ms` (bundle-handoff.ts). */
  stayAwake(ms: number): void {
    this.#handoff.stayAwake(ms)
  }

  /** Hand the bundle to a standby generation and wait until one worker (or `all`) has imported it (bundle-handoff.ts). */
  load(bundleUrl?: string, { all = false, timeoutMs = IMPORT_LIMIT_MS }: { all?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (bundleUrl) this.bundleUrl = bundleUrl
    return this.#handoff.load(bundleUrl, all, timeoutMs)
  }

  /**
   * Run one request: `resolve` with its result, or `reject` when the worker
   * running it dies (a WorkerLostError), with CrashLoopError, or with
   * QueueFullError. `onStream`: the response streams over this port
   * (stream-pipe.ts). Callbacks, not a promise: this is on every request's path.
   */
  run(task: RequestTask, handlers: Waiter): void {
    if (this.#tracker.crashLoop) {
      handlers.reject(new CrashLoopError(this.#tracker.crashLoop))
      return
    }
    this.#queue.add(task, handlers)
  }

  /** Requests are done with their worker: waiting ones may take their places; a standby's first answer lets the rest import. */
  readonly #settled = (): void => {
    this.#markServed()
    if (this.#queue.size > 0) this.#queue.dispatch()
    if (this.#handoff.leading) this.#handoff.loadRest()
  }

  /**
   * A reload's standby still importing: the requests it took early and has
   * not begun are served elsewhere (NotBegunError), and it takes no more
   * until its import ends. Called when they have waited as long as a request
   * is held for a reload (src/reload/save-hold.ts).
   */
  takeBack(): void {
    const thread = this.#handoff.noEarly()
    if (thread === undefined || this.#destroyed) return
    const elsewhere = (_task: RequestTask, waiter: Waiter) => waiter.reject(new NotBegunError())
    for (const lane of this.#tracker.lanes()) if (lane.threadId === thread) lane.takeBack(elsewhere)
  }

  readonly #isReady = (threadId: number): boolean => this.#handoff.isReady(threadId) || this.#handoff.takesEarly(threadId)

  /** The thread request `id` was given to, while it is in flight. */
  threadOf(id: number): number | undefined {
    return this.#tracker.laneOf(id)?.threadId
  }

  /** Has request `id` begun on its worker? False while it waits behind others there. */
  started(id: number): boolean {
    return this.#tracker.laneOf(id)?.started(id) ?? false
  }

  /** The request that began last on `threadId` and is still in flight: a stuck thread is most likely stuck in it. */
  lastStartedOn(threadId: number): ReturnType<Lane['lastStarted']> {
    return this.#tracker.lane(threadId)?.lastStarted()
  }

  /** Its workers' request lanes (busy-workers.ts looks at them). */
  lanes(): Iterable<Lane> {
    return this.#tracker.lanes()
  }

  /** The live Workers. */
  get threads(): readonly Worker[] {
    return this.#pool.threads
  }

  /** The live Worker with this thread id. */
  worker(threadId: number): Worker | undefined {
    return this.#pool.threads.find((w) => w.threadId === threadId)
  }

  /** End a stuck worker (or one `overMemory`); piscina fails its tasks (with `reason`, via the tracker) and spawns a replacement. */
  terminate(threadId: number, reason: string, culprit: number | undefined, overMemory = false): void {
    const worker = this.worker(threadId)
    if (!worker) return
    this.#tracker.terminating(threadId, reason, culprit, overMemory)
    void worker.terminate()
    this.#watchTermination(worker, reason)
  }

  /** `worker` is being terminated: if it does not exit (unstoppable-worker.ts), its requests fail and the owner is told. */
  #watchTermination(worker: Worker, reason: string): void {
    const threadId = worker.threadId
    whenUnstoppable(worker, () => {
      this.#tracker.abandon(threadId, UNSTOPPABLE_MS)
      this.#onUnstoppable?.(threadId, reason)
    })
  }

  /** The client of request `id` went away (or it ran out of time): abort `request.signal` in its worker. */
  abort(id: number, reason: 'client' | 'timeout' = 'client'): void {
    const lane = this.#tracker.laneOf(id)
    if (lane) {
      lane.abort(id, reason)
      return
    }
    // Not given to a worker yet: it never will be.
    if (reason === 'client') this.#queue.remove(id)?.reject(new ClientLeftError('The client disconnected before a worker took the request'))
  }

  /** Requests dispatched to this generation whose response has not closed. */
  get inflight(): number {
    return this.#inflight.count
  }

  /**
   * One request enters this generation: say when its response closed and
   * when its worker is done with it. Retiring waits for both of every request
   * (a shutdown: for the responses still open).
   */
  enter(): Inflight {
    return this.#inflight.enter()
  }

  /** Once no request nor ctx.waitUntil() work is left here, or after `graceMs`: ends the workers; how many waitUntil promises that cut. `why`: new code serves, the new code does not build or load ('broken'), or the server stops. `locate`: where a worker stuck in JavaScript is, for its requests' 502. */
  retire(graceMs: number, why: 'reload' | 'broken' | 'shutdown' = 'reload', locate?: Locate): Promise<number> {
    return retireGeneration(this, { inflight: this.#inflight, tracker: this.#tracker }, graceMs, why, locate)
  }

  /**
   * Ends every worker at once. piscina's `close()` is not used: with two or
   * more workers it resolves when the first worker goes idle and kills the
   * tasks still running on the others (measured on 5.3.2).
   */
  async destroy(reason?: string, stuckAt?: Map<number, string>, reroute = false): Promise<void> {
    if (this.#destroyed) return
    this.#destroyed = true
    this.sockets.closeAll(CLOSE_SERVICE_RESTART, 'hotcell reloaded the code')
    this.#markServed()
    this.#markBooted()
    // `reroute`: replaced by new code, which serves the requests these workers never began (queued behind a stuck one).
    this.#tracker.stop(reason, stuckAt, reroute ? (_task, waiter) => waiter.reject(new NotBegunError()) : undefined)
    this.#handoff.recheck()
    this.#queue.rejectAll(() => (reroute ? new NotBegunError() : new Error('Terminating worker thread')))
    this.#handoff.close()
    await outOfSyncImports(this.#handoff.inSyncImport)
    const importing = this.#handoff.inSyncImport() || this.#handoff.importUnfinished()
    await this.#retirement.cleanUp([...this.#tracker.lanes()], this.#pool.threads, importing, this.stopSignal)
    // A worker that ignores the pool's terminate() would hold this forever, and the process's exit too.
    for (const worker of this.#pool.threads) this.#watchTermination(worker, 'ended')
    try {
      await this.#pool.destroy()
    } finally {
      this.#retirement.endChildren()
      this.#markEnded()
    }
  }
}
