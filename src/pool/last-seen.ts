// Where a worker was last seen running JavaScript without a break (the busy
// line's look, busy-workers.ts). A handler that allocates in a loop until
// V8's heap limit has its worker die with ERR_WORKER_OUT_OF_MEMORY, often
// before --timeout would have stopped it: the 502 then said nothing of where
// it was, though the busy line had found it. Its requests' error says it
// (worker-tracker.ts). Kept by lane: one per worker, gone with it.
import type { Lane } from './lane.js'

const seen = new WeakMap<Lane, { location: string; at: number }>()

/** `location`: `src/app.ts:4:5 in fetch()`. */
export function sawRunning(lane: Lane, location: string): void {
  seen.set(lane, { location, at: performance.now() })
}

/** " It was last seen running JavaScript at src/app.ts:4:5 in fetch(), 30.1 s before.", or ''. */
export function lastSeenLine(lane: Lane): string {
  const last = seen.get(lane)
  if (!last) return ''
  return ` It was last seen running JavaScript at ${last.location}, ${((performance.now() - last.at) / 1000).toFixed(1)} s before.`
}
