// The public shape of one reload: the server's 'reload' event and the terminal's reload line.
import { relative, sep } from 'node:path'
import { oneNamePerFile } from './one-name-per-file.js'

/** What one reload did; emitted as the server's 'reload' event. */
export interface ReloadInfo {
  ok: boolean
  /** The generation serving now (the new one, when ok). */
  gen: number | undefined
  /** What triggered it: changed files relative to cwd, or "reload()". */
  changed: string[]
  /** Of `changed`, the files that were gone as the build began (deleted, or renamed away); absent when none. */
  deleted?: string[]
  /** Of `changed`, the files created (new, or renamed to that name) and there as the build began; absent when none. */
  added?: string[]
  /**
   * From the first trigger to the start of the build: a reload of earlier saves still running, a flood's wait for quiet,
   * and builds of this change given up for later writes (it is timed from its first save); otherwise about a turn of the event loop.
   */
  waitMs: number
  buildMs: number
  /** The standby importing the new bundle until a worker reported ready. */
  loadMs: number
  /** From the first trigger to the new generation taking requests. */
  totalMs: number
  /** A failed build whose error is the one already shown (not printed again). */
  sameError?: true
}

/** Of `reasons`, the absolute paths `info` says were deleted. */
export function deletedPaths(reasons: readonly string[], { deleted }: Pick<ReloadInfo, 'deleted'>, cwd: string): string[] {
  return deleted ? reasons.filter((reason) => deleted.includes(toCwd(reason, cwd))) : []
}

/** A reload's reasons as `changed` says them (files relative to cwd), and which of them are `deleted` or `added`. */
export function changeOf(
  reasons: readonly string[],
  gone: readonly string[],
  created: readonly string[],
  cwd: string,
): Pick<ReloadInfo, 'changed' | 'deleted' | 'added'> {
  // One save through a symlinked folder is one file, whose two paths both triggered.
  const named = oneNamePerFile(reasons)
  const deleted = gone.filter((path) => named.includes(path))
  const added = created.filter((path) => named.includes(path) && !gone.includes(path))
  return {
    changed: named.map((reason) => toCwd(reason, cwd)),
    ...(deleted.length ? { deleted: deleted.map((reason) => toCwd(reason, cwd)) } : {}),
    ...(added.length ? { added: added.map((reason) => toCwd(reason, cwd)) } : {}),
  }
}

function toCwd(reason: string, cwd: string): string {
  return reason.startsWith(sep) ? relative(cwd, reason) : reason
}
