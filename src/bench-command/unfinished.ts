import type { LoadStats } from './run-load.js'

// A closed-loop run always ends with about one request per connection in
// flight, each as old as a response usually takes: cut off by the end, not
// failed. One that had waited longer than a second, and longer than the
// slowest response that did finish, was stuck (a handler that never answers,
// or slower than -d); counted, it keeps a stuck side from looking clean.
const STUCK_AFTER_MS = 1000

/**
 * How many requests were stuck when the run ended at `endedAt` (Date.now()),
 * from the arrival times of the requests the server saw its client leave
 * unanswered. Requests that arrived after the end (the drain's) are not the run's.
 * When no response finished at all, every request still waiting counts.
 */
export function countUnfinished(arrivals: readonly number[], endedAt: number, stats: LoadStats): number {
  const finished = stats.requests + stats.unexpected
  const limit = Math.max(STUCK_AFTER_MS, stats.latencyMs.max)
  return arrivals.filter((at) => at < endedAt && (finished === 0 || endedAt - at > limit)).length
}
