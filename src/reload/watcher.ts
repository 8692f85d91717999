// The only module that imports chokidar. What to watch, and whether a change
// matters, is decided by sources.ts; this module reports what it sees.
import { watch, type FSWatcher } from 'chokidar'
import { existsSync, statSync } from 'node:fs'
import { basename, dirname, join, sep } from 'node:path'
import { RawPresence } from './raw-presence.js'
import { changesAfterRewatch, knownFiles, ReplacedFolders, watchedIn, within } from './replaced-folders.js'
import { folderIdentity, WatchedRoots } from './watched-roots.js'
import { LOADABLE, type ChangeKind } from './sources.js'
import { EarlyChanges } from './early-changes.js'
import { ChangeRechecks } from './change-rechecks.js'

export interface SourceWatcher {
  /**
   * Watch exactly these folders and files from now on (the set follows the
   * bundle's inputs). When it adds paths: a promise of them, resolved when
   * they are scanned (what changed in them before has no event: scan-gap.ts).
   */
  set(paths: Iterable<string>): Promise<string[]> | undefined
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

// How often the roots are looked at for a move of a parent folder, which no watch reports (watched-roots.ts).
const ROOT_CHECK_MS = 1_000

/**
 * Folders are watched rather than single files: only a folder watch sees a
 * new file appear, which is what fixes an "unresolved import".
 *
 * Each set of added paths gets a chokidar instance of its own (they share
 * one fs.watch per folder): chokidar's add() says nothing when its scan
 * ends, and a new instance's 'ready' does. chokidar reads a folder and only
 * then watches it, and a folder added after the start reports none of the
 * files its scan finds: a file created during the scan (`mkdir shared` and
 * a file in it, for an import the last build could not resolve) had no event
 * at all. Folders let go (src/ once its parent is watched) are unwatched only
 * when the new scan ends, so that they have no such gap.
 */
export function watchSources(options: WatchOptions): SourceWatcher {
  /** The chokidar instances, each with the paths it still watches. */
  const instances = new Map<FSWatcher, Set<string>>()
  let current = new Set<string>()
  /** Folders inside the roots watched afresh by an instance of their own (replaced-folders.ts). */
  const nested = new Set<string>()
  let closed = false
  /** Files that appeared or went, told from raw events: chokidar's add or unlink soon after is an echo. */
  const presence = new RawPresence()
  /** Saves told from raw events: chokidar's change soon after is an echo (early-changes.ts). */
  const early = new EarlyChanges((path) => options.onChange('change', path))
  /** chokidar's changes, each checked again once its 50 ms window has passed (change-rechecks.ts). */
  const rechecks = new ChangeRechecks(
    (path) => options.onChange('change', path),
    () => closed,
  )
  let ready: Promise<void> | undefined
  /** Resolves the scans still running at close(). */
  const scans = new Set<() => void>()
  const roots = new WatchedRoots()
  const checkRoots = () => {
    if (!closed) for (const root of roots.lost()) replaced.lost(root)
  }
  const replaced = new ReplacedFolders({
    rewatch: (folder) => rewatch(folder),
    gone: (folder) => {
      for (const file of letGo(folder)) if (!existsSync(file)) options.onChange('unlink', file)
    },
    wanted: (folder) => [...current, ...nested].some((root) => within(root, folder)),
  })
  const rootCheck = setInterval(() => {
    checkRoots()
    replaced.check()
  }, ROOT_CHECK_MS)
  rootCheck.unref()

  /**
   * chokidar has a folder entry for `dir` (a file's own watch has none) and,
   * given `name`, lists it there. `_watched` is in chokidar's declarations;
   * getWatched() would sort every folder's names at each file of a checkout.
   */
  const known = (dir: string, name?: string) => {
    for (const w of instances.keys()) {
      const entry = w._watched instanceof Map ? w._watched.get(dir) : w.getWatched()[dir]
      if (entry && (name === undefined || (Array.isArray(entry) ? entry.includes(name) : entry.has(name)))) return true
    }
    return false
  }
  /** chokidar lists `path` in its folder: it was there before this raw event, which comes before chokidar reads the folder again. */
  const listed = (path: string) => known(dirname(path), basename(path))

  const start = (paths: string[]): Promise<void> => {
    const w = watch(paths, { ignored: options.ignored, ignoreInitial: true })
    instances.set(w, new Set(paths))
    const other = (kind: 'add' | 'unlink') => (path: string) => {
      early.forget(path)
      if (!presence.isEcho(kind, path) && !closed) options.onChange(kind, path)
    }
    w.on('add', other('add'))
    w.on('change', (path) => early.isEcho(path) || rechecks.changed(path))
    w.on('unlink', other('unlink'))
    w.on('error', (error) => options.onError(error as Error))
    w.on('raw', (event, name, details) => {
      const watched = (details as { watchedPath?: unknown } | undefined)?.watchedPath
      if (closed || typeof watched !== 'string' || typeof name !== 'string') return
      // chokidar watches each file and its folder: the file's own watcher names itself.
      const tracked = basename(watched) === name
      const path = tracked ? watched : join(watched, name)
      options.onRaw?.(path)
      if (event === 'rename') {
        // A root folder's own watcher: it was deleted or moved (watched-roots.ts).
        if (tracked && roots.has(path)) return checkRoots()
        // A folder's own, inside a root: chokidar may keep its dead watch (replaced-folders.ts).
        if (tracked && known(path)) return replaced.lost(path)
        replaced.named(path)
      }
      // Anything else (an app's log) goes by chokidar's events: no fs.stat here for each of its writes.
      if (!LOADABLE.test(path) || options.ignored(path)) return
      const present = statSync(path, { throwIfNoEntry: false })?.isFile() === true
      // A deleted file's own watcher says 'change' too (its link count dropped):
      // not a save. Reported as a change, it made two reloads of one rm, the
      // first building without the file.
      if (event === 'change' && present) early.report(path)
      // The other raw events of an atomic save leave a change reported from them waiting for its echo: the fingerprint decides.
      else if (!present) early.forget(path)
      const kind = presence.seen(path, { tracked, present, event })
      if (kind === 'unlink') options.onChange(kind, path)
      else if (kind === 'add') {
        // A name chokidar lists already was replaced, not created: an atomic
        // save (sed -i, an editor's safe write). Said added, a save of a file
        // no build reads (a linked package's: packages stay outside the bundle) was logged "added".
        if (!listed(path)) options.onChange(kind, path)
        // chokidar says change instead when the name was taken moments ago: an
        // unlink it still holds back and this add are one atomic save to it.
        early.report(path)
      }
    })
    return new Promise<void>((resolve) => {
      const done = () => {
        scans.delete(done)
        resolve()
      }
      scans.add(done)
      w.once('ready', () => {
        // What each root is now is what it should stay.
        for (const path of paths) if (instances.get(w)?.has(path)) roots.record(path)
        done()
      })
    })
  }
  /**
   * A folder replaced or moved (a root, or one inside a root): watched afresh
   * under its name, in an instance of its own, and once that scan ends (so
   * that the build reads after the watch is in place) what changed in it is
   * reported (replaced-folders.ts).
   */
  const rewatch = (folder: string) => {
    if (closed) return
    const known = letGo(folder)
    if (!current.has(folder)) nested.add(folder)
    const id = folderIdentity(folder)
    void start([folder]).then(() => {
      if (closed) return
      // Replaced again while chokidar read it: its watch may be on the one before.
      if (folderIdentity(folder) !== id) replaced.lost(folder)
      for (const [kind, path] of changesAfterRewatch(folder, known, options.ignored)) options.onChange(kind, path)
    })
  }
  /**
   * Stop watching `folder`: its own instance closes, and those watching it as
   * part of a root close its watches and ignore it from now on (a path's
   * fs.watch is shared: a new instance would get the dead one). What
   * chokidar knew in it is returned.
   */
  const letGo = (folder: string) => {
    const known = knownFiles(instances.keys(), folder)
    for (const [w, held] of instances)
      if (!held.has(folder) && [...held].some((root) => folder.startsWith(root + sep))) w.unwatch([folder, ...watchedIn(w, folder)])
    release([folder])
    return known
  }
  /** Let go of paths another instance watches now; an instance left with none is closed. */
  const release = (paths: string[]) => {
    for (const path of paths)
      for (const [w, held] of instances) {
        if (!held.delete(path)) continue
        // Still watched by a newer instance (set again before this release): still a root.
        if (![...instances.values()].some((other) => other.has(path))) roots.forget(path)
        if (held.size) w.unwatch(path)
        else {
          instances.delete(w)
          shut(w).catch(options.onError)
        }
        break
      }
  }

  return {
    set(paths) {
      const next = new Set(paths)
      if (closed) return undefined
      const added = [...next].filter((p) => !current.has(p))
      // A folder watched afresh goes with the root it was in.
      const kept = [...next].filter((p) => current.has(p))
      const orphans = [...nested].filter((folder) => !kept.some((root) => within(root, folder)))
      for (const folder of orphans) nested.delete(folder)
      const removed = [...current].filter((p) => !next.has(p)).concat(orphans)
      current = next
      if (!added.length) {
        release(removed)
        return undefined
      }
      const scanned = start(added)
      ready ??= scanned
      if (removed.length) void scanned.then(() => closed || release(removed))
      return scanned.then(() => added)
    },
    ready: () => ready ?? Promise.resolve(),
    async close() {
      closed = true
      clearInterval(rootCheck)
      replaced.close()
      for (const done of scans) done()
      rechecks.close()
      await Promise.all([...instances.keys()].map(shut))
      instances.clear()
    },
  }
}

/**
 * Close `w` for good. A file's watch callback still running when it closed
 * (its fs.stat fails: the file was deleted) calls chokidar's add(), which
 * opens the instance again: after a generator's runs, the watches of a
 * replaced folder's old instance kept the server from exiting at Ctrl-C.
 */
function shut(w: FSWatcher): Promise<void> {
  w.add = () => w
  return w.close()
}

/**
 * Every file under `dir` (--static): what changed, as chokidar reports it.
 * Nothing is built from them, so none of the source watcher's care for
 * saves that must not be lost applies: a tab reloads and reads them again.
 */
export function watchFolder(dir: string, options: Pick<WatchOptions, 'ignored' | 'onChange' | 'onError'>): Pick<SourceWatcher, 'ready' | 'close'> {
  const w = watch(dir, { ignored: options.ignored, ignoreInitial: true })
  const ready = new Promise<void>((resolve) => w.once('ready', () => resolve()))
  for (const kind of ['add', 'change', 'unlink'] as const) w.on(kind, (path: string) => options.onChange(kind, path))
  w.on('error', (error) => options.onError(error as Error))
  return { ready: () => ready, close: () => w.close() }
}
