// The only module that imports chokidar (and picomatch, for --ignore globs).
import { watch, type FSWatcher } from 'chokidar'
import { statSync } from 'node:fs'
import { relative, sep } from 'node:path'
import picomatch from 'picomatch'

export type ChangeKind = 'add' | 'change' | 'unlink'

export interface SourceWatcher {
  /** Watch exactly these folders and files from now on (the set follows the bundle's inputs). */
  set(paths: Iterable<string>): void
  /** Resolves when the first set of paths is scanned: edits from then on are seen. */
  ready(): Promise<void>
  close(): Promise<void>
}

export interface WatchOptions {
  /** Folder `--ignore` globs are relative to. */
  cwd: string
  /** User globs (`--ignore`), matched against paths relative to `cwd` and against absolute paths. */
  ignore: readonly string[]
  onChange(kind: ChangeKind, path: string): void
  onError(error: Error): void
}

// Never worth watching, and watching them is expensive or loops: node_modules
// multiplies the watch count (research §4.3), .hotcell holds our own output.
const ALWAYS_IGNORED = /(^|[\\/])(node_modules|\.git|\.hotcell)([\\/]|$)/
// chokidar drops (not defers) a file's further change events for 50 ms after
// one, so a second save within 50 ms (format-on-save, a quick fix) would be
// lost and the old code served. Each change is re-checked after the window.
const RECHECK_MS = 60

/**
 * Folders are watched rather than single files: only a folder watch sees a
 * new file appear, which is what fixes an "unresolved import" (research §4.2).
 */
export function watchSources(options: WatchOptions): SourceWatcher {
  const userIgnored = options.ignore.length ? picomatch([...options.ignore], { dot: true }) : undefined
  const ignored = (path: string) => {
    if (ALWAYS_IGNORED.test(path)) return true
    if (!userIgnored) return false
    const rel = relative(options.cwd, path)
    return userIgnored(path) || (!rel.startsWith('..') && userIgnored(rel.split(sep).join('/')))
  }
  let watcher: FSWatcher | undefined
  let current = new Set<string>()
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
    const w = watch([...current], { ignored, ignoreInitial: true })
    w.on('add', (path) => options.onChange('add', path))
    w.on('change', changed)
    w.on('unlink', (path) => options.onChange('unlink', path))
    w.on('error', (error) => options.onError(error as Error))
    w.once('ready', resolveReady)
    return w
  }

  return {
    set(paths) {
      const next = new Set(paths)
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
      resolveReady()
      for (const timer of rechecks.values()) clearTimeout(timer)
      await watcher?.close()
    },
  }
}
