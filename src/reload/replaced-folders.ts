// chokidar gives each folder under a root an fs.watch of its own, and learns
// that a folder was deleted only when it reads the parent again and the name
// is missing. A code generator's `rm -rf src/gen && mkdir src/gen` finished
// between two such reads, so the name was still there: chokidar kept the
// deleted folder's watch, which inotify had dropped with the folder. It read
// the new folder's files once but never watched it, and it reported nothing
// from src/gen again, and no error either (2 to 31 runs of a generator on
// ext4, which gives the new folder the inode number just freed). A folder's
// own watch reports 'rename' under the folder's name when the folder is
// deleted or moved. Such a folder is watched afresh under its name
// (watcher.ts) once a folder is there again.
import { readdirSync, statSync, type Dirent } from 'node:fs'
import { join, sep } from 'node:path'
import type { ChangeKind } from './sources.js'
import { LOADABLE } from './sources.js'

export interface ReplacedFolderActions {
  /** Watch the folder afresh: it is there again. */
  rewatch(folder: string): void
  /**
   * The folder is not there: stop watching what it was (its watches are
   * dead, or follow it where it was moved) until it is back. Not chokidar's
   * watch of a missing path: it watches the parent for the name, and a
   * folder made before that watch was in place was never seen.
   */
  gone(folder: string): void
  /** Still under a watched path: a folder outside them is forgotten. */
  wanted(folder: string): boolean
}

export class ReplacedFolders {
  readonly #actions: ReplacedFolderActions
  /** Folders whose own watch said they went, since the last look. */
  readonly #lost = new Set<string>()
  /** Folders that went and are not back: watched afresh when they are. */
  readonly #awaited = new Set<string>()
  #look: NodeJS.Immediate | undefined

  constructor(actions: ReplacedFolderActions) {
    this.#actions = actions
  }

  /**
   * The folder's own watch said 'rename': it was deleted or moved. inotify
   * says it twice (the delete, then the dropped watch), and `mkdir` may have
   * come in the same read: looked at once the read's events are in.
   */
  lost(folder: string): void {
    this.#lost.add(folder)
    this.#look ??= setImmediate(() => this.#settle())
  }

  /** A name in a watched folder's event: an awaited folder may be back. One Set look-up for each event. */
  named(path: string): void {
    if (this.#awaited.has(path)) this.lost(path)
  }

  /** The awaited folders, looked at now: a root's parent is not watched, and a parent's event may come before the folder's own. */
  check(): void {
    for (const folder of this.#awaited) if (isFolder(folder)) this.lost(folder)
  }

  close(): void {
    clearImmediate(this.#look)
    this.#lost.clear()
    this.#awaited.clear()
  }

  #settle(): void {
    this.#look = undefined
    const folders = [...this.#lost]
    this.#lost.clear()
    for (const folder of folders) {
      // Inside another one watched afresh now (rm -rf of a parent): its watch covers this one.
      if (folders.some((other) => folder.startsWith(other + sep))) continue
      for (const awaited of this.#awaited) if (within(folder, awaited)) this.#awaited.delete(awaited)
      if (!this.#actions.wanted(folder)) continue
      if (isFolder(folder)) this.#actions.rewatch(folder)
      else {
        this.#awaited.add(folder)
        this.#actions.gone(folder)
      }
    }
    for (const awaited of this.#awaited) if (!this.#actions.wanted(awaited)) this.#awaited.delete(awaited)
  }
}

/**
 * What to report once a folder watched afresh is scanned, so that the build
 * reads it as it is now: what chokidar knew in the old folder, changed or
 * deleted, and the files in the new one it did not know, added. The folder
 * is read after the new watch is in place, so that a file written while
 * chokidar read the folder and before it watched it (a generator still
 * writing) is found here: each file is either here or in a later event.
 */
export function changesAfterRewatch(folder: string, known: readonly string[], ignored: (path: string) => boolean): [ChangeKind, string][] {
  const now = new Set(loadableFiles(folder, ignored))
  const changes: [ChangeKind, string][] = []
  for (const file of known) changes.push([now.has(file) ? 'change' : 'unlink', file])
  const knew = new Set(known)
  for (const file of now) if (!knew.has(file)) changes.push(['add', file])
  return changes
}

/** What chokidar lists of its watched folders (FSWatcher.getWatched()). */
export interface WatchedListing {
  getWatched(): Record<string, string[]>
}

/** The files esbuild can load that the watchers know in `folder`. */
export function knownFiles(watchers: Iterable<WatchedListing>, folder: string): string[] {
  const files = new Set<string>()
  for (const w of watchers) {
    const watched = w.getWatched()
    for (const [dir, names] of Object.entries(watched)) {
      if (!within(folder, dir)) continue
      for (const name of names) {
        const path = join(dir, name)
        if (!(path in watched) && LOADABLE.test(path)) files.add(path)
      }
    }
  }
  return [...files]
}

/** Everything `w` watches in `folder`: its folders and their entries. */
export function watchedIn(w: WatchedListing, folder: string): string[] {
  return Object.entries(w.getWatched()).flatMap(([dir, names]) => (within(folder, dir) ? names.map((name) => join(dir, name)) : []))
}

function loadableFiles(folder: string, ignored: (path: string) => boolean): string[] {
  const files: string[] = []
  let entries: Dirent[]
  try {
    entries = readdirSync(folder, { withFileTypes: true })
  } catch {
    return files
  }
  for (const entry of entries) {
    const path = join(folder, entry.name)
    if (ignored(path)) continue
    if (entry.isDirectory()) files.push(...loadableFiles(path, ignored))
    else if (entry.isFile() && LOADABLE.test(path)) files.push(path)
  }
  return files
}

function isFolder(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true
}

/** `path` is `folder` or inside it. */
export function within(folder: string, path: string): boolean {
  return path === folder || path.startsWith(folder + sep)
}
