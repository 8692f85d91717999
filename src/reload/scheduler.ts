/**
 * Decides when to rebuild. A save builds at once (after `debounceMs`, which
 * only merges the events of one editor operation). Events that arrive during
 * a build cause one follow-up:
 * - right away, the first time: they are most likely the rest of the same
 *   operation (Save All writing its last files), and the developer waits for it;
 * - once they have been quiet for `settleMs`, after that: a burst is underway
 *   (git checkout, a formatter rewriting 100 files), and each build would be
 *   stale before it served.
 * A save within `settleMs` of the end of a build is part of a burst as well:
 * people do not save that often, tools do.
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
  /** Runs one build-and-swap; `reasons` are the triggers it covers. */
  run(reasons: string[]): Promise<void>
}

export function createReloadScheduler({ debounceMs, settleMs, run }: SchedulerOptions): ReloadScheduler {
  let reasons: string[] = []
  let timer: NodeJS.Timeout | undefined
  // The armed timer waits for quiet (a burst) rather than merging one operation.
  let settling = false
  let running: Promise<void> | undefined
  // Builds in a row that had events arrive while they ran.
  let followUps = 0
  let lastEndedAt = -Infinity
  let stopped = false
  let idleWaiters: (() => void)[] = []

  const arm = (settle: boolean) => {
    settling = settle
    clearTimeout(timer)
    timer = setTimeout(fire, settle ? settleMs : debounceMs)
  }
  const fire = () => {
    timer = undefined
    if (stopped || running || reasons.length === 0) return
    const batch = [...new Set(reasons)]
    reasons = []
    running = run(batch).finally(() => {
      running = undefined
      lastEndedAt = performance.now()
      if (reasons.length && !stopped) return arm(++followUps > 1)
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
      arm(timer !== undefined ? settling : performance.now() - lastEndedAt < settleMs)
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
