// The source lines an error's frames point at, as the code that ran was built
// from them. The main thread reads code frames from the files on disk, which
// is right only while the code running is the code on disk: a request that
// straddles a save, or a retiring generation's timer, throws from the code
// before the save, and its line numbers then point into a file that has moved
// on. The worker that ran the code has the bundle's source map loaded already
// (source maps are on in workers), and each input's text as esbuild read it
// (its sourcesContent) is in a file beside the map (workers/bundle-map.ts),
// read at the first error: the lines come from there, and cross the thread
// boundary with the error's data.
import type { ErrorData, SourceExcerpt } from '../src/pool/protocol.js'
import { sourcesContentOf } from './bundle-map.js'
const { findSourceMap } = process.getBuiltinModule('node:module')
const { fileURLToPath } = process.getBuiltinModule('node:url')

// As many lines as the browser page (Youch) shows around a frame: 11, the
// frame's line in the middle, or the first or last 11 of the file near its
// start or end. The text page and the terminal show 7 of them.
const WINDOW = 11
// A deep recursion must not send the same lines ten times, nor every frame
// of a long stack: the pages show the first frames of the developer's code.
const MAX_FRAMES = 10

// `at fn (/abs/file.ts:12:5)`, `at /abs/file.ts:12:5`, `at file:///abs/…`
const FRAME = /^\s+at (?:.*\()?((?:file:\/\/)?\/[^():]+|[A-Za-z]:\\[^():]+):(\d+):(\d+)\)?$/

interface Sources {
  /** A source by its path, as mapped stacks name it, and by its file: URL. */
  index: Map<string, number>
  content: readonly (string | null | undefined)[]
  /** Where each line starts in a source's text, worked out the first time a frame points into it. */
  lineStarts: Map<number, number[]>
}

let bundleUrl: string | undefined
let sources: Sources | null | undefined

/** The bundle this worker runs: its source map is the one the excerpts come from. */
export function readSourcesFrom(url: string): void {
  bundleUrl = url
  sources = undefined
}

/** The lines around each frame of `stack` in the bundle's sources; undefined when there are none. */
export function sourceExcerpts(stack: string | undefined): SourceExcerpt[] | undefined {
  if (!stack || !bundleUrl) return undefined
  if (sources === undefined) sources = loadSources(bundleUrl)
  const found = sources
  if (!found) return undefined
  let excerpts: SourceExcerpt[] | undefined
  let frames = 0
  for (const line of stack.split('\n')) {
    const match = FRAME.exec(line)
    if (!match) continue
    const i = found.index.get(match[1]!)
    const text = i === undefined ? undefined : found.content[i]
    if (typeof text !== 'string') continue
    const excerpt = excerptOf(text, found, i!, Number(match[2]))
    if (!excerpt) continue
    const file = match[1]!.startsWith('file:') ? fileURLToPath(match[1]!) : match[1]!
    excerpts ??= []
    if (!excerpts.some((e) => e.file === file && e.first === excerpt.first)) excerpts.push({ file, ...excerpt })
    if (++frames === MAX_FRAMES) break
  }
  return excerpts
}

/** `error` with the excerpts of its own stack (one hotcell wrote: the import or the handler it names), not of another's. */
export function withSources(error: ErrorData): ErrorData {
  const excerpts = sourceExcerpts(error.stack)
  if (excerpts) error.sources = excerpts
  else delete error.sources
  return error
}

function loadSources(url: string): Sources | null {
  let payload: { sources?: string[]; sourcesContent?: (string | null)[] }
  try {
    // Keyed by the URL when the bundle was import()ed, by its path when require()d (bundle-import.ts).
    const map = findSourceMap(url) ?? findSourceMap(fileURLToPath(url))
    if (!map) return null
    // Node resolves the map's sources to file: URLs; `payload` is a copy, taken once.
    payload = map.payload
  } catch {
    return null
  }
  // Node's copy of the map has no text when it was written apart (src/reload/lean-source-map.ts).
  const content = payload.sourcesContent ?? sourcesContentOf(fileURLToPath(url))
  if (!content || !payload.sources) return null
  const index = new Map<string, number>()
  for (const [i, source] of payload.sources.entries()) {
    index.set(source, i)
    if (source.startsWith('file:')) index.set(fileURLToPath(source), i)
  }
  return { index, content, lineStarts: new Map() }
}

function excerptOf(text: string, found: Sources, i: number, line: number): Omit<SourceExcerpt, 'file'> | undefined {
  let starts = found.lineStarts.get(i)
  if (!starts) {
    starts = [0]
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) starts.push(at + 1)
    found.lineStarts.set(i, starts)
  }
  const total = starts.length
  if (line < 1 || line > total) return undefined
  const half = (WINDOW - 1) / 2
  const first = Math.max(1, Math.min(line - half, total - WINDOW + 1))
  const last = Math.min(total, first + WINDOW - 1)
  let end = last < total ? starts[last]! - 1 : text.length
  if (text[end - 1] === '\r') end--
  return { first, lines: text.slice(starts[first - 1], end).split(/\r?\n/) }
}
