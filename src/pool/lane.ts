// The main thread's end of one worker's request lane: a MessagePort of its
// own, so that a request costs one structured clone each way and nothing
// else. piscina's per-task machinery (an AsyncResource, a balancer run,
// timing, two microtasks, the module filename in every message) cost more
// than the hop itself on a hello handler; piscina still starts, replaces and
// ends the workers.
//
// Requests of one event-loop turn go out as one message, and so do the
// worker's replies: waking the other thread, not the bytes, is what a message
// costs. A flush is scheduled with setImmediate, which runs after every
// socket read of the same poll phase, so a single request waits for nothing.
//
// Requests in flight sit in numbered slots of arrays that live as long as the
// lane, and replies name the slot. A Map would do the same job, but one that
// keeps adding and deleting rehashes into a new table every few dozen
// requests, and V8 links the old table to the new one; once a table has
// reached the old generation, every young-generation collection kept what
// the dead tables pointed to: 45 % of the main thread's young objects
// survived, and collecting them cost more than the request path itself.
import type { MessagePort } from 'node:worker_threads'
import {
  PROGRESS,
  REPLY,
  REPLY_FIELDS,
  type ErrorData,
  type ControlMessage,
  type FailurePhase,
  type LaneAbort,
  type LaneControl,
  type LaneReplies,
  type LaneRequests,
  type RequestTask,
} from './protocol.js'
import { holdsRequests, releasesRequests, type RequestHolder } from './running-requests.js'
import { ArenaReader, isArenaMessage, type LentBody } from './body-arena.js'
import type { ArenaMessage } from './arena-layout.js'
import type { Waiter } from './waiter.js'

export type { Waiter }

export class Lane implements RequestHolder {
  readonly #port: MessagePort
  readonly #progress: Int32Array
  // One entry per slot; a free slot holds undefined and is on #free.
  readonly #waiters: Array<Waiter | undefined> = []
  /** The request, for its id and for naming it (`METHOD url`) when its worker is stuck. */
  readonly #tasks: Array<RequestTask | undefined> = []
  /** Position on this lane; the worker counts the same way, in the same order. */
  readonly #seqs: number[] = []
  readonly #free: number[] = []
  #count = 0
  #outbox: LaneRequests = []
  #transfer: ArrayBuffer[] = []
  #flushing = false
  #sent = 0
  #closed = false
  /** The worker's body arena, once it sent one (body-arena.ts). */
  #arena: ArenaReader | undefined

  constructor(
    readonly threadId: number,
    port: MessagePort,
    progress: SharedArrayBuffer,
    /** Requests left this lane (answered or failed): others may take their place. Called once per batch. */
    readonly onSettled: () => void,
  ) {
    this.#port = port
    this.#progress = new Int32Array(progress)
    port.on('message', (replies: LaneReplies | ArenaMessage) => {
      if (isArenaMessage(replies)) this.#arena = new ArenaReader(replies)
      else this.#receive(replies)
    })
    // Without this the port would keep a finished server alive.
    port.unref()
    holdsRequests(this)
  }

  /** Requests sent and not answered yet. */
  get load(): number {
    return this.#count
  }

  // What the least-busy choice reads (worker-choice.ts).
  get id(): number {
    return this.threadId
  }

  get currentUsage(): number {
    return this.#count
  }

  send(task: RequestTask, waiter: Waiter): void {
    if (this.#closed) {
      waiter.reject(new Error('worker exited with code: 1'))
      return
    }
    const slot = this.#free.length > 0 ? this.#free.pop()! : this.#waiters.length
    this.#waiters[slot] = waiter
    this.#tasks[slot] = task
    this.#seqs[slot] = ++this.#sent
    this.#count++
    this.#outbox.push(task.id, slot, task.method, task.url, task.headers, task.body, task.remoteAddress, task.remotePort)
    if (task.body) this.#transfer.push(task.body)
    if (!this.#flushing) {
      this.#flushing = true
      setImmediate(this.#flush)
    }
  }

  abort(id: number, reason: LaneAbort['reason']): void {
    if (this.#closed || this.#slotOf(id) < 0) return
    // The request may still be in the outbox: it must reach the worker first.
    this.#flush()
    const message: LaneAbort = { abort: id, reason }
    this.#port.postMessage(message)
  }

  /** After the requests sent so far: a `load` must not overtake requests that came before it. */
  control(control: ControlMessage): void {
    if (this.#closed) return
    this.#flush()
    const message: LaneControl = { control }
    this.#port.postMessage(message)
  }

  has(id: number): boolean {
    return this.#slotOf(id) >= 0
  }

  /** The ctx.waitUntil() promises pending on this thread. */
  get backgroundWork(): number {
    return Atomics.load(this.#progress, PROGRESS.waiting)
  }

  /** Has the worker begun request `id`? False while it waits behind others (a stuck one, say). */
  started(id: number): boolean {
    const slot = this.#slotOf(id)
    return slot >= 0 && this.#begun() >= this.#seqs[slot]!
  }

  /** The lane position of the last request the worker began (or that takeBack() took back). */
  #begun(): number {
    const seq = Atomics.load(this.#progress, PROGRESS.seq)
    return seq >= 0 ? seq : -seq - 1
  }

  /**
   * Take back the requests the worker has not begun, each given to `again`
   * (one with a body, which went to the worker, fails instead): the worker
   * skips them when it gets to them. A reload's standby whose import takes
   * longer than a request is held (src/reload/save-hold.ts). The worker
   * begins a request by moving PROGRESS.seq from the one before to it
   * (workers/lane.ts started()); this swaps in "taken back up to here"
   * (negative) instead, so exactly one side has each request.
   */
  takeBack(again: (task: RequestTask, waiter: Waiter) => void): void {
    if (this.#closed) return
    const last = this.#sent
    let begun: number
    for (;;) {
      const seq = Atomics.load(this.#progress, PROGRESS.seq)
      begun = seq >= 0 ? seq : -seq - 1
      if (begun >= last) return
      if (Atomics.compareExchange(this.#progress, PROGRESS.seq, seq, -last - 1) === seq) break
    }
    // Those still in the outbox go too: the worker numbers requests as they arrive, and skips these.
    const taken: Array<[RequestTask, Waiter]> = []
    for (let slot = 0; slot < this.#waiters.length; slot++) {
      const waiter = this.#waiters[slot]
      const task = this.#tasks[slot]
      if (!waiter || !task || this.#seqs[slot]! <= begun) continue
      this.#release(slot)
      taken.push([task, waiter])
    }
    for (const [task, waiter] of taken) {
      if (task.body) waiter.reject(new Error('The request was sent to a worker that never began it'))
      else again(task, waiter)
    }
    this.onSettled()
  }

  /** Requests sent and not begun yet: they wait behind what the worker runs now. Off the hot path (busy-workers.ts). */
  get waiting(): number {
    const begun = this.#begun()
    let waiting = 0
    for (let slot = 0; slot < this.#tasks.length; slot++) if (this.#tasks[slot] && this.#seqs[slot]! > begun) waiting++
    return waiting
  }

  /** The request that began last on this thread, if it is still in flight (and who waits for it): a stuck thread is stuck in it. */
  lastStarted(): { id: number; label: string; waiter: Waiter } | undefined {
    const id = Atomics.load(this.#progress, PROGRESS.id)
    const slot = this.#slotOf(id)
    const task = this.#tasks[slot]
    return task && { id, label: `${task.method} ${task.url}`, waiter: this.#waiters[slot]! }
  }

  /**
   * The worker is gone: fail every request it had, each with `error(id)`.
   * `again`: given each request the worker had not begun and that has no body
   * (its bytes went to the worker), to send elsewhere instead.
   */
  close(error: (id: number) => Error, again?: (task: RequestTask, waiter: Waiter) => void): void {
    if (this.#closed) return
    this.#closed = true
    this.#port.close()
    releasesRequests(this)
    const begun = this.#begun()
    const failed: Array<[Waiter, number]> = []
    for (let slot = 0; slot < this.#waiters.length; slot++) {
      const waiter = this.#waiters[slot]
      const task = this.#tasks[slot]
      if (!waiter || !task) continue
      if (again && this.#seqs[slot]! > begun && !task.body) {
        again(task, waiter)
        continue
      }
      failed.push([waiter, task.id])
    }
    this.#waiters.length = 0
    this.#tasks.length = 0
    this.#free.length = 0
    this.#count = 0
    for (const [waiter, id] of failed) waiter.reject(error(id))
    this.onSettled()
  }

  collectRequests(into: Map<number, string>): void {
    for (const task of this.#tasks) if (task) into.set(task.id, `${task.method} ${task.url}`)
  }

  // Off the hot path (aborts, timeouts): a scan of at most the requests in flight here.
  #slotOf(id: number): number {
    for (let slot = 0; slot < this.#tasks.length; slot++) if (this.#tasks[slot]?.id === id) return slot
    return -1
  }

  #release(slot: number): void {
    this.#waiters[slot] = undefined
    this.#tasks[slot] = undefined
    this.#free.push(slot)
    this.#count--
  }

  readonly #flush = (): void => {
    this.#flushing = false
    if (this.#closed || this.#outbox.length === 0) return
    const batch = this.#outbox
    const transfer = this.#transfer
    this.#outbox = []
    this.#transfer = []
    this.#port.postMessage(batch, transfer)
  }

  /** A number names the body's first slot in the worker's arena. */
  #body(body: ArrayBuffer | string | number | null): ArrayBuffer | string | LentBody | null {
    return typeof body === 'number' ? this.#arena!.lend(body) : body
  }

  #receive(replies: LaneReplies): void {
    let settled = false
    for (let i = 0; i < replies.length; i += REPLY_FIELDS) {
      const slot = replies[i + 1] as number
      const waiter = this.#waiters[slot]
      // Never another request's reply: a slot is reused only after its final reply.
      if (!waiter || this.#tasks[slot]!.id !== replies[i + 2]) {
        if (replies[i] === REPLY.response && typeof replies[i + 6] === 'number') this.#arena?.lend(replies[i + 6] as number).release()
        continue
      }
      switch (replies[i]) {
        case REPLY.response:
          this.#release(slot)
          settled = true
          waiter.resolve({
            kind: 'response',
            threadId: this.threadId,
            status: replies[i + 3] as number,
            statusText: replies[i + 4] as string,
            headers: replies[i + 5] as string[],
            body: this.#body(replies[i + 6] as ArrayBuffer | string | number | null),
          })
          break
        case REPLY.failed:
          this.#release(slot)
          settled = true
          waiter.resolve({ kind: 'failed', threadId: this.threadId, phase: replies[i + 3] as FailurePhase, error: replies[i + 4] as ErrorData })
          break
        case REPLY.stream: {
          const port = replies[i + 3] as MessagePort
          if (waiter.onStream) waiter.onStream(port, this.threadId)
          else port.close()
          break
        }
        case REPLY.streamed:
          this.#release(slot)
          settled = true
          waiter.resolve({ kind: 'streamed', threadId: this.threadId })
          break
      }
    }
    if (settled) this.onSettled()
  }
}
