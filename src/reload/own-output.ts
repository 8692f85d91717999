// The file this process's output goes to, when it goes to one: `hotcell
// app.ts --watch . > out.txt`. Under a watched folder, each line hotcell
// printed changed it, and each change reloaded, which printed a line: ~20
// reloads a second with no edit. Known by identity (device and inode, from
// fstat of stdout and stderr), so whatever its name. Output piped to another
// program (`| tee dev.txt`) is not a file here: reload-loop.ts stops that one.
import { fstatSync, statSync } from 'node:fs'

export class OwnOutput {
  /** `dev:ino` of stdout and stderr, those that are regular files. */
  readonly #files = new Set<string>()

  constructor(fds: readonly number[] = [1, 2]) {
    for (const fd of fds) {
      try {
        const stats = fstatSync(fd)
        if (stats.isFile()) this.#files.add(`${stats.dev}:${stats.ino}`)
      } catch {
        // Closed, or not a descriptor this process has: nothing is written there.
      }
    }
  }

  /** `path` is where this process's output goes. One stat, only while the output goes to a file. */
  has(path: string): boolean {
    if (this.#files.size === 0) return false
    const stats = statSync(path, { throwIfNoEntry: false })
    return stats !== undefined && this.#files.has(`${stats.dev}:${stats.ino}`)
  }
}
