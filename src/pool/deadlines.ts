// Per-request deadlines without a timer per request. A setTimeout and its
// clearTimeout cost ~480 ns a request (a Timeout object, a call into C++ for
// libuv's clock, the timer list's bookkeeping), a quarter of what hotcell's
// main thread spent on a request beyond a bare thread hop (bench/throughput
// 'hop'). Requests in flight are linked into one list in the order they
// began, through fields of their own object (no allocation, no Map), and a
// single interval, running only while the list is not empty, expires the
// oldest ones.
//
// The clock is the interval's own tick count, so starting a request reads no
// clock either. A deadline is due some time between `timeoutMs` and
// `timeoutMs` plus one period after its request began, by the event loop's
// clock, as a setTimeout is (that clock is read once per loop turn, so both
// can fire up to a turn's length early by a clock read in between).

/** What a list entry carries; Deadlines owns these fields. */
export interface Expiring {
  newer: Expiring | undefined
  older: Expiring | undefined
  /** The tick at which it expires; -1 when it is not in a list. */
  due: number
}

// A period of a sixteenth of the timeout, within these bounds: a 30 s timeout
// fires within 250 ms of its time; a short one (tests, --timeout 100ms)
// within a few ms.
const MAX_PERIOD_MS = 250
const MIN_PERIOD_MS = 2

export class Deadlines<T extends Expiring> {
  #oldest: T | undefined = undefined
  #newest: T | undefined = undefined
  #tick = 0
  #timer: NodeJS.Timeout | undefined = undefined
  readonly #periodMs: number
  readonly #ticks: number

  constructor(
    timeoutMs: number,
    readonly onExpire: (entry: T) => void,
    /** Called after each sweep, the last one too (it leaves the list empty): a look at the requests still in flight, at no cost to each. */
    readonly onTick?: (list: Deadlines<T>) => void,
  ) {
    // Whole milliseconds: libuv's timers are, and 3.75 would tick every 3 ms.
    this.#periodMs = Math.min(MAX_PERIOD_MS, Math.max(MIN_PERIOD_MS, Math.floor(timeoutMs / 16)))
    // An entry added just before a tick has waited a whole period less than
    // one added just after it: one period more keeps both from expiring early.
    this.#ticks = Math.ceil(timeoutMs / this.#periodMs) + 1
  }

  add(entry: T): void {
    entry.due = this.#tick + this.#ticks
    entry.older = this.#newest
    entry.newer = undefined
    if (this.#newest) this.#newest.newer = entry
    else this.#oldest = entry
    this.#newest = entry
    // Referenced, as a timer per request was: a request in flight keeps the process up.
    this.#timer ??= setInterval(this.#sweep, this.#periodMs)
  }

  /** The entry added first, of those still in the list; `newer` leads to the others. */
  get oldest(): T | undefined {
    return this.#oldest
  }

  /** How long `entry` has been in the list, at least (whole periods). */
  ageMs(entry: T): number {
    return Math.max(0, this.#tick - (entry.due - this.#ticks) - 1) * this.#periodMs
  }

  /** Take `entry` out; nothing happens if it is not in the list (expired, or removed before). */
  remove(entry: T): void {
    if (entry.due < 0) return
    entry.due = -1
    if (entry.older) entry.older.newer = entry.newer
    else this.#oldest = entry.newer as T | undefined
    if (entry.newer) entry.newer.older = entry.older
    else this.#newest = entry.older as T | undefined
    entry.newer = entry.older = undefined
  }

  readonly #sweep = (): void => {
    this.#tick++
    // Oldest first: the first one not due ends the sweep.
    while (this.#oldest && this.#oldest.due <= this.#tick) {
      const entry = this.#oldest
      this.remove(entry)
      this.onExpire(entry)
    }
    if (!this.#oldest) {
      clearInterval(this.#timer)
      this.#timer = undefined
    }
    this.onTick?.(this)
  }
}
