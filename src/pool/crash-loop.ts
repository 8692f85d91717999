/**
 * Counts worker deaths that no request caused: a worker that exits while
 * importing the entry, or while idle (a top-level `setTimeout(process.exit)`).
 * piscina replaces every dead worker at once, so such an entry would respawn
 * and die in a tight loop. Deaths while handling a request are paced by the
 * client (each one is answered 502) and are not counted.
 *
 * The supervisor counts the server process's deaths with the same window.
 */
export class CrashLoopBreaker {
  readonly #times: number[] = []

  constructor(
    /** This many unprompted deaths within `windowMs` trip the breaker. */
    readonly limit = 3,
    readonly windowMs = 10_000,
  ) {}

  /** Deaths recorded within the window, as of the last record(). */
  get recent(): number {
    return this.#times.length
  }

  /** Record one death; true when the deaths now form a loop. */
  record(now = Date.now()): boolean {
    this.#times.push(now)
    while (this.#times.length > 0 && now - this.#times[0]! > this.windowMs) this.#times.shift()
    return this.#times.length >= this.limit
  }
}
