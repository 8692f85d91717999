// The public shape of one reload: the server's 'reload' event and the terminal's reload line.
import { relative, sep } from 'node:path'
import { oneNamePerFile } from './one-name-per-file.js'

/** What one reload did; emitted as the server's 'reload' event. */
export interface ReloadInfo {
  /**
   * The new code serves. False when requests get an error page instead (the build failed, the entry threw while
   * being imported, exports no handler or did not finish importing: `error` says which), and when the server
   * closed before the new code served (no `error`).
   */
  ok: boolean
  /**
   * The new generation's number when it took over: when ok, and when its workers serve the error page (an import error, no handler).
   * After a failed build, the number of the generation that served before it (it ends: the build error page serves); after a hung import, undefined.
   */
  gen: number | undefined
  /** Why not ok: the error every request now gets, as data. */
  error?: ReloadError
  /** What triggered it: changed files relative to cwd, "reload()", or "import retry" (an import that failed beside the older generation, retried once it ended). */
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
  /** A failed build, or a failed import retry, whose error is the one already shown (not printed again). */
  sameError?: true
}

/** An error as data: what was thrown, its stack mapped to the source files. */
export interface ErrorInfo {
  name: string
  message: string
  stack?: string
  code?: string
  /** Something other than an Error was thrown: what it was, as text. */
  thrown?: string
  cause?: ErrorInfo
  /** The inner errors of an AggregateError (or of a build with several errors). */
  errors?: ErrorInfo[]
  /** The error's other own properties (pg's `detail`, Prisma's `meta`), each value as util.inspect prints it on one line. */
  properties?: { key: string; value: string }[]
  /** How many more properties there were than `properties` holds. */
  moreProperties?: number
}

/** A reload's failure: the error, which step failed, and where in the project's files. */
export interface ReloadError extends ErrorInfo {
  /** `build`: esbuild failed; `import`: the entry threw while being imported; `handler`: it exports no handler; `hang`: its import did not finish. */
  stage: 'build' | 'import' | 'handler' | 'hang'
  /**
   * The first place in the project's own files the error points at (`file` relative to cwd, `line` counted from 1).
   * `column` counts from 1, as stack traces and the build errors' reports do (esbuild's own count is from 0: report/build-columns.ts).
   */
  location?: { file: string; line: number; column: number }
}

/**
 * The new generation took over, working or not: its import threw or found no handler, so it serves the error page
 * itself and no older code serves. A failed build, a hung import or a reload given up leave `ok` false without this.
 */
export function swappedIn(info: Pick<ReloadInfo, 'ok' | 'error'>): boolean {
  return info.ok || info.error?.stage === 'import' || info.error?.stage === 'handler'
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
