// A reload imports the new code in fresh workers while the old generation
// still serves, and writes: an import can fail only because of that overlap.
// node:sqlite has no busy timeout by default, so a `create table` at import
// failed with "database is locked" while the old generation wrote a row for
// a request (4 reloads in 30 under a polling client); under tsx watch the old
// process is gone before the new one opens the file. Such an error is not the
// code's: the failed import is imported once more, in fresh workers, once
// every generation that ran beside it has ended. Once only (the retry's own
// failure is final), and only while nothing newer has come (a save builds
// anyway, a shutdown ends it all).
import type { Generation } from '../pool/generation.js'
import type { ErrorData } from '../pool/protocol.js'

/** The reason of a reload that retries a failed import (ReloadInfo.changed, the reload line). */
export const IMPORT_RETRY = 'import retry'

/** Of a reload's `reasons`: it retries an import, and nothing else (a retry of a retry would loop). */
export function onlyRetry(reasons: readonly string[]): boolean {
  return reasons.length > 0 && reasons.every((r) => r === IMPORT_RETRY)
}

/**
 * `failed` took over with the error of an import that ran beside `olders`
 * (the generation it replaced, those still retiring): once they have all
 * ended, `retry()` if `failed` still serves (`serving()`).
 */
export function retryWhenEnded(olders: readonly Generation[], serving: () => boolean, retry: () => void): void {
  if (olders.length === 0) return
  void Promise.all(olders.map((g) => g.ended)).then(() => {
    if (serving()) retry()
  })
}

/** Two load errors read the same: a retry that failed again prints nothing more. */
export function sameLoadError(a: ErrorData, b: ErrorData | undefined): boolean {
  return b !== undefined && a.name === b.name && a.message === b.message && a.stack === b.stack
}
