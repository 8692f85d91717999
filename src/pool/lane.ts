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
import type { MessagePort } from 'node:worker_threads'
import { PROGRESS, REPLY, REPLY_FIELDS, type ErrorData, type FailurePhase, type LaneAbort, type LaneReplies, type LaneRequests, type RequestTask, type TaskResult } from './protocol.js'

export interface Pending {
  /** Position on this lane, set by send(); the worker counts the same way, in the same order. */
  seq: number
  /** The request, for naming it (`METHOD url`) when its worker is stuck. */
  label: RequestTask
  resolve(result: TaskResult): void
  reject(error: Error): void
  /** The response streams over `port` (stream-pipe.ts). */
  onStream: ((port: MessagePort) => void) | undefined
}

export class Lane {
  readonly #port: MessagePort
  readonly #progress: Int32Array
  readonly #pending = new Map<number, Pending>()
  #outbox: LaneRequests = []
  #transfer: ArrayBuffer[] = []
  #flushing = false
  #sent = 0
  #closed = false

  constructor(
    readonly threadId: number,
    port: MessagePort,
    progress: SharedArrayBuffer,
  ) {
    this.#port = port
    this.#progress = new Int32Array(progress)
    port.on('message', (replies: LaneReplies) => this.#receive(replies))
    // Without this the port would keep a finished server alive.
    port.unref()
  }

  /** Requests sent and not answered yet. */
  get load(): number {
    return this.#pending.size
  }

  // What the least-busy choice reads (worker-choice.ts).
  get id(): number {
    return this.threadId
  }

  get currentUsage(): number {
    return this.#pending.size
  }

  send(task: RequestTask, pending: Pending): void {
    if (this.#closed) {
      pending.reject(new Error('worker exited with code: 1'))
      return
    }
    pending.seq = ++this.#sent
    this.#pending.set(task.id, pending)
    this.#outbox.push(task.id, task.method, task.url, task.headers, task.body, task.remoteAddress, task.remotePort)
    if (task.body) this.#transfer.push(task.body)
    if (!this.#flushing) {
      this.#flushing = true
      setImmediate(this.#flush)
    }
  }

  abort(id: number, reason: LaneAbort['reason']): void {
    if (this.#closed || !this.#pending.has(id)) return
    // The request may still be in the outbox: it must reach the worker first.
    this.#flush()
    const message: LaneAbort = { abort: id, reason }
    this.#port.postMessage(message)
  }

  has(id: number): boolean {
    return this.#pending.has(id)
  }

  /** Has the worker begun request `id`? False while it waits behind others (a stuck one, say). */
  started(id: number): boolean {
    const pending = this.#pending.get(id)
    return pending !== undefined && Atomics.load(this.#progress, PROGRESS.seq) >= pending.seq
  }

  /** The request that began last on this thread, if it is still in flight: a stuck thread is stuck in it. */
  lastStarted(): { id: number; label: string } | undefined {
    const id = Atomics.load(this.#progress, PROGRESS.id)
    const pending = this.#pending.get(id)
    return pending && { id, label: `${pending.label.method} ${pending.label.url}` }
  }

  /** The worker is gone: fail every request it had, each with `error(id)`. */
  close(error: (id: number) => Error): void {
    if (this.#closed) return
    this.#closed = true
    this.#port.close()
    const pending = [...this.#pending]
    this.#pending.clear()
    for (const [id, p] of pending) p.reject(error(id))
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

  #receive(replies: LaneReplies): void {
    for (let i = 0; i < replies.length; i += REPLY_FIELDS) {
      const id = replies[i + 1] as number
      const pending = this.#pending.get(id)
      if (!pending) continue
      switch (replies[i]) {
        case REPLY.response:
          this.#pending.delete(id)
          pending.resolve({
            kind: 'response',
            threadId: this.threadId,
            status: replies[i + 2] as number,
            statusText: replies[i + 3] as string,
            headers: replies[i + 4] as string[],
            body: replies[i + 5] as ArrayBuffer | string | null,
          })
          break
        case REPLY.failed:
          this.#pending.delete(id)
          pending.resolve({ kind: 'failed', threadId: this.threadId, phase: replies[i + 2] as FailurePhase, error: replies[i + 3] as ErrorData })
          break
        case REPLY.stream: {
          const port = replies[i + 2] as MessagePort
          if (pending.onStream) pending.onStream(port)
          else port.close()
          break
        }
        case REPLY.streamed:
          this.#pending.delete(id)
          pending.resolve({ kind: 'streamed', threadId: this.threadId })
          break
      }
    }
  }
}
