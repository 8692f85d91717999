/**
 * Decides when to rebuild. A lone save builds at once (after `debounceMs`,
 * which only merges events of one editor operation); events that arrive while
 * a build runs cause exactly one follow-up, once they have been quiet for
 * `settleMs`. So a single save is served in milliseconds, while a burst
 * (Save All, git checkout, a formatter rewriting 100 files) costs two builds.
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
  // 'settle' once a build has run with events still coming: a burst is underway.
  let phase: 'debounce' | 'settle' = 'debounce'
  let running: Promise<void> | undefined
  let stopped = false
  let idleWaiters: (() => void)[] = []

  const schedule = (next: 'debounce' | 'settle') => {
    phase = next
    clearTimeout(timer)
    timer = setTimeout(fire, next === 'settle' ? settleMs : debounceMs)
  }
  const fire = () => {
    timer = undefined
    if (stopped || running || reasons.length === 0) return
    const batch = [...new Set(reasons)]
    reasons = []
    running = run(batch).finally(() => {
      running = undefined
      if (reasons.length && !stopped) schedule('settle')
      else if (!timer) {
        for (const wake of idleWaiters) wake()
        idleWaiters = []
      }
    })
  }

  return {
    trigger(reason) {
      if (stopped) return
      reasons.push(reason)
      // During a build: wait for it, then for the burst to settle.
      if (running) return
      schedule(timer && phase === 'settle' ? 'settle' : 'debounce')
    },
    idle() {
      if (!running && !timer) return Promise.resolve()
      return new Promise((resolve) => idleWaiters.push(resolve))
    },
    hasPending: () => reasons.length > 0,
    stop() {
      stopped = true
      clearTimeout(timer)
      for (const wake of idleWaiters) wake()
      idleWaiters = []
    },
  }
}
