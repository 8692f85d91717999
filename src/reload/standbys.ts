// Generations booted ahead of the next bundle (Node, hotcell's runtime, fetch
// and the app's packages loaded), so that a reload only imports the bundle.
// One is kept while edits are rare. A standby takes 60-100 ms of CPU to boot
// (more on a loaded machine), so when saves come closer than that, the next
// save would wait for the standby still booting: while edits come fast, a
// second one is kept, booted right after the first, and dropped again once
// the edits have paused.
import type { Generation } from '../pool/generation.js'
import { traceReload } from './trace.js'

/** Two swaps closer than this: edits come fast. */
const FAST_MS = 1_000
/**
 * The second standby goes this long after the last swap: before the server's
 * idle heap collection (settle-heap.ts, 5 s after the last reload), which
 * gives memory back only if nothing is allocated around it.
 */
const TRIM_AFTER_MS = 3_000

export class Standbys {
  /** Oldest first: the first is the most likely to be up. */
  #ready: Generation[] = []
  #lastSwapAt = -Infinity
  #fast = false
  #trimTimer: NodeJS.Timeout | undefined
  #closed = false

  constructor(private readonly boot: () => Generation) {}

  /** The next standby, if one was booted; the caller boots another with `topUp()` when it suits it. */
  take(): Generation | undefined {
    return this.#ready.shift()
  }

  /** Give back a standby taken but not used: it is the next one taken. */
  putBack(generation: Generation): void {
    if (this.#closed) void generation.destroy()
    else this.#ready.unshift(generation)
  }

  /** Every standby, e.g. to hand them an address learned after they were booted. */
  get all(): readonly Generation[] {
    return this.#ready
  }

  /** A generation was swapped in: judge the editing pace. */
  swapped(): void {
    const now = performance.now()
    this.#fast = now - this.#lastSwapAt < FAST_MS
    this.#lastSwapAt = now
    clearTimeout(this.#trimTimer)
    if (!this.#fast) return
    this.#trimTimer = setTimeout(() => {
      this.#fast = false
      for (const extra of this.#ready.splice(1)) void extra.destroy()
    }, TRIM_AFTER_MS)
    this.#trimTimer.unref()
  }

  /** Boot standbys up to the number wanted, one after the other (two booting at once on two cores only slows the first). */
  topUp(): void {
    if (this.#closed) return
    const wanted = this.#fast ? 2 : 1
    if (this.#ready.length >= wanted) return
    const booting = this.#ready.at(-1)
    // One that could not boot is replaced by the next reload (reloader.ts), not
    // here: more booted now would fail the same way, one after the other.
    if (booting?.bootError) return
    if (booting && !booting.isBooted) {
      void booting.booted.then(() => this.topUp())
      return
    }
    const standby = this.boot()
    this.#ready.push(standby)
    void standby.booted.then(() => standby.bootError || traceReload('standby', standby.gen))
    if (this.#ready.length < wanted) void this.#ready.at(-1)!.booted.then(() => this.topUp())
  }

  /** End every standby (their process.env is outdated, or the server closes). */
  async drop(): Promise<void> {
    clearTimeout(this.#trimTimer)
    await Promise.all(this.#ready.splice(0).map((g) => g.destroy()))
  }

  async close(): Promise<void> {
    this.#closed = true
    await this.drop()
  }
}
