// Files watched by name, present or not: the env files, the package
// manager's files (package.json, the lockfiles) and the TypeScript configs. Node's fs.watch on their
// folders, not chokidar: chokidar watches an absent file through its folder,
// the project's, and at every event in that folder it read the whole folder
// again (readdir, and lstat of every entry), on the main thread's event loop
// and the libuv pool. Apps write their logs and SQLite files there: 500
// appends a second to ./app.log cost the server 21 % of a core, and an app
// logging each request to ./requests.log served 18 % fewer requests than
// with its log elsewhere (Node 20). Here an unrelated event costs a lookup of
// its file name. And a file created after the start (`npm install` in a
// folder without package.json) is seen like any other change.
import { statSync, watch, type FSWatcher } from 'node:fs'
import { basename, dirname } from 'node:path'
import type { ChangeKind } from './sources.js'

export interface NamedFileWatch {
  close(): void
}

export interface NamedFileWatchOptions {
  onChange(kind: ChangeKind, path: string): void
  onError(error: Error): void
}

/** Watch `paths` (absolute, present or not) for being created, changed and deleted. */
export function watchNamedFiles(paths: readonly string[], { onChange, onError }: NamedFileWatchOptions): NamedFileWatch {
  // Folder → file name → path; and what each file was when last looked at.
  const folders = new Map<string, Map<string, string>>()
  const seen = new Map<string, string>()
  for (const path of paths) {
    const folder = folders.get(dirname(path)) ?? new Map<string, string>()
    folders.set(dirname(path), folder.set(basename(path), path))
    seen.set(path, fingerprint(path))
  }
  const look = (path: string) => {
    const now = fingerprint(path)
    const before = seen.get(path)
    if (now === before) return
    seen.set(path, now)
    onChange(before === ABSENT ? 'add' : now === ABSENT ? 'unlink' : 'change', path)
  }
  const watchers: FSWatcher[] = []
  for (const [folder, names] of folders) {
    try {
      // Not persistent: the server's socket keeps the process alive, and a closing server must not wait for this.
      const watcher = watch(folder, { persistent: false }, (_event, name) => {
        // Some platforms do not say which file: look at all of this folder's.
        if (name == null) for (const path of names.values()) look(path)
        else {
          const path = names.get(String(name))
          if (path) look(path)
        }
      })
      watcher.on('error', onError)
      watchers.push(watcher)
    } catch (error) {
      // A folder that does not exist (node_modules before the first install): its files appear with the folder's parent's.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') onError(error as Error)
    }
  }
  return {
    close() {
      for (const watcher of watchers) watcher.close()
    },
  }
}

const ABSENT = 'absent'

/** Changes with any write: a save that keeps the size still moves mtime and ctime. */
function fingerprint(path: string): string {
  try {
    const stats = statSync(path)
    return `${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`
  } catch {
    return ABSENT
  }
}
