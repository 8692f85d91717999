// A save's raw event (fs.watch: inotify on Linux) comes ~1 ms before
// chokidar's change, which first waits for an fs.stat on libuv's thread pool:
// a tenth of a reload (bench/reload-phases.ts). So a raw 'change' of a file
// esbuild can load is reported at once, and chokidar's change for that file
// soon after is dropped as its echo: every write gives a raw event of its own.
// New, deleted and renamed files are reported from their raw events too
// (raw-presence.ts). Atomic saves go by chokidar's change, and any other
// event of a file ends the wait for an echo, so that chokidar's change after
// an atomic save is never taken for one (watcher.ts).
const ECHO_MS = 1_000
const PRUNE_AT = 256

/** The changes reported from raw events, each until chokidar's own change for it (its echo) comes. */
export class EarlyChanges {
  /** File -> when its raw change was reported: chokidar's change for it soon after is an echo. */
  readonly #reported = new Map<string, number>()

  constructor(private readonly onChange: (path: string) => void) {}

  /** Report a raw change of `path` now. */
  report(path: string): void {
    const now = performance.now()
    this.#reported.delete(path)
    this.#reported.set(path, now)
    // An echo chokidar never sent (it drops a file's changes for 50 ms after one): oldest first.
    if (this.#reported.size > PRUNE_AT)
      for (const [old, at] of this.#reported) {
        if (now - at < ECHO_MS) break
        this.#reported.delete(old)
      }
    this.onChange(path)
  }

  /** chokidar's change of `path`: the echo of a raw change reported just before? It ends the wait either way. */
  isEcho(path: string): boolean {
    const at = this.#reported.get(path)
    this.#reported.delete(path)
    return at !== undefined && performance.now() - at < ECHO_MS
  }

  /** Any other event of `path` ends the wait for an echo. */
  forget(path: string): void {
    this.#reported.delete(path)
  }
}
