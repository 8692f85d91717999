// The only module that imports chokidar. What to watch, and whether a change
// matters, is decided by sources.ts; this module reports what it sees.
import { watch, type FSWatcher } from 'chokidar'
import { statSync } from 'node:fs'
import type { ChangeKind } from './sources.js'

export interface SourceWatcher {
  /** Watch exactly these folders and files from now on (the set follows the bundle's inputs). */
  set(paths: Iterable<string>): void
  /** Resolves when the first set of paths is scanned: edits from then on are seen. */
  ready(): Promise<void>
  close(): Promise<void>
}

export interface WatchOptions {
  /** Paths never watched. */
  ignored(path: string): boolean
  onChange(kind: ChangeKind, path: string): void
  /** fs.watch's event, before chokidar's own checks (an fs.stat) turn it into a change: `name` in the folder or file `watched`. */
  onRaw?(watched: string, name: string): void
  onError(error: Error): void
}

// chokidar drops (not defers) a file's further change events for 50 ms after
// one, so a second save within 50 ms (format-on-save, a quick fix) would be
// lost and the old code served. Each change is re-checked after the window.
const RECHECK_MS = 60

/**
 * Folders are watched rather than single files: only a folder watch sees a
 * new file appear, which is what fixes an "unresolved import".
 */
export function watchSources(options: WatchOptions): SourceWatcher {
  let watcher: FSWatcher | undefined
  let current = new Set<string>()
  let closed = false
  const rechecks = new Map<string, NodeJS.Timeout>()
  const fingerprint = (path: string) => {
    try {
      const stats = statSync(path)
      return `${stats.mtimeMs}:${stats.size}:${stats.ino}`
    } catch {
      return 'gone'
    }
  }
  const changed = (path: string) => {
    if (closed) return
    options.onChange('change', path)
    const seen = fingerprint(path)
    clearTimeout(rechecks.get(path))
    const timer = setTimeout(() => {
      rechecks.delete(path)
      if (fingerprint(path) !== seen) changed(path)
    }, RECHECK_MS)
    timer.unref()
    rechecks.set(path, timer)
  }
  let resolveReady!: () => void
  const ready = new Promise<void>((resolve) => (resolveReady = resolve))

  const start = () => {
    const w = watch([...current], { ignored: options.ignored, ignoreInitial: true })
    w.on('add', (path) => !closed && options.onChange('add', path))
    w.on('change', changed)
    w.on('unlink', (path) => !closed && options.onChange('unlink', path))
    w.on('error', (error) => options.onError(error as Error))
    const { onRaw } = options
    if (onRaw)
      w.on('raw', (_event, name, details) => {
        const watched = (details as { watchedPath?: unknown } | undefined)?.watchedPath
        if (typeof watched !== 'string') return
        if (!closed && typeof name === 'string') onRaw(watched, name)
      })
    w.once('ready', resolveReady)
    return w
  }

  return {
    set(paths) {
      const next = new Set(paths)
      if (closed) return
      if (!watcher) {
        current = next
        watcher = start()
        return
      }
      const added = [...next].filter((p) => !current.has(p))
      const removed = [...current].filter((p) => !next.has(p))
      if (added.length) watcher.add(added)
      if (removed.length) watcher.unwatch(removed)
      current = next
    },
    ready: () => ready,
    async close() {
      closed = true
      resolveReady()
      for (const timer of rechecks.values()) clearTimeout(timer)
      await watcher?.close()
    },
  }
}
