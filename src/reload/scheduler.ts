/**
 * Decides when to rebuild. A save builds at once (after `debounceMs`, which
 * only merges the events of one editor operation), whatever the time since
 * the last build: people and their tools save at any pace (format-on-save
 * right after a save, an agent editing a file every 50 ms), and each save
 * should be served as soon as it can be. Events that arrive during a build
 * cause one follow-up, started as soon as that build ends: the running build
 * may have read the files before they changed, so the last save is never lost.
 *
 * Only when builds keep going stale (`burstAfter` follow-ups in a row, each
 * with more events arriving while it ran) is a burst under way — a git
 * checkout, a formatter rewriting 100 files — and each build would be stale
 * before it served: the next one then waits until the events have been quiet
 * for `settleMs`, or `maxWaitMs` at most, so that an endless stream of writes
 * is still served now and then.
 */
export interface ReloadScheduler {
  /** A file changed (or a reload was asked for). */
  trigger(reason: string): void
  /** Resolves when no build is running or scheduled. */
  idle(): Promise<void>
  /** Triggers arrived that the running build does not cover: its result is already stale. */
  hasPending(): boolean
  stop(): void
}

export interface SchedulerOptions {
  debounceMs: number
  settleMs: number
  /** Follow-ups in a row after which a burst is assumed. Default 3. */
  burstAfter?: number
  /** The longest a burst delays a build. Default 1000 ms. */
  maxWaitMs?: number
  /** Runs one build-and-swap; `reasons` are the triggers it covers. */
  run(reasons: string[]): Promise<void>
}

export function createReloadScheduler({ debounceMs, settleMs, burstAfter = 3, maxWaitMs = 1_000, run }: SchedulerOptions): ReloadScheduler {
  let reasons: string[] = []
  let timer: NodeJS.Timeout | undefined
  // The armed timer waits for quiet (a burst) rather than merging one operation.
  let settling = false
  // When the first event of a settling wait arrived: the wait ends maxWaitMs later at the latest.
  let settlingSince = 0
  let running: Promise<void> | undefined
  // Builds in a row that had events arrive while they ran.
  let followUps = 0
  let stopped = false
  let idleWaiters: (() => void)[] = []

  const arm = (settle: boolean) => {
    if (settle && !settling) settlingSince = performance.now()
    settling = settle
    clearTimeout(timer)
    const wait = settle ? Math.max(0, Math.min(settleMs, settlingSince + maxWaitMs - performance.now())) : debounceMs
    timer = setTimeout(fire, wait)
  }
  const fire = () => {
    timer = undefined
    settling = false
    if (stopped || running || reasons.length === 0) return
    const batch = [...new Set(reasons)]
    reasons = []
    running = run(batch).finally(() => {
      running = undefined
      if (reasons.length && !stopped) return arm(++followUps >= burstAfter)
      followUps = 0
      if (!timer) {
        for (const wake of idleWaiters) wake()
        idleWaiters = []
      }
    })
  }

  return {
    trigger(reason) {
      if (stopped) return
      reasons.push(reason)
      // During a build: the build's end decides (see above).
      if (running) return
      // A timer already armed keeps its kind: more events extend the quiet wait, or the merge.
      arm(timer !== undefined && settling)
    },
    idle() {
      if (!running && !timer) return Promise.resolve()
      return new Promise((resolve) => idleWaiters.push(resolve))
    },
    hasPending: () => reasons.length > 0,
    stop() {
      stopped = true
      clearTimeout(timer)
      timer = undefined
      for (const wake of idleWaiters) wake()
      idleWaiters = []
    },
  }
}
