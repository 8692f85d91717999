// Was each changed file whole when esbuild read it? A save truncates a file,
// then writes it: the event of the truncation can start a build that reads
// an empty or partial file. Such a build is superseded, not served.
import { realpathSync, statSync } from 'node:fs'

/** A changed file built while empty is served only if it is still empty this much later. */
const EMPTY_RECHECK_MS = 50
/** ...looked at this often meanwhile: the wait ends as soon as the content lands (a save 5 ms apart served 57 ms after it, not 10). */
const EMPTY_POLL_MS = 5
const GONE = 'gone'

/**
 * The files of `changed` written again since the build read them (`bytes`:
 * what it read of each input). A file read empty is looked at again a moment
 * later: a saving process preempted between truncate and write leaves it
 * empty for milliseconds, and an empty module's imports are undefined, not an
 * error, so this is the only place to tell.
 */
export async function unfinishedSaves(changed: string[], bytes: ReadonlyMap<string, number>): Promise<string[]> {
  const rewritten = changed.filter((path) => rewrittenSince(path, bytes))
  if (rewritten.length) return rewritten
  const readEmpty = changed.filter((path) => bytesRead(path, bytes) === 0)
  if (!readEmpty.length) return []
  return whenSome(() => readEmpty.filter((path) => rewrittenSince(path, bytes)))
}

/** Size and modification time of files as a build begins (`savedSince` compares them when it fails). */
export type SaveMarks = ReadonlyMap<string, string>

export function markSaves(paths: string[]): SaveMarks {
  return new Map(paths.map((path) => [path, mark(path)]))
}

/**
 * Every one of `paths` is marked, and has the size and modification time it
 * had then: its events since are the late ones of a write made before the
 * mark (sed -i's, a rename's), not a write after it.
 */
export function unchangedSinceMark(paths: readonly string[], marks: SaveMarks): boolean {
  return paths.every((path) => marks.has(path) && mark(path) === marks.get(path))
}

/**
 * The marked paths that were not there as the build began and are not there
 * now: deleted, or renamed away. Not a file restored meanwhile: git checkout
 * of a file unlinks it and writes it again, and the build may read either.
 */
export function goneSinceMark(marks: SaveMarks): string[] {
  return [...marks].filter(([path, at]) => at === GONE && mark(path) === GONE).map(([path]) => path)
}

/**
 * For a build that failed: the files it was started for that were written
 * again while it ran, or that were empty when it ended and have content a
 * moment later. A save caught between truncate and write gives esbuild an
 * empty file, which for a package.json or a JSON import is an error
 * ("Unexpected end of file"), not an empty module. A file still empty after
 * the recheck was emptied on purpose: its error is shown.
 */
export async function savedSince(marks: SaveMarks): Promise<string[]> {
  const written = [...marks].filter(([path, before]) => mark(path) !== before).map(([path]) => path)
  if (written.length) return written
  const empty = [...marks.keys()].filter((path) => mark(path).startsWith('0:'))
  if (!empty.length) return []
  return whenSome(() => empty.filter((path) => !mark(path).startsWith('0:')))
}

function mark(path: string): string {
  try {
    const stats = statSync(path)
    return `${stats.size}:${stats.mtimeMs}`
  } catch {
    return GONE
  }
}

/** A file esbuild read `bytes` of has another size now. */
function rewrittenSince(path: string, bytes: ReadonlyMap<string, number>): boolean {
  const read = bytesRead(path, bytes)
  if (read === undefined) return false
  try {
    return statSync(path).size !== read
  } catch {
    return false
  }
}

/** How many bytes of `path` the build read; undefined if it read none of it (deleted, or not an input). */
function bytesRead(path: string, bytes: ReadonlyMap<string, number>): number | undefined {
  let real: string
  try {
    real = realpathSync.native(path)
  } catch {
    return undefined // Deleted: a build error or an event of its own.
  }
  return bytes.get(real) ?? bytes.get(path)
}

/** `look()` every EMPTY_POLL_MS until it finds something, for EMPTY_RECHECK_MS at most; what it found last. */
async function whenSome(look: () => string[]): Promise<string[]> {
  const until = performance.now() + EMPTY_RECHECK_MS
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, EMPTY_POLL_MS))
    const found = look()
    if (found.length || performance.now() >= until) return found
  }
}
