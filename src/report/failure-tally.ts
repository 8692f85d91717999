// A failed request's report, tallied instead of printed each time: for the
// servers `hotcell bench` starts. A handler that threw on 10 % of requests
// printed a full 15-line report per throw (213,924 stderr lines in a 2 s run),
// and rendering them (stack, code frame, a read of the file, a write) was
// timed with the server: the cost of isolation read 0.66× the baseline where
// the same failures returned as 500s read 0.96×. Here the first report of each
// location is printed in full, once; later ones are a map lookup and a count,
// and the counts are said in one line each when the bench is over.
import type { ErrorView } from './error-page.js'
import { userFrame } from './code-frame.js'
import { FAILURE_TITLES } from './fault-views.js'
import { shownPath, type ProjectRoots } from './source-files.js'
import { thousands } from './thousands.js'

export interface FailureTally {
  /** A failed request: `print` (the full report) for the first of its location, a count for the others. */
  report(view: ErrorView, roots: ProjectRoots, print: (view: ErrorView) => void): void
  /** From now on, failures are (true) or are not (false) of a timed run: the check's, the warm-up's and the drain's are said apart. */
  timed(on: boolean): void
  /** One line per location that failed more than once, in the order they first failed. */
  summary(): string[]
}

interface Location {
  /** Where and what, for the summary: `src/throws.ts:5:39 threw`. */
  lead: string
  /** Failures during the timed runs: those the report's table counts. */
  count: number
  /** The others: the correctness check, the warm-up, the drain after a run. */
  untimed: number
}

/** `beforePrint`: called before a first report is printed (the bench ends its live progress line, so the report starts a line of its own). */
export function createFailureTally(beforePrint: () => void = () => {}): FailureTally {
  const seen = new Map<string, Location>()
  let timed = false
  return {
    report(view, roots, print) {
      const key = keyOf(view)
      const known = seen.get(key)
      if (known) {
        if (timed) known.count++
        else known.untimed++
        return
      }
      seen.set(key, { lead: leadOf(view, roots), count: timed ? 1 : 0, untimed: timed ? 0 : 1 })
      beforePrint()
      print(view)
    },
    timed(on) {
      timed = on
    },
    // The warm-up's failures counted with the timed runs' made the line never
    // match the table (6,132 throws beside 4,917 failed requests): said apart.
    summary() {
      return [...seen.values()]
        .filter(({ count, untimed }) => count + untimed > 1)
        .map(({ lead, count, untimed }) => {
          // The drain after each run is requests of the check's kind.
          if (count === 0) return `${lead} ${thousands(untimed)} times in the warm-up and checks, none during the timed runs (first report above)`
          const others = untimed > 0 ? ` and ${thousands(untimed)} more in the warm-up and checks` : ''
          return `${lead} ${thousands(count)} times during the timed runs${others} (first report above)`
        })
    },
  }
}

/**
 * What failed and the first frame of its stack, as the worker sent it (mapped
 * to the .ts source already): a string slice, no parsing. The message is
 * left out, as it often holds an id or a count ('boom 31', 'boom 41').
 */
function keyOf(view: ErrorView): string {
  const stack = view.error?.stack
  if (!stack) return view.title
  const { name, message } = view.error!
  // A message may span lines, and one of them may look like a frame.
  const head = `${name}: ${message}`
  const from = stack.startsWith(head) ? head.length : 0
  const at = stack.indexOf('\n    at ', from)
  if (at === -1) return view.title
  const end = stack.indexOf('\n', at + 1)
  return `${view.title}\n${stack.slice(at + 1, end === -1 ? undefined : end)}`
}

/** `src/throws.ts:5:39 threw`, or the title with the place when there is one: worked out once per location. */
function leadOf(view: ErrorView, roots: ProjectRoots): string {
  const frame = userFrame(view.error?.stack, roots)
  const where = frame && `${shownPath(frame.file, roots)}:${frame.line}:${frame.column}`
  if (where && view.title === FAILURE_TITLES.handler) return `${where} threw`
  return where ? `${view.status} ${view.title} (${where}):` : `${view.status} ${view.title}:`
}
