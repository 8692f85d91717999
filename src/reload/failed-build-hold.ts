// A failed build of a save is held for a moment: the next event builds again
// instead of serving the error. Two kinds of burst make such failures:
// - git checkout (and stash, rebase, a code generator) deletes the files the
//   other branch lacks, then writes the others, each changed one as an unlink
//   and a create; a raw unlink is reported at once (raw-presence.ts) and a
//   build starts at once (scheduler.ts). On a loaded machine git can be off
//   the CPU between two of its writes for longer than a build takes, and that
//   build's "Could not resolve" was served: the error page, and a
//   live-reloaded tab, flashed for a checkout that is fine (10 of 20
//   checkouts of 30 files under two busy loops on 2 cores). Such a failure
//   (only files not found, one of them touched by the change) also comes back
//   on the raw event of a file the errors name: chokidar's own is late then.
// - A rename across files, saved one file after the other (a save-all, an
//   editor's or an agent's refactoring): each file's build but the last fails
//   ("No matching export"), and with 5-20 ms between the writes each was
//   printed and served: 40-82 lines of errors and 170-250 ms of 500 pages for
//   a change that ends good (a new-user trial, 5 files).
// A failure that no event follows is served HOLD_MS after its build ended:
// a typo's error page comes this much later. Nothing here depends on when the
// build started: under load, where checkouts flash, builds start late.
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
/** How often a held build looks for a newer event: the next build starts this soon after it. */
const POLL_MS = 2

/**
 * Whether `build` was held and an event came meanwhile: then it is built
 * again rather than served. `reasons`: the changes the build is for;
 * `lastEvents`: each loadable file's last raw event (writes-during-build.ts);
 * `builtFrom`: when the build started (performance.now()).
 */
export async function heldUntilNextEvent(
  build: BuildFailure,
  lastEvents: ReadonlyMap<string, number>,
  stale: () => boolean,
  builtFrom: number,
  reasons: readonly string[],
): Promise<boolean> {
  const missing = build.onlyMissing && reasons.some((reason) => names(build, reason))
  // The start and reload() are no burst: their error is shown at once.
  if (!missing && !reasons.some((reason) => reason.startsWith(sep))) return false
  const until = performance.now() + HOLD_MS
  while (performance.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    // The raw event, too: chokidar reports a new file only after a stat on
    // libuv's busy thread pool, which can take longer than the hold.
    if (stale() || (missing && eventSince(build, lastEvents, builtFrom))) return true
  }
  return false
}

/** A raw event since the build started, on a file the errors name. */
function eventSince(build: BuildFailure, lastEvents: ReadonlyMap<string, number>, builtFrom: number): boolean {
  for (const [path, at] of lastEvents) if (at > builtFrom && names(build, path)) return true
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
