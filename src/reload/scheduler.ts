/**
 * Decides when to rebuild. A save builds at once (after the events the same
 * poll of the file watcher delivered), whatever the time since the last
 * build: people and their tools save at any pace (format-on-save right after
 * a save, an agent editing a file every 50 ms), and each save should be
 * served as soon as it can be. Events that arrive during a build cause one
 * follow-up, started as soon as that build ends: the running build may have
 * read the files before they changed, so the last save is never lost. The
 * reloader does not serve a build that such events made stale (the other
 * files of a multi-file save, reloader.ts): the follow-up is what serves.
 *
 * Only a flood waits: `floodCount` operations in a row, each less than
 * `floodGapMs` after the one before (a git checkout, a formatter rewriting
 * 100 files, a code generator). No person saves that fast, and every build
 * would be stale before it served. The next build then waits until the
 * events have been quiet for `settleMs`, or `maxWaitMs` at most, so that an
 * endless stream of writes is still served now and then.
 */
export interface ReloadScheduler {
  /** A file changed (or a reload was asked for). */
  trigger(reason: string): void
  /** Resolves when no build is running or scheduled. */
  idle(): Promise<void>
  /** Triggers arrived that the running build does not cover: its result is already stale. */
  hasPending(): boolean
  /** Those triggers (a file's path, 'reload()'), in arrival order. */
  pending(): readonly string[]
  /** Build `reasons` again right after the running build, which is not served; not a new operation. */
  retry(reasons: readonly string[]): void
  stop(): void
}

// Events within this long of an operation's first are that operation, for
// telling a flood from saves. chokidar reported the files of a 5-file Save
// All within 0.3 ms of each other (median; 2 ms at worst), and `sed -i`'s
// two events come 1.3 ms apart: with 1 ms, a sed and a git checkout 20 ms
// later (and its late event) were four operations, a flood that waited 150
// ms of quiet. Counted from the first event, not chained from the last: a
// generator writing every 2 ms is still many operations. A save does not
// wait for it: its build starts at once, and a file whose event comes while
// the build runs makes that build stale; the follow-up serves.
const DEBOUNCE_MS = 3
// Once builds keep going stale (a burst: a checkout, a formatter), the next
// one waits for this much quiet. chokidar throttles a file's change events to
// one per 50 ms, so a window much closer to that splits one burst into
// several builds on a loaded machine.
const SETTLE_MS = 150

export interface SchedulerOptions {
  /** Events within this long of an operation's first are that operation (a flood is counted in operations). Default 3 ms. */
  debounceMs?: number
  /** How much quiet a flood waits for. Default 150 ms. */
  settleMs?: number
  /** Operations (events more than `debounceMs` apart) closer than this are made by a machine. Default 30 ms. */
  floodGapMs?: number
  /** How many such operations in a row make a flood. Default 4. */
  floodCount?: number
  /** The longest a flood delays a build. Default 1000 ms. */
  maxWaitMs?: number
  /** Runs one build-and-swap; `reasons` are the triggers it covers, `quietMs` how long it waited for a flood's quiet (0: none). */
  run(reasons: string[], quietMs: number): Promise<void>
  /** Internal, for tests: the clock that dates operations. */
  now?: () => number
}

export function createReloadScheduler({
  debounceMs = DEBOUNCE_MS,
  settleMs = SETTLE_MS,
  floodGapMs = 30,
  floodCount = 4,
  maxWaitMs = 1_000,
  run,
  now = () => performance.now(),
}: SchedulerOptions): ReloadScheduler {
  let reasons: string[] = []
  // Armed: a wait for quiet (timer), or the build of one operation at the end of this poll (soon).
  let timer: NodeJS.Timeout | undefined
  let soon: NodeJS.Immediate | undefined
  // The armed timer waits for quiet (a flood).
  let settling = false
  // When the current quiet wait began: it ends maxWaitMs later at the latest.
  let settlingSince = 0
  let running: Promise<void> | undefined
  let stopped = false
  let idleWaiters: (() => void)[] = []
  // When the last `floodCount` operations began, oldest first.
  const operations: number[] = []

  // Each gap, not the span: a sed and a git checkout 15 ms later are three
  // operations, and chokidar's late second event of the checkout (~45 ms on)
  // made a fourth, 61 ms after the first. Counted by their span, that waited
  // 150 ms of quiet before serving the checkout (1 reload in 10 at ~200 ms).
  const flooding = () => operations.length === floodCount && operations.every((at, i) => i === 0 || at - operations[i - 1]! < floodGapMs)
  const cancel = () => {
    clearTimeout(timer)
    clearImmediate(soon)
    timer = soon = undefined
  }
  // Not a timer for one operation: a 1 ms window to merge its events was
  // ~0.8 ms of every single-file save. setImmediate runs after every event of
  // the watcher's poll; a file whose event comes later, while the build runs,
  // makes that build stale (see above).
  const arm = (settle: boolean) => {
    if (settle && !settling) settlingSince = performance.now()
    settling = settle
    cancel()
    if (settle) timer = setTimeout(fire, Math.max(0, Math.min(settleMs, settlingSince + maxWaitMs - performance.now())))
    else soon = setImmediate(fire)
  }
  const fire = () => {
    // The reload line says how long a flood's build waited for quiet.
    const quietMs = settling ? performance.now() - settlingSince : 0
    timer = soon = undefined
    settling = false
    if (stopped || running || reasons.length === 0) return
    const batch = [...new Set(reasons)]
    reasons = []
    running = run(batch, quietMs).finally(() => {
      running = undefined
      if (reasons.length && !stopped) return arm(flooding())
      if (!timer && !soon) {
        for (const wake of idleWaiters) wake()
        idleWaiters = []
      }
    })
  }

  return {
    trigger(reason) {
      if (stopped) return
      reasons.push(reason)
      const at = now()
      if (at - (operations.at(-1) ?? -Infinity) > debounceMs) {
        operations.push(at)
        if (operations.length > floodCount) operations.shift()
      }
      // During a build: the build's end decides (see above).
      if (running) return
      // A wait for quiet goes on while the flood does; otherwise merge this operation's events.
      arm(flooding() || (timer !== undefined && settling))
    },
    idle() {
      if (!running && !timer && !soon) return Promise.resolve()
      return new Promise((resolve) => idleWaiters.push(resolve))
    },
    hasPending: () => reasons.length > 0,
    pending: () => reasons,
    retry(again) {
      if (!stopped) reasons.unshift(...again)
    },
    stop() {
      stopped = true
      cancel()
      for (const wake of idleWaiters) wake()
      idleWaiters = []
    },
  }
}
