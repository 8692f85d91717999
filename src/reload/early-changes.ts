// A save's raw event (fs.watch: inotify on Linux) comes ~1 ms before
// chokidar's change, which first waits for an fs.stat on libuv's thread pool:
// a tenth of a reload (bench/reload-phases.ts). So a raw 'change' of a file
// esbuild can load is reported at once, and chokidar's change for that file
// soon after is dropped as its echo if the file is still what it was when
// reported: every write gives a raw event of its own, and a write since has
// changed its size, modification time or inode. New, deleted and renamed
// files are reported from their raw events too (raw-presence.ts), atomic
// saves included: the other raw events of a sed -i or an editor's safe write
// (the replaced inode's own watch) used to end the wait for the echo, and
// chokidar's change a few ms later started a second build of the same save.
// On a 300-module workspace lib that was a whole build thrown away per save,
// reloads twice as long (trial s23 #11).
import { fingerprint, GONE } from './file-fingerprint.js'

const ECHO_MS = 1_000
const PRUNE_AT = 256

/** The changes reported from raw events, each until chokidar's own change for it (its echo) comes. */
export class EarlyChanges {
  /** File -> when its raw change was reported, and what the file was then: chokidar's change for it soon after, of the same file, is an echo. */
  readonly #reported = new Map<string, { at: number; was: string }>()

  constructor(private readonly onChange: (path: string) => void) {}

  /** Report a raw change of `path` now. */
  report(path: string): void {
    const now = performance.now()
    this.#reported.delete(path)
    this.#reported.set(path, { at: now, was: fingerprint(path) })
    // An echo chokidar never sent (it drops a file's changes for 50 ms after one): oldest first.
    if (this.#reported.size > PRUNE_AT)
      for (const [old, { at }] of this.#reported) {
        if (now - at < ECHO_MS) break
        this.#reported.delete(old)
      }
    this.onChange(path)
  }

  /** chokidar's change of `path`: the echo of a raw change reported just before, the file unchanged since? It ends the wait either way. */
  isEcho(path: string): boolean {
    const reported = this.#reported.get(path)
    this.#reported.delete(path)
    return reported !== undefined && performance.now() - reported.at < ECHO_MS && reported.was !== GONE && fingerprint(path) === reported.was
  }

  /** The file went (an unlink, or chokidar's add of it anew): the wait for an echo ends. */
  forget(path: string): void {
    this.#reported.delete(path)
  }
}
