// Source files written lately, from the file watcher's raw events. A build
// that read a file half-saved (a shell's `echo > b.ts` truncates, then
// writes) must not be served. chokidar's own change event for it comes only
// after an fs.stat on libuv's thread pool, which a busy pool delays: past the
// build's start (so the file is not among the build's reasons) and even past
// its end. The raw event comes straight from fs.watch, and the kernel queues
// it at the write. Two questions are asked of it:
// - was a source written while the build ran (by the end of the poll that
//   delivers esbuild's result, every write made before esbuild finished has
//   been seen here)?
// - which inputs were written lately, so that their size now can be compared
//   with what the build read (unfinished-saves.ts): the truncation may have
//   come before the build began and the rest of the write after it ended.
import { LOADABLE } from './sources.js'
/** A save's two writes are milliseconds apart: older writes are forgotten. */
const RECENT_MS = 2_000
/** Past this many paths, the ones older than RECENT_MS are dropped (an app writing a JSON file per request). */
const PRUNE_AT = 256

export class WritesDuringBuild {
  /** Path -> when its last raw event came (performance.now()). */
  readonly #at = new Map<string, number>()
  #buildStart = Number.POSITIVE_INFINITY

  /** Each loadable file's last raw event (performance.now()), oldest first: the bursts (failed-build-hold.ts). */
  get lastEvents(): ReadonlyMap<string, number> {
    return this.#at
  }

  /** A build is about to start: writes count as during it from now. */
  begin(): void {
    this.#buildStart = performance.now()
  }

  /** A raw watcher event for `path`. */
  seen(path: string): void {
    // What esbuild cannot load (a log, a database file) is not recorded.
    if (!LOADABLE.test(path)) return
    const now = performance.now()
    this.#at.delete(path)
    this.#at.set(path, now)
    if (this.#at.size > PRUNE_AT) {
      // Oldest first (a Map keeps insertion order, and a path seen again moved to the end).
      for (const [old, at] of this.#at) {
        if (now - at < RECENT_MS) break
        this.#at.delete(old)
      }
    }
  }

  /** The reload is over, whichever way it went. */
  stop(): void {
    this.#buildStart = Number.POSITIVE_INFINITY
  }

  /**
   * The build has ended: was a file it may have read written meanwhile?
   * Waits for the end of the current poll phase, where the raw events of
   * writes made before the build's result was read are delivered.
   */
  async end(matters: (path: string) => boolean): Promise<boolean> {
    await new Promise<void>((resolve) => setImmediate(resolve))
    const since = this.#buildStart
    this.stop()
    for (const [path, at] of this.#at) if (at >= since && matters(path)) return true
    return false
  }

  /** The inputs of a build (`read`: what it read of each) written in the last RECENT_MS. */
  recentInputs(read: ReadonlyMap<string, number>): string[] {
    const since = performance.now() - RECENT_MS
    const paths: string[] = []
    for (const [path, at] of this.#at) if (at >= since && read.has(path)) paths.push(path)
    return paths
  }
}
