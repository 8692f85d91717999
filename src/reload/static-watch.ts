// --static files: their HTML gets the live-reload script, so a save of one
// (a page, a stylesheet, an image) reloads the open tabs. Nothing is built
// or swapped: the files are read per request. Saves that come together (a
// build tool writing its output, a `git checkout`) reload once.
import { relative } from 'node:path'
import type { ChangeKind } from './sources.js'
import { watchFolder } from './watcher.js'

/** Saves within this long of each other reload the tabs once. */
const QUIET_MS = 30

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
  const changed = new Map<string, ChangeKind>()
  let timer: NodeJS.Timeout | undefined
  const flush = () => {
    timer = undefined
    const [first] = changed
    if (!first) return
    const what =
      changed.size === 1 ? `${relative(cwd, first[0]) || first[0]} ${VERB[first[1]]}` : `${changed.size} files changed in ${relative(cwd, dir) || '.'}`
    changed.clear()
    onChanged(`↻ ${what} · open tabs reload`)
  }
  const watcher = watchFolder(dir, {
    ignored,
    onChange(kind, path) {
      changed.set(path, kind)
      clearTimeout(timer)
      timer = setTimeout(flush, QUIET_MS)
    },
    onError,
  })
  return {
    ready: () => watcher.ready(),
    close: () => {
      clearTimeout(timer)
      return watcher.close()
    },
  }
}

const VERB: Record<ChangeKind, string> = { add: 'added', change: 'changed', unlink: 'deleted' }
