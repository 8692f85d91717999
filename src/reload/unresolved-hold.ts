// A build that fails only because files are not found, started in the middle
// of a burst of file events that touched one of them, is held until the burst
// is over. git checkout (and stash, rebase, a code generator) deletes the
// files the other branch lacks, then writes the others, each changed one as
// an unlink and a create; a raw unlink is reported at once (raw-presence.ts)
// and a build starts at once (scheduler.ts). On a loaded machine git can be
// off the CPU between two of its writes for longer than a build takes, and
// that build's "Could not resolve" was served: the error page, and a
// live-reloaded tab, flashed for a checkout that is fine (10 of 20 checkouts
// of 30 files under two busy loops on 2 cores). The burst's next event now
// builds again instead. A failure that no event follows is served HOLD_MS
// after its build ended; one the burst did not touch is not held at all.
// Both are measured from the build, not from the clock when it failed: under
// load, where checkouts flash, builds are slow too.
import { extname, sep } from 'node:path'
import type { BuildFailure } from './builder.js'

/**
 * The quiet that ends a burst. Under two busy loops on 2 cores, hotcell saw
 * a checkout's next event 4.7-17.5 ms after the last one when a build was
 * held (30 holds in 40 checkouts); 48 ms at worst with six busy loops. A
 * deleted import's error page comes this much later than before (~5 ms after
 * the rm then).
 */
const HOLD_MS = 50
/** How often a held build looks for a newer event: the burst's next build starts this soon after it. */
const POLL_MS = 2

/**
 * Whether `build` was held and an event came meanwhile (`stale()`): then it
 * is built again rather than served. `lastEvents`: each loadable file's last
 * raw event, oldest first (writes-during-build.ts); `builtFrom`: when the
 * build started (performance.now()). Events that came during the build made
 * it stale already.
 */
export async function heldUntilNextEvent(
  build: BuildFailure,
  lastEvents: ReadonlyMap<string, number>,
  stale: () => boolean,
  builtFrom: number,
): Promise<boolean> {
  if (!build.onlyMissing || !touchedByBurst(build, lastEvents, builtFrom)) return false
  const until = performance.now() + HOLD_MS
  while (performance.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    if (stale()) return true
  }
  return false
}

/**
 * Whether the burst the build started in (events each less than HOLD_MS
 * before the next, the last less than HOLD_MS before the build) touched a
 * file the errors name: a missing target (deleted, or not written yet) or an
 * importer (rewritten to import a file not written yet).
 */
function touchedByBurst(build: BuildFailure, lastEvents: ReadonlyMap<string, number>, builtFrom: number): boolean {
  const events = [...lastEvents]
  let next = builtFrom
  for (let i = events.length - 1; i >= 0; i--) {
    const [path, at] = events[i]!
    if (next - at >= HOLD_MS) break
    if (names(build, path)) return true
    next = at
  }
  return false
}

/** `path` is an importer the errors name, or what a missing import may resolve to (`./m` is m.ts, m.js, m/index.ts...). */
function names(build: BuildFailure, path: string): boolean {
  if (build.files.includes(path)) return true
  const bare = withoutExtension(path)
  return build.missing.some((target) => path === target || bare === target || bare === withoutExtension(target) || path.startsWith(target + sep))
}

function withoutExtension(path: string): string {
  return path.slice(0, path.length - extname(path).length)
}
