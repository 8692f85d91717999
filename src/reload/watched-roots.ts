// The folders chokidar watches at the top (the roots: src/, ../gen, a
// linked package) can be replaced or moved under it, and chokidar does not
// follow: after `rm -rf gen && mkdir gen` (a code generator) its watcher
// stayed on the deleted folder, and after `mv lib lib2` on the moved one,
// reporting lib2's edits under lib's name. Either way the real folder's
// saves were never seen again. Told apart here by the folder's identity
// (device, inode and birth time): a root whose identity changed is watched afresh
// (watcher.ts). An inotify watch says nothing when its folder's parent is
// renamed, so the roots are also looked at once a second.
import { statSync } from 'node:fs'

export class WatchedRoots {
  /** Root folder -> its identity when it was last looked at; undefined while it does not exist. */
  readonly #ids = new Map<string, string | undefined>()

  /** Look at `root` now: what it is from now on is what it should stay. A file (a `--watch` file) is not tracked. */
  record(root: string): void {
    const stats = statSync(root, { throwIfNoEntry: false })
    if (stats && !stats.isDirectory()) return
    const id = folderIdentity(root)
    if (id !== undefined || !this.#ids.has(root)) this.#ids.set(root, id)
  }

  forget(root: string): void {
    this.#ids.delete(root)
  }

  has(root: string): boolean {
    return this.#ids.has(root)
  }

  /**
   * The roots replaced or gone since they were looked at. Each is reported
   * once: what it is now is recorded. A root that appears is not: chokidar
   * watches the parent of a missing path and reports what comes in it.
   */
  lost(): string[] {
    const lost: string[] = []
    for (const [root, was] of this.#ids) {
      const now = folderIdentity(root)
      if (now === was) continue
      this.#ids.set(root, now)
      if (was !== undefined) lost.push(root)
    }
    return lost
  }
}

// The inode alone is not enough: `rm -rf gen && mkdir gen` gave the new
// folder the number just freed (ext4). Its birth time tells them apart where
// the file system keeps one (statx); elsewhere it reads 0, and only a new
// inode number is seen.
export function folderIdentity(path: string): string | undefined {
  const stats = statSync(path, { throwIfNoEntry: false })
  return stats?.isDirectory() ? `${stats.dev}:${stats.ino}:${stats.birthtimeMs}` : undefined
}
