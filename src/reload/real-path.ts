// esbuild names inputs by their real paths; the watcher names a file by the
// path it watched, which may go through a symlinked folder.
import { realpathSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

/** `path` with its links resolved. A deleted file's is its folder's real path and its name; failing that, the path as given. */
export function realPathOf(path: string): string {
  try {
    return realpathSync.native(path)
  } catch {
    try {
      return join(realpathSync.native(dirname(path)), basename(path))
    } catch {
      return path
    }
  }
}
