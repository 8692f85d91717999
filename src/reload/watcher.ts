// The only module that imports chokidar. What to watch, and whether a change
// matters, is decided by sources.ts; this module reports what it sees.
import { watch, type FSWatcher } from 'chokidar'
import { statSync } from 'node:fs'
import { basename, join } from 'node:path'
import { RawPresence } from './raw-presence.js'
import { LOADABLE, type ChangeKind } from './sources.js'

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
  /** fs.watch's event for `path`, before chokidar's own checks (an fs.stat) turn it into a change. */
  onRaw?(path: string): void
  onError(error: Error): void
}

// chokidar drops (not defers) a file's further change events for 50 ms after
// one, so a second save within 50 ms (format-on-save, a quick fix) would be
// lost and the old code served. Each change is re-checked after the window.
const RECHECK_MS = 60

// A save's raw event (fs.watch: inotify on Linux) comes ~1 ms before
// chokidar's change, which first waits for an fs.stat on libuv's thread pool:
// a tenth of a reload (bench/reload-phases.ts). So a raw 'change' of a file
// esbuild can load is reported at once, and chokidar's change for that file
// soon after is dropped as its echo: every write gives a raw event of its own.
// New, deleted and renamed files are reported from their raw events too
// (raw-presence.ts). Atomic saves go by chokidar's change, and any other
// event of a file ends the wait for an echo, so that chokidar's change after
// an atomic save is never taken for one.
const ECHO_MS = 1_000
const PRUNE_AT = 256

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
  /** Files that appeared or went, told from raw events: chokidar's add or unlink soon after is an echo. */
  const presence = new RawPresence()
  /** File → when its raw change was reported: chokidar's change for it soon after is an echo. */
  const early = new Map<string, number>()
  const isEcho = (path: string) => {
    const at = early.get(path)
    early.delete(path)
    return at !== undefined && performance.now() - at < ECHO_MS
  }
  const reportEarly = (path: string) => {
    const now = performance.now()
    early.delete(path)
    early.set(path, now)
    // An echo chokidar never sent (it drops a file's changes for 50 ms after one): oldest first.
    if (early.size > PRUNE_AT)
      for (const [old, at] of early) {
        if (now - at < ECHO_MS) break
        early.delete(old)
      }
    options.onChange('change', path)
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
    const other = (kind: 'add' | 'unlink') => (path: string) => {
      early.delete(path)
      if (!presence.isEcho(kind, path) && !closed) options.onChange(kind, path)
    }
    w.on('add', other('add'))
    w.on('change', (path) => isEcho(path) || changed(path))
    w.on('unlink', other('unlink'))
    w.on('error', (error) => options.onError(error as Error))
    w.on('raw', (event, name, details) => {
      const watched = (details as { watchedPath?: unknown } | undefined)?.watchedPath
      if (closed || typeof watched !== 'string' || typeof name !== 'string') return
      // chokidar watches each file and its folder: the file's own watcher names itself.
      const tracked = basename(watched) === name
      const path = tracked ? watched : join(watched, name)
      options.onRaw?.(path)
      // Anything else (an app's log) goes by chokidar's events: no fs.stat here for each of its writes.
      if (!LOADABLE.test(path) || options.ignored(path)) return
      const present = statSync(path, { throwIfNoEntry: false })?.isFile() === true
      // A deleted file's own watcher says 'change' too (its link count dropped):
      // not a save. Reported as a change, it made two reloads of one rm, the
      // first building without the file.
      if (event === 'change' && present) reportEarly(path)
      else early.delete(path)
      const kind = presence.seen(path, { tracked, present, event })
      if (kind === 'unlink') options.onChange(kind, path)
      else if (kind === 'add') {
        options.onChange(kind, path)
        // chokidar says change instead when the name was taken moments ago: an
        // unlink it still holds back and this add are one atomic save to it.
        reportEarly(path)
      }
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
