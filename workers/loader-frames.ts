// An error thrown while the bundle is imported has Node's module loader under
// the app's top-level frame: ModuleJob.run, ModuleLoader.import, and for a
// CommonJS package Module._compile and the translators. That is the import
// hotcell made, nothing the developer wrote or can act on, so load errors
// drop Node's internal frames as the pages drop hotcell's own, without the
// "… n frames inside Node.js" line the pages give other runs of Node's
// frames (src/report/node-frames.ts). Frames of the app, of its packages and
// of Node's public modules (node:fs) stay here; the pages count the latter.
import type { ErrorData } from '../src/pool/protocol.js'

// `at ModuleJob.run (node:internal/…)`, `at async node:internal/…` (Node 24 names no function there).
const NODE_INTERNAL = /^\s+at (?:async )?(?:[^(]* \()?node:internal\//
// Node 22+ runs each import inside a diagnostics_channel trace.
const LOADER_TRACE = /^\s+at (?:async )?TracingChannel\.trace\w* \(node:diagnostics_channel:/

/** `error` and its causes and members, without Node's internal frames in their stacks. */
export function withoutLoaderFrames(error: ErrorData): ErrorData {
  const data: ErrorData = { ...error }
  if (error.stack !== undefined) {
    data.stack = error.stack
      .split('\n')
      .filter((line) => !NODE_INTERNAL.test(line) && !LOADER_TRACE.test(line))
      .join('\n')
  }
  if (error.cause) data.cause = withoutLoaderFrames(error.cause)
  if (error.errors) data.errors = error.errors.map(withoutLoaderFrames)
  return data
}
