// Requests on their way to a worker of one generation: each goes to the
// least busy worker that can take it, or waits here, in arrival order, while
// every worker is full or none has its lane up yet.
import { QueueFullError } from '../errors.js'
import type { Lane, Waiter } from './lane.js'
import type { RequestTask } from './protocol.js'
import { pickWorker } from './worker-choice.js'

// Requests per worker before they wait for one: handlers are async and mostly wait.
const TASKS_PER_WORKER = 256
export const MAX_QUEUE = 1024

export interface RequestQueueOptions {
  /** The workers' lanes that are up. */
  lanes(): Iterable<Lane>
  /** Has this thread imported the bundle? */
  isReady(threadId: number): boolean
  tasksPerWorker?: number | undefined
  /** Waiting requests beyond this are refused with QueueFullError. */
  max?: number | undefined
}

interface Waiting {
  task: RequestTask
  waiter: Waiter
}

export class RequestQueue {
  #waiting: Waiting[] = []
  readonly #lanes: () => Iterable<Lane>
  readonly #isReady: (threadId: number) => boolean
  readonly #tasksPerWorker: number
  readonly #max: number

  constructor(options: RequestQueueOptions) {
    this.#lanes = options.lanes
    this.#isReady = options.isReady
    this.#tasksPerWorker = options.tasksPerWorker ?? TASKS_PER_WORKER
    this.#max = options.max ?? MAX_QUEUE
  }

  /** Send the request now if none waits ahead of it and a worker can take it; otherwise queue it, or reject it with QueueFullError. */
  add(task: RequestTask, waiter: Waiter): void {
    if (this.#waiting.length === 0 && this.#send(task, waiter)) return
    if (this.#waiting.length >= this.#max) waiter.reject(new QueueFullError('all workers are busy and the queue is full'))
    else this.#waiting.push({ task, waiter })
  }

  get size(): number {
    return this.#waiting.length
  }

  /** Workers have room (a request settled, a lane came up or closed): send waiting requests, oldest first, while one can take them. */
  dispatch(): void {
    while (this.#waiting.length > 0) {
      const { task, waiter } = this.#waiting[0]!
      if (!this.#send(task, waiter)) return
      this.#waiting.shift()
    }
  }

  /** Take request `id` out of the queue: its waiter, or undefined when it is not waiting here. */
  remove(id: number): Waiter | undefined {
    const at = this.#waiting.findIndex((w) => w.task.id === id)
    return at >= 0 ? this.#waiting.splice(at, 1)[0]!.waiter : undefined
  }

  /** Fail every waiting request, each with an error of its own, and empty the queue. */
  rejectAll(error: () => Error): void {
    for (const waiting of this.#waiting.splice(0)) waiting.waiter.reject(error())
  }

  /** Give the request to the least busy worker that can take it; false when none can. */
  #send(task: RequestTask, waiter: Waiter): boolean {
    const lane = pickWorker(this.#lanes(), this.#isReady, this.#tasksPerWorker)
    if (!lane) return false
    lane.send(task, waiter)
    return true
  }
}
