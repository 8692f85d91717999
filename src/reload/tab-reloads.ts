// Saves that only the open tabs need to see (a --static file, a view the app
// reads per request): one line, and the tabs reload. Nothing is built or
// swapped. Saves that come together (a build tool writing its output, a `git
// checkout`) reload once.
import { relative } from 'node:path'
import type { ChangeKind } from './sources.js'

/** Saves within this long of each other reload the tabs once. */
const QUIET_MS = 30

export interface TabReloads {
  note(kind: ChangeKind, path: string): void
  close(): void
}

/** `onChanged`: say the line and reload the tabs. `cwd`: paths are named relative to it; `where`: the folder a line of several files names. */
export function tabReloads(cwd: string, onChanged: (line: string) => void, where?: string): TabReloads {
  const changed = new Map<string, ChangeKind>()
  let timer: NodeJS.Timeout | undefined
  const flush = () => {
    timer = undefined
    const [first] = changed
    if (!first) return
    const several = `${changed.size} files changed${where === undefined ? '' : ` in ${relative(cwd, where) || '.'}`}`
    const what = changed.size === 1 ? `${relative(cwd, first[0]) || first[0]} ${VERB[first[1]]}` : several
    changed.clear()
    onChanged(`↻ ${what} · open tabs reload`)
  }
  return {
    note(kind, path) {
      // Created, then written: added.
      changed.set(path, kind === 'change' && changed.get(path) === 'add' ? 'add' : kind)
      clearTimeout(timer)
      timer = setTimeout(flush, QUIET_MS)
    },
    close: () => clearTimeout(timer),
  }
}

const VERB: Record<ChangeKind, string> = { add: 'added', change: 'changed', unlink: 'deleted' }
