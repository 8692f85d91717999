// An uncaught exception outside any request (a socket's 'data' callback of a
// pool opened at import, a module's timer) does not fail a request, but a
// request may be waiting on what threw: the query whose reply the callback
// could not parse never settles, and its request waits until --timeout. That
// 504 alone would guess "a promise that never settles?"; it points back to
// the exception instead, so the main thread keeps, per worker, the last one
// (workers report them: workers/late-errors.ts). And a request answered 504
// whose handler still awaits stays on its worker's lane until it settles:
// it is no longer in flight for the client, and is not counted as running.
import type { ErrorData } from './protocol.js'
import type { Generation } from './generation.js'

interface Stray {
  at: number
  /** Its place among all such errors (strayMark()). */
  seq: number
  error: ErrorData
}

/** How many such errors there have been: a request notes this as it begins (no clock read on every request's path). */
let seen = 0

/** Per generation, per thread: the last uncaught exception outside any request. */
const strays = new WeakMap<Generation, Map<number, Stray>>()
/** Per generation: requests answered (504) whose handler has not finished on its worker. */
const answered = new WeakMap<Generation, Set<number>>()

/** An uncaught exception (or a rejection nobody handled) outside any request on `threadId`, now. */
export function recordStray(generation: Generation, threadId: number, error: ErrorData): void {
  const threads = strays.get(generation) ?? new Map<number, Stray>()
  strays.set(generation, threads)
  threads.set(threadId, { at: performance.now(), seq: ++seen, error })
}

/** Where the errors stand now: straySince() takes errors after this mark. */
export function strayMark(): number {
  return seen
}

/** The last such error on `threadId` after `mark` (strayMark()), and how long ago. */
export function straySince(generation: Generation, threadId: number, mark: number): { error: ErrorData; agoMs: number } | undefined {
  const stray = strays.get(generation)?.get(threadId)
  return stray && stray.seq > mark ? { error: stray.error, agoMs: performance.now() - stray.at } : undefined
}

/** Request `id` was answered by hotcell (504) while its handler still runs on its worker. */
export function answeredEarly(generation: Generation, id: number): void {
  const ids = answered.get(generation) ?? new Set<number>()
  answered.set(generation, ids)
  ids.add(id)
}

/** Its handler finished (or its worker ended) after all. */
export function finishedLate(generation: Generation, id: number): void {
  answered.get(generation)?.delete(id)
}

/** How many of these requests (by id) were answered already: off the hot path. */
export function countAnswered(generation: Generation, ids: Iterable<number>): number {
  const set = answered.get(generation)
  if (!set || set.size === 0) return 0
  let n = 0
  for (const id of ids) if (set.has(id)) n++
  return n
}

/** `METHOD url` of the requests begun on `threadId` and not answered yet. */
export function runningOn(generation: Generation, threadId: number): string[] {
  const lane = [...generation.lanes()].find((l) => l.threadId === threadId)
  if (!lane) return []
  const all = new Map<number, string>()
  lane.collectRequests(all)
  const set = answered.get(generation)
  return [...all].filter(([id]) => lane.started(id) && !set?.has(id)).map(([, label]) => label)
}
