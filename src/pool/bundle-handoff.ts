// How a generation's workers get its bundle: on their lanes (protocol.ts's
// ControlMessage says why not a BroadcastChannel), each once it has booted,
// one first while the others wait (staggered-load.ts); and which of them have
// imported it, for load() to wait on.
import type { Worker } from 'node:worker_threads'
import type { ControlMessage, ErrorData, LoadWait, WorkerData } from './protocol.js'
import { StaggeredLoad } from './staggered-load.js'
import { GRACE_MS } from './sync-import-grace.js'

/** What the handoff reads of its generation (generation.ts), and the one thing it sets: the error of an import that timed out. */
export interface LoadingGeneration {
  readonly gen: number
  readonly workers: number
  readonly bundleUrl: string | undefined
  readonly serverAddress: WorkerData['serverAddress']
  readonly threads: readonly Worker[]
  /** What a worker whose import has ended waits for (generation.ts): the timeout's wording. */
  readonly waitingFor?: LoadWait | undefined
  loadError: ErrorData | undefined
}

// A worker waiting for a listen() gives its own verdict at the limit
// (workers/listen-wait.ts), counted from its own import's start, a little
// after the handoff: the main thread's timeout waits this much longer, and
// fires only for a worker that cannot answer (stuck in a loop after the import).
const VERDICT_MARGIN_MS = 1_000

/** The ImportTimeoutError's message, by what the worker was doing when the limit passed. */
function timeoutMessage(waiting: LoadWait | undefined, timeoutMs: number): string {
  const within = `within ${timeoutMs / 1000} s`
  if (waiting === 'ready')
    return `The entry was imported, but its exported Fastify app's ready() did not resolve ${within} of the import's start: a plugin never finished loading.`
  if (waiting === 'listen' || waiting === 'fastify-listen')
    return `The entry was imported without a handler, and its worker, waiting for a listen() call, did not answer ${within} of the import's start: code that ran after the import never ends (a loop).`
  return `The entry did not finish importing ${within}: a loop that never ends, or a top-level await waiting for something that never comes.`
}

/** Where control messages go: a worker's lane (lane.ts). */
export interface ControlPort {
  readonly threadId: number
  control(message: ControlMessage): void
}

export class BundleHandoff {
  readonly #bootedWithAddress: boolean
  /** Told to load Node's fetch classes after its workers were started. */
  #warmFetchApi = false
  readonly #ready = new Set<number>()
  #onReady: (() => void) | undefined
  #loaded = false
  /** Which worker imports the bundle first (staggered-load.ts). */
  readonly #stagger = new StaggeredLoad(() => this.loadRest())
  readonly #booted = new Set<number>()
  /** When the bundle was last handed to a worker (sync-import-grace.ts). */
  #handedAt = Number.NEGATIVE_INFINITY
  /** A load() waiting: put its timeout off to `ms` from now. */
  #putOff: ((ms: number) => void) | undefined
  /** The worker importing a reload's bundle: it takes requests before its import ends (takesEarly()). */
  #early: number | undefined

  /** `destroyed`: the generation is ending; nothing more is sent, and load() stops waiting. `lanes`: its workers' lanes so far. */
  constructor(
    private readonly generation: LoadingGeneration,
    private readonly state: { destroyed(): boolean; lanes(): Iterable<ControlPort> },
  ) {
    this.#bootedWithAddress = generation.serverAddress !== undefined
  }

  /** Tell the workers to load Node's fetch classes, and those that boot later too. */
  warmFetchApi(): void {
    this.#warmFetchApi = true
    this.#post({ type: 'warm-fetch-api' })
  }

  /**
   * Hand the bundle to a standby generation and wait until one worker has
   * imported it: that one serves while the others follow (`pickWorker` sends
   * requests to workers that are ready). Waiting for all cost 2-7 ms per
   * reload with 2 workers on 2 cores. Resolves even when the import failed:
   * `loadError` says so, and the import is the same bundle in every worker.
   * `all`: wait for every worker (at start, where a few ms do not matter and
   * the server should come up at full size).
   */
  load(bundleUrl: string | undefined, all: boolean, timeoutMs: number): Promise<void> {
    if (bundleUrl) {
      const threads = this.generation.threads.map((w) => w.threadId)
      const leader = this.generation.workers > 1 && !all ? this.#leader() : undefined
      this.#post({ type: 'load', bundleUrl, ...(leader !== undefined ? { only: leader } : {}), ...(!all && { swap: true as const }), ...this.#address() })
      this.#stagger.lead(leader)
      if (!all) this.#early = leader ?? threads[0]
    }
    // A crash loop sets loadError and calls recheck() too; so does destroy(), for a load given up on.
    const enough = () => this.#ready.size >= (all ? this.generation.workers : 1) || this.generation.loadError !== undefined || this.state.destroyed()
    const waited = enough()
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          let deadline = performance.now() + timeoutMs
          const expire = () => {
            this.generation.loadError ??= { name: 'ImportTimeoutError', message: timeoutMessage(this.generation.waitingFor, timeoutMs) }
            this.#onReady?.()
          }
          let timer = setTimeout(expire, timeoutMs)
          this.#putOff = (ms) => {
            if (performance.now() + ms <= deadline) return
            deadline = performance.now() + ms
            clearTimeout(timer)
            timer = setTimeout(expire, ms)
          }
          this.#onReady = () => {
            if (!enough()) return
            clearTimeout(timer)
            this.#onReady = undefined
            this.#putOff = undefined
            resolve()
          }
        })
    return waited.then(() => {
      this.#loaded = true
    })
  }

  /**
   * A reload's bundle is coming (src/reload/standby-import.ts keepAwake()):
   * the worker that will import it first keeps its thread running until it
   * comes, up to `ms` (workers/lane.ts stayAwake()). An idle thread woken by
   * the bundle's 'load' took 0.2-0.55 ms to run it on this 2-core VM, with
   * the reload waiting; a thread awake, 0.05-0.1 ms.
   */
  stayAwake(ms: number): void {
    if (this.state.destroyed() || this.generation.bundleUrl !== undefined || this.#booted.size === 0) return
    const leader = this.#leader()
    for (const lane of this.state.lanes()) if (lane.threadId === leader) lane.control({ type: 'stay-awake', ms })
  }

  /** The worker that imports a reload's bundle first: one that has booted. */
  #leader(): number | undefined {
    const threads = this.generation.threads.map((w) => w.threadId)
    return threads.find((id) => this.#booted.has(id)) ?? threads[0]
  }

  /** load() has resolved: the generation may be serving, with some workers still importing. */
  get loaded(): boolean {
    return this.#loaded
  }

  /** A worker's import has ended and it waits for `waiting`, at most `limitMs` more: for a listen(), its own verdict comes first. */
  waiting(waiting: LoadWait, limitMs: number): void {
    if (waiting !== 'ready') this.#putOff?.(limitMs + VERDICT_MARGIN_MS)
  }

  /** The generation's loadError was set, or it is ending: a load() waiting may be over. */
  recheck(): void {
    this.#onReady?.()
  }

  /** Has this thread finished importing the bundle? */
  isReady(threadId: number): boolean {
    return this.#ready.has(threadId)
  }

  /**
   * May a request go to this thread while it still imports a reload's
   * bundle? The worker runs it as soon as its import ends, in the same turn
   * (workers/runtime.ts). Sent only once the worker had said it was ready and
   * the main thread had swapped, the first request after a save waited for
   * three more hops between the threads: 0.6-1.7 ms of a 7-10 ms reload.
   */
  takesEarly(threadId: number): boolean {
    return threadId === this.#early && this.generation.loadError === undefined && !this.state.destroyed()
  }

  /** No more requests before the import ends; the thread that took them, if it has not finished importing. */
  noEarly(): number | undefined {
    const thread = this.#early
    this.#early = undefined
    return thread !== undefined && !this.#ready.has(thread) ? thread : undefined
  }

  /** A worker is importing the bundle ahead of the others, who wait. */
  get leading(): boolean {
    return this.#stagger.leading
  }

  /** The workers waiting for the leading one import the bundle now. */
  loadRest(): void {
    if (!this.generation.bundleUrl || !this.#stagger.release()) return
    this.#post({ type: 'load', bundleUrl: this.generation.bundleUrl, ...this.#address() })
  }

  /** A worker is up and warm, waiting for its bundle. */
  booted(threadId: number): void {
    this.#booted.add(threadId)
    // The first message a lane carries took 0.38-0.40 ms from the main
    // thread's post to the worker's handler, later ones 0.16-0.27 (p50, a
    // standby's 'load' in a reload, Node 20): one that asks nothing goes
    // first, while the worker waits for its bundle.
    for (const lane of this.state.lanes()) if (lane.threadId === threadId) lane.control({ type: 'rehearsal' })
    // A worker still starting when told to warm up missed the message on the channel.
    if (this.#warmFetchApi) this.#post({ type: 'warm-fetch-api' })
    // A standby before its bundle was chosen waits for `load()`; a worker
    // replacing a crashed one needs the bundle now, unless it waits its turn.
    if (this.generation.bundleUrl && this.#stagger.mayLoad(threadId)) {
      this.#post({ type: 'load', bundleUrl: this.generation.bundleUrl, only: threadId, ...this.#address() })
    }
  }

  /** A worker has imported the bundle, or failed to (the generation's loadError says so). */
  ready(threadId: number): void {
    this.#ready.add(threadId)
    this.#onReady?.()
    this.#stagger.ready(threadId)
  }

  /** A worker is booting, or importing the bundle it was handed less than the grace ago (sync-import-grace.ts). */
  readonly inSyncImport = (): boolean => {
    const importing = this.generation.bundleUrl !== undefined && !this.generation.loadError && performance.now() - this.#handedAt < GRACE_MS
    return this.generation.threads.some(({ threadId }) => threadId !== -1 && (!this.#booted.has(threadId) || (importing && !this.#ready.has(threadId))))
  }

  /**
   * A worker was handed the bundle and has not said its import ended: it may
   * be stuck in the app's top level (a loop), where it answers nothing, a
   * request for its cleanup included. One whose import ended and waits for a
   * listen() is not: its thread is free.
   */
  readonly importUnfinished = (): boolean =>
    this.#handedAt > Number.NEGATIVE_INFINITY &&
    this.generation.waitingFor === undefined &&
    this.generation.threads.some(({ threadId }) => threadId !== -1 && this.#booted.has(threadId) && !this.#ready.has(threadId))

  /** The generations older than this one have ended (workers/port-retry.ts). */
  olderEnded(): void {
    this.#post({ type: 'older-ended' })
  }

  /** The generation ends: nothing more is sent, no timer is left. */
  close(): void {
    this.#stagger.stop()
  }

  #address(): { serverAddress?: WorkerData['serverAddress'] } {
    return this.generation.serverAddress && !this.#bootedWithAddress ? { serverAddress: this.generation.serverAddress } : {}
  }

  #post(message: ControlMessage): void {
    if (this.state.destroyed()) return
    if (message.type === 'load') this.#handedAt = performance.now()
    for (const lane of this.state.lanes()) lane.control(message)
  }
}
