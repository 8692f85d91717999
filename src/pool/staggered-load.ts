// One worker imports a new bundle first and serves; the others import it once
// that worker's first response is out, or shortly after it was ready. On a
// machine with few cores the imports beside it (and beside the old generation
// still serving) only slow down the one the swap waits for.

// After the leading worker is ready, the others wait at most this long for its first response.
const REST_AFTER_READY_MS = 20
// The leading worker may die while importing: the others must not wait forever.
const REST_AT_THE_LATEST_MS = 2_000

export class StaggeredLoad {
  /** The one worker importing the bundle while the others wait. */
  #leader: number | undefined
  #restTimer: NodeJS.Timeout | undefined

  /** `onRestDue`: time is up for the others to wait; it calls `release()` and sends them the bundle. */
  constructor(private readonly onRestDue: () => void) {}

  /** A worker is importing the bundle ahead of the others, who wait. */
  get leading(): boolean {
    return this.#leader !== undefined
  }

  /** A new bundle goes to `threadId` first; undefined: to every worker at once. */
  lead(threadId: number | undefined): void {
    this.#leader = threadId
    if (threadId !== undefined) this.#restIn(REST_AT_THE_LATEST_MS)
  }

  /** May this worker import the bundle now, or does it wait its turn? */
  mayLoad(threadId: number): boolean {
    return this.#leader === undefined || this.#leader === threadId
  }

  /** A worker finished importing: if it leads, the others follow soon. */
  ready(threadId: number): void {
    if (threadId === this.#leader) this.#restIn(REST_AFTER_READY_MS)
  }

  /** The others may import now. False when no worker was leading (they already may). */
  release(): boolean {
    if (this.#leader === undefined) return false
    this.#leader = undefined
    clearTimeout(this.#restTimer)
    return true
  }

  stop(): void {
    clearTimeout(this.#restTimer)
  }

  #restIn(ms: number): void {
    clearTimeout(this.#restTimer)
    this.#restTimer = setTimeout(this.onRestDue, ms)
    this.#restTimer.unref()
  }
}
