// A file reached by two paths, through a symlinked folder (src/linked →
// ../real-lib), gives a watcher event for each path: the folder watch follows
// the link, and esbuild names the real path, whose folder is watched too. One
// save then read "2 files changed (src/linked/greet.ts, real-lib/greet.ts)".
import { sep } from 'node:path'
import { realPathOf } from './real-path.js'

/**
 * `reasons` with one path per file (by real path), in their order. Of a
 * file's paths the one through the link is kept: it is the one the code
 * imports. Reasons that are not paths ("reload()") stay as they are.
 */
export function oneNamePerFile(reasons: readonly string[]): string[] {
  const byFile = new Map<string, string>()
  for (const reason of reasons) {
    if (!reason.startsWith(sep)) {
      byFile.set(reason, reason)
      continue
    }
    const real = realPathOf(reason)
    const kept = byFile.get(real)
    if (kept === undefined || kept === real) byFile.set(real, reason)
  }
  return [...byFile.values()]
}
