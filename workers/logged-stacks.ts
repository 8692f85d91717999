// An Error the app prints itself (`catch (e) { console.error(e) }`, the way
// most apps log) showed its stack as V8 wrote it: the app's frame with an
// absolute path, then the nine frames of hotcell's runtime that called the
// handler. hotcell's reports leave those out and show paths relative to the
// working folder; so does what the app prints now, through any of console's
// methods, util.inspect and util.format, which all format an Error with
// util.inspect. Only the printed text changes: error.stack stays as V8 (and
// the source maps) made it, since code parses it. The worker's console output
// itself is Node's pipe to the terminal, untouched: nothing is added to a
// console.log of strings.
import { FRAME_LINE, type ProjectRoots, shortenFrame, withoutOwnFrames } from './stack-lines.js'

// Not an ESM import of node:util (docs/architecture.md#builtins).
const { inspect } = process.getBuiltinModule('node:util')
type Inspect = typeof inspect

/** Install once per worker, before the bundle is imported. `cwd`: the working folder the paths are shown relative to. */
export function printStacksAsReports(cwd: string): void {
  const roots: ProjectRoots = { cwd, dirs: [cwd] }
  // The errors being formatted right now: the nested call below formats them as Node would.
  const formatting = new Set<object>()
  Object.defineProperty(Error.prototype, inspect.custom, {
    configurable: true,
    writable: true,
    enumerable: false,
    value(this: Error, depth: number, options: object, format: Inspect = inspect) {
      // Returning the error itself tells util.inspect to format it as it always does.
      if (formatting.has(this)) return this
      formatting.add(this)
      try {
        return shownStacks(format(this, { ...options, depth }), roots)
      } finally {
        formatting.delete(this)
      }
    },
  })
}

/** `text` (an error as util.inspect prints it) without hotcell's frames, the project's paths shortened. */
export function shownStacks(text: string, roots: ProjectRoots): string {
  return (
    withoutOwnFrames(text)
      .split('\n')
      // Node's "... 7 lines matching cause stack trace ...": those lines were hotcell's, gone from the cause's stack too.
      .filter((line) => !MATCHING_CAUSE.test(line))
      .map((line) => (FRAME_LINE.test(line) ? shortenFrame(line, roots) : line))
      .join('\n')
  )
}

const MATCHING_CAUSE = /^[^.]*\.\.\. \d+ lines? matching cause stack trace \.\.\./
