// A build may read files in folders the watcher does not watch yet: the
// first build runs beside the watcher's first scan, and a build that imports
// a new folder (or cannot find an import, whose nearest folder is then
// watched: sources.ts) adds folders that are scanned after it. A file saved
// or created before the scan of its folder ended has no event: it is found
// here afterwards, by its change time, or by the missing import it now fixes.
import { statSync } from 'node:fs'
import { dirname, sep } from 'node:path'
import type { Target } from '../http/dispatch.js'
import type { BuildOutcome } from './builder.js'
import { resolvedNow } from './missing-imports.js'
import type { CreatedFiles } from './created-files.js'

// A file's timestamps come from a clock that lags the one read here by up to
// a kernel tick (4 ms at 250 Hz, 10 ms at 100 Hz). A file system that keeps
// whole seconds (FAT keeps 2 s) rounds down by up to that much. Too wide a
// margin costs one extra build; too narrow a one, a save.
const TICK_MARGIN_MS = 20
const SECONDS_MARGIN_MS = 2_000

/**
 * The files, and the folders holding them, that changed (or went) since
 * `sinceMs` (wall clock): a folder changes when a file in it is added,
 * removed or replaced by a rename (how many editors save).
 */
function changedSince(files: Iterable<string>, sinceMs: number): string[] {
  const paths = new Set<string>()
  for (const file of files) paths.add(file).add(dirname(file))
  const changed = [...paths].filter((path) => {
    try {
      const stats = statSync(path)
      const changedAt = Math.max(stats.mtimeMs, stats.ctimeMs)
      const margin = changedAt % 1000 === 0 ? SECONDS_MARGIN_MS : TICK_MARGIN_MS
      return changedAt >= sinceMs - margin
    } catch {
      return true
    }
  })
  // A folder that changed with a file in it: the file's save (an editor's rename) rebuilds, and the reload line
  // names the file, not also its folder ("2 files changed (app.ts, )", the working folder shown as '').
  return changed.filter((path) => !changed.some((other) => other !== path && dirname(other) === path))
}

/**
 * After a good first build that ran beside the watcher's scan: what to build
 * again for, changed between the build reading it and the watcher seeing it.
 */
export async function missedAtStart(
  inputs: Iterable<string>,
  readFrom: number,
  builder: { build(): Promise<BuildOutcome> },
  served: { readonly target: Target | Promise<Target> },
): Promise<string[]> {
  const changed = changedSince(inputs, readFrom)
  if (!changed.length) return []
  // Most often the files were written just before the start (a generator,
  // a test): a bundle with the same content hash means nothing changed, and
  // a reload for it would swap a generation for nothing (or, after an import
  // that never ended, import the same bundle for another 10 s).
  const check = await builder.build()
  const target = served.target
  const bundle = target instanceof Promise ? undefined : target.kind === 'generation' ? target.generation.bundleUrl : target.bundleUrl
  return check.ok && check.url === bundle ? [] : changed
}

/**
 * Once the folders a build added to the watch are scanned: what to build
 * again for. `read` is what the last build depends on (Sources.lastRead),
 * `sinceMs` (wall clock) when the build that added them began reading.
 * Nothing outside the added folders: the others were watched all along.
 * Files now found where an import was not are noted in `created`: the
 * reload's line says they were added.
 */
export function missedWhileScanning(
  read: { files: Iterable<string>; missing: readonly string[] },
  added: readonly string[],
  sinceMs: number,
  created: CreatedFiles,
): string[] {
  const inAdded = (path: string) => added.some((dir) => path === dir || path.startsWith(dir + sep))
  // Not their folders, as at the start: what a folder's change means for a good build (a file added beside) cannot change it.
  const files = new Set([...read.files].filter(inAdded))
  const found = read.missing.filter(inAdded).flatMap((target) => resolvedNow(target) ?? [])
  for (const path of found) created.note('add', path, () => false)
  return [...changedSince(files, sinceMs).filter((path) => files.has(path)), ...found]
}
