import { Worker } from 'node:worker_threads'
import type { LoadJob, LoadMessage, RawLoadResult } from './load-protocol.js'
import { percentile } from './stats.js'
import { AbortError } from '../errors.js'

export type { LoadJob } from './load-protocol.js'

/** The figures of one timed run, all derived from what the generator saw. */
export interface LoadStats {
  durationS: number
  /** Expected-status responses per second over the whole run (their count / duration; wrk's own figure counts every response). */
  reqPerSec: number
  /** Mean and standard deviation of the per-second samples; null when the generator gives none (wrk). */
  reqPerSecMean: number | null
  reqPerSecStdev: number | null
  requests: number
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number }
  /**
   * Set when wrk's correction for coordinated omission changed its latency figures
   * (wrk-load.ts): for each response slower than twice this interval (its mean time
   * between responses on a connection, ms) it added samples at that time minus 1,
   * 2, … intervals, the waits of the requests a client sending on schedule would
   * have sent meanwhile. The percentiles then describe that client, not the
   * responses. Null: they are the responses' own (always with undici).
   */
  latencyCorrectionMs: number | null
  errors: number
  timeouts: number
  /** Responses whose status was not the expected one (non-2xx by default). */
  unexpected: number
  /** Responses by status; null when the generator does not count them (wrk: only whether each was the expected one, `unexpected`). */
  statuses: Record<string, number> | null
  /** Whole responses as read from the socket (status line, headers, body), per second: what wrk counts, and the undici generator too. */
  bytesPerSec: number
  /** CPU time the generator itself used (its thread, or wrk's process): on a machine with few cores it is taken from the server. */
  generatorCpuMs: number | null
}

/** Drive `job` from a fresh worker thread; `onTick` gets a live figure once a second. `signal`: its abort ends the thread and rejects with an AbortError. */
export function runLoad(
  job: LoadJob,
  onTick?: (elapsedMs: number, perSecond: number) => void,
  // From the folder above: the CLI is bundled into src/cli/ (npm run build), this module with it.
  script = new URL('../bench-command/load-worker.js', import.meta.url),
  signal?: AbortSignal,
): Promise<LoadStats> {
  if (signal?.aborted) return Promise.reject(new AbortError(signal.reason))
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { workerData: job })
    let settled = false
    const aborted = () => settle(() => reject(new AbortError(signal?.reason)))
    signal?.addEventListener('abort', aborted, { once: true })
    const settle = (fn: () => void) => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', aborted)
      fn()
      void worker.terminate()
    }
    worker.on('message', (message: LoadMessage) => {
      if (message.type === 'tick') onTick?.(message.elapsedMs, message.perSecond)
      else if (message.type === 'done') settle(() => resolve(summarize(message.result)))
      else settle(() => reject(new Error(`the load generator failed: ${message.message}`)))
    })
    worker.once('error', (error) => settle(() => reject(error)))
    worker.once('exit', (code) => settle(() => reject(new Error(`the load generator exited early (code ${code})`))))
  })
}

export function summarize(raw: RawLoadResult): LoadStats {
  const seconds = raw.durationS > 0 ? raw.durationS : 1
  const samples = raw.perSecond.length ? raw.perSecond : [raw.good / seconds]
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length
  // One per-second sample (a 1 s run) has no spread to report: null, shown as —.
  const variance = samples.length > 1 ? samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (samples.length - 1) : null
  const l = raw.latenciesMs
  return {
    durationS: raw.durationS,
    reqPerSec: raw.good / seconds,
    reqPerSecMean: mean,
    reqPerSecStdev: variance === null ? null : Math.sqrt(variance),
    requests: raw.good,
    latencyMs: {
      mean: l.length ? l.reduce((a, b) => a + b, 0) / l.length : 0,
      p50: percentile(l, 50),
      p90: percentile(l, 90),
      p99: percentile(l, 99),
      max: l.length ? l[l.length - 1]! : 0,
    },
    latencyCorrectionMs: null,
    errors: raw.errors,
    timeouts: raw.timeouts,
    unexpected: raw.bad,
    statuses: raw.statuses,
    bytesPerSec: raw.bytes / seconds,
    generatorCpuMs: raw.generatorCpuMs,
  }
}
