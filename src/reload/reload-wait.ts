// The change not served yet, and what its reload's wait is made of: the time
// from its first save to the start of the build that serves it. The reload
// line shows that wait, so that its parts add up to "serving … after the
// change". With saves 100 ms apart on a busy 2-core machine a line read
// "build 17.3 ms · load 43.9 ms · … serving 271.9 ms after the change": 18 ms
// went on the reload running as the save came, and 192 ms on a build of this
// change that waited for a worker to boot and was given up for the next save
// (the follow-up is timed from the first save it serves).

/** What a reload's wait was made of (each 0 when it did not happen). */
export interface WaitParts {
  /** A reload of earlier saves was running when this change came: it was waited for. */
  behindMs: number
  /** Builds of this change given up for later writes (a save after it, the rest of a save-all), built again with them; their time. */
  givenUp: number
  givenUpMs: number
  /** Builds given up for late events of the writes they had read (sed -i, a rename: one save, several events); their time. */
  echoMs: number
  /** A flood of writes: the build waited for them to be quiet (scheduler.ts). */
  quietMs: number
}

/** One reload of the pending change: `startedAt` is what its `waitMs` and `totalMs` are timed from. */
export interface Attempt {
  readonly startedAt: number
  readonly ranFrom: number
  readonly parts: WaitParts
}

const NONE: WaitParts = { behindMs: 0, givenUp: 0, givenUpMs: 0, echoMs: 0, quietMs: 0 }

export class PendingChange {
  /** When its first save came (performance.now()); 0: nothing pending. */
  #since = 0
  /** A reload was running as it came. */
  #behind = false
  /** Carried from the reloads of it given up so far. */
  #carried: WaitParts = NONE

  /** A save (or reload()) came; `reloading`: a reload runs now. True if it is the first one pending. */
  came(reloading: boolean): boolean {
    if (this.#since) return false
    this.#since = performance.now()
    this.#behind = reloading
    return true
  }

  /** A reload of what is pending begins; `quietMs`: the scheduler waited that long for quiet first. */
  begin(quietMs: number): Attempt {
    const ranFrom = performance.now()
    const startedAt = this.#since
    const carried = this.#carried
    // The reload before: from the first save to the first reload of it, less any wait for quiet after that reload ended.
    const behindMs = carried === NONE && this.#behind ? Math.max(0, ranFrom - startedAt - quietMs) : carried.behindMs
    this.#since = 0
    this.#carried = NONE
    return { startedAt, ranFrom, parts: { ...carried, behindMs, quietMs: carried.quietMs + quietMs } }
  }

  /**
   * `attempt` is not served: its files are built again, timed from its first save; saves since then join it.
   * `echo`: what made it stale were only late events of the files it read, unchanged since it began: not a later write.
   */
  again(attempt: Attempt, echo = false): void {
    const { parts } = attempt
    const ms = performance.now() - attempt.ranFrom
    this.#since = attempt.startedAt
    this.#carried = echo ? { ...parts, echoMs: parts.echoMs + ms } : { ...parts, givenUp: parts.givenUp + 1, givenUpMs: parts.givenUpMs + ms }
  }
}
