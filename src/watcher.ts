// The only module that imports chokidar (and picomatch, for --ignore globs).
import { watch, type FSWatcher } from 'chokidar'
import { relative, sep } from 'node:path'
import picomatch from 'picomatch'

export type ChangeKind = 'add' | 'change' | 'unlink'

export interface SourceWatcher {
  /** Watch exactly these folders and files from now on (the set follows the bundle's inputs). */
  set(paths: Iterable<string>): void
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

  const start = () => {
    const w = watch([...current], { ignored, ignoreInitial: true })
    w.on('add', (path) => options.onChange('add', path))
    w.on('change', (path) => options.onChange('change', path))
    w.on('unlink', (path) => options.onChange('unlink', path))
    w.on('error', (error) => options.onError(error as Error))
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
    async close() {
      await watcher?.close()
    },
  }
}
