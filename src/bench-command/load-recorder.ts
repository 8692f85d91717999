// What a load generator's thread counts while it runs: every response time (a
// float, for exact percentiles at any speed; of every status), statuses, bytes, errors, one
// good-response count per second, and the CPU the thread itself used.
import { readFileSync } from 'node:fs'
import type { LoadMessage, RawLoadResult } from './load-protocol.js'

export class LoadRecorder {
  #latencies = new Float64Array(1 << 16)
  #recorded = 0
  #good = 0
  #bad = 0
  #completed = 0
  #lastSecond = 0
  #perSecond: number[] = []
  #statuses: Record<string, number> = {}
  #started = performance.now()
  #cpuAtStart = threadCpuMs()
  #ticker: ReturnType<typeof setInterval>
  errors = 0
  timeouts = 0
  /** What the generator read, heads included; set by it (load-worker.ts reads its sockets' counts once, at the end). */
  bytes = 0

  constructor(
    readonly expectStatus: number | undefined,
    post: (message: LoadMessage) => void,
  ) {
    this.#ticker = setInterval(() => {
      this.#perSecond.push(this.#good - this.#lastSecond)
      this.#lastSecond = this.#good
      post({ type: 'tick', elapsedMs: performance.now() - this.#started, perSecond: this.#perSecond.at(-1)! })
    }, 1000)
  }

  /** One complete response, `ms` after its request was sent. */
  response(status: number, ms: number): void {
    this.#completed++
    this.#statuses[status] = (this.#statuses[status] ?? 0) + 1
    const expected = this.expectStatus === undefined ? status >= 200 && status < 300 : status === this.expectStatus
    if (expected) this.#good++
    else this.#bad++
    // Every response's time, whatever its status, as wrk records them: a 504 after 1 s is a second a client waited.
    if (this.#recorded === this.#latencies.length) {
      const bigger = new Float64Array(this.#latencies.length * 2)
      bigger.set(this.#latencies)
      this.#latencies = bigger
    }
    this.#latencies[this.#recorded++] = ms
  }

  /** Stops the clock and the per-second samples; `durationS` is the wall time since construction unless given. */
  finish(durationS = (performance.now() - this.#started) / 1000): RawLoadResult {
    clearInterval(this.#ticker)
    const cpu = threadCpuMs()
    return {
      durationS,
      completed: this.#completed,
      good: this.#good,
      bad: this.#bad,
      errors: this.errors,
      timeouts: this.timeouts,
      bytes: this.bytes,
      statuses: this.#statuses,
      perSecond: this.#perSecond,
      latenciesMs: this.#latencies.slice(0, this.#recorded).sort(),
      generatorCpuMs: cpu === null || this.#cpuAtStart === null ? null : cpu - this.#cpuAtStart,
    }
  }
}

/**
 * CPU time of the calling thread (user + system), in ms; null where neither
 * `process.threadCpuUsage()` (Node >= 23.9) nor Linux's /proc/thread-self exists.
 * process.cpuUsage() would count the server's threads too.
 */
export function threadCpuMs(): number | null {
  const own = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage
  if (own) {
    const { user, system } = own()
    return (user + system) / 1000
  }
  try {
    // Fields 14 and 15 (utime, stime) in clock ticks of 1/100 s (Linux's USER_HZ); the name in field 2 may hold spaces, so count after ')'.
    const stat = readFileSync('/proc/thread-self/stat', 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return null
  }
}
