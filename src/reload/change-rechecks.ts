// chokidar drops (not defers) a file's further change events for 50 ms after
// one, so a second save within 50 ms (format-on-save, a quick fix) would be
// lost and the old code served. Each change is re-checked after the window.
import { fingerprint } from './file-fingerprint.js'

const RECHECK_MS = 60

/** Reports chokidar's changes, and each again if the file differs once chokidar's window has passed. */
export class ChangeRechecks {
  readonly #timers = new Map<string, NodeJS.Timeout>()

  constructor(
    private readonly onChange: (path: string) => void,
    private readonly closed: () => boolean,
  ) {}

  changed(path: string): void {
    if (this.closed()) return
    this.onChange(path)
    const seen = fingerprint(path)
    clearTimeout(this.#timers.get(path))
    const timer = setTimeout(() => {
      this.#timers.delete(path)
      if (fingerprint(path) !== seen) this.changed(path)
    }, RECHECK_MS)
    timer.unref()
    this.#timers.set(path, timer)
  }

  close(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer)
  }
}
