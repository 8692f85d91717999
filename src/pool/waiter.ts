// Who waits for a request's outcome, wherever the request is: queued
// (request-queue.ts), in a worker's lane (lane.ts), or being given back.
import type { MessagePort } from 'node:worker_threads'
import type { TaskResult } from './protocol.js'

/** Who waits for a request's outcome. */
export interface Waiter {
  resolve(result: TaskResult): void
  reject(error: Error): void
  /** The response streams over `port` (stream-pipe.ts), from worker `threadId`. */
  onStream?: ((port: MessagePort, threadId: number) => void) | undefined
}
