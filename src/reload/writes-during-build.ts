// Source files written while a build ran, from the file watcher's raw
// events. A build that read a file half-saved (a shell's `echo > b.ts`
// truncates, then writes) must not be served; the watcher's own change event
// usually arrives during the build and makes it stale (scheduler.ts), but
// chokidar emits it only after an fs.stat on the thread pool, which a busy
// pool can delay past the build's end. The raw event comes straight from
// fs.watch, and the kernel queues it at the write: by the end of the poll
// that delivers esbuild's result, every write made before esbuild finished
// has been seen here.
import { basename, join } from 'node:path'

export class WritesDuringBuild {
  #recording = false
  readonly #paths = new Set<string>()

  /** A build is about to start: writes count from now. */
  begin(): void {
    this.#recording = true
    this.#paths.clear()
  }

  /**
   * A raw watcher event for `name` in the folder (or file) `watched`; only a
   * flag test while no build runs: a busy log in a watched folder pays no more.
   */
  seen(watched: string, name: string): void {
    if (!this.#recording) return
    // chokidar watches each file and its folder: the file's own watcher names itself.
    this.#paths.add(basename(watched) === name ? watched : join(watched, name))
  }

  /** The reload is over, whichever way it went: raw events cost a flag test again. */
  stop(): void {
    this.#recording = false
    this.#paths.clear()
  }

  /**
   * The build has ended: was a file it may have read written meanwhile?
   * Waits for the end of the current poll phase, where the raw events of
   * writes made before the build's result was read are delivered.
   */
  async end(matters: (path: string) => boolean): Promise<boolean> {
    await new Promise<void>((resolve) => setImmediate(resolve))
    const written = [...this.#paths]
    this.stop()
    return written.some(matters)
  }
}
