// Messages between run-load.ts (the bench process) and load-worker.ts (the generator's thread).

export interface LoadJob {
  url: string
  method: string
  /** Flat [name, value, …]. */
  headers: string[]
  body: Uint8Array | undefined
  connections: number
  durationMs: number
  expectStatus: number | undefined
}

export interface RawLoadResult {
  /** Wall time of the run as the generator measured it. */
  durationS: number
  completed: number
  /** Responses with the expected status (2xx unless told otherwise). */
  good: number
  bad: number
  errors: number
  timeouts: number
  /** Read from the sockets: whole responses, heads included (socket-bytes.ts). */
  bytes: number
  statuses: Record<string, number>
  /** Good responses in each full second. */
  perSecond: number[]
  /** Response times of good responses, sorted, in ms. */
  latenciesMs: Float64Array
  /** CPU time the generator's own thread used during the run; null where the platform cannot tell. */
  generatorCpuMs: number | null
}

export type LoadMessage = { type: 'tick'; elapsedMs: number; perSecond: number } | { type: 'done'; result: RawLoadResult } | { type: 'failed'; message: string }
