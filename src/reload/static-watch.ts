// --static files: their HTML gets the live-reload script, so a save of one
// (a page, a stylesheet, an image) reloads the open tabs. Nothing is built
// or swapped: the files are read per request (tab-reloads.ts).
import { tabReloads } from './tab-reloads.js'
import { watchFolder } from './watcher.js'

export interface StaticWatchOptions {
  dir: string
  /** Paths named in the line relative to it. */
  cwd: string
  ignored(path: string): boolean
  /** Some files changed: say `line`, and reload the tabs. */
  onChanged(line: string): void
  onError(error: Error): void
}

export function watchStaticFiles({ dir, cwd, ignored, onChanged, onError }: StaticWatchOptions): { ready(): Promise<void>; close(): Promise<void> } {
  const tabs = tabReloads(cwd, onChanged, dir)
  const watcher = watchFolder(dir, { ignored, onChange: (kind, path) => tabs.note(kind, path), onError })
  return {
    ready: () => watcher.ready(),
    close: () => {
      tabs.close()
      return watcher.close()
    },
  }
}
