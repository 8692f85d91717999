// Where in the developer's sources a call in the bundle is: the caller's
// position in the bundle, mapped through the bundle's source map (loaded by
// Node: source maps are on in workers). For import.meta.url and the rest
// (module-meta.ts), and for the import.meta.resolve and computed import() of
// computed-import.ts.
import type { SourceMapping } from 'node:module'
const { findSourceMap } = process.getBuiltinModule('node:module')
const { pathToFileURL } = process.getBuiltinModule('node:url')

/** Where in the sources a call in the bundle is: the source file's URL, 1-based line and column (0 when unmapped), and the bundle's file. */
export interface SourceSite {
  url: string
  line: number
  column: number
  bundle: string | undefined
}

// Call site in the bundle (file:line:column) → the source file's URL. A site
// is mapped once; reading import.meta.url in a request handler then costs a
// one-frame stack capture.
const mapped = new Map<string, SourceSite>()

/** The source position of the call of `caller`. */
export function sourceSite(caller: (...args: never[]) => unknown): SourceSite {
  const { prepareStackTrace, stackTraceLimit } = Error
  const holder: { stack?: NodeJS.CallSite[] } = {}
  let site: NodeJS.CallSite | undefined
  try {
    Error.stackTraceLimit = 1
    Error.prepareStackTrace = (_error, sites) => sites
    Error.captureStackTrace(holder, caller)
    // Formatted on first read, with the prepareStackTrace of that moment.
    site = holder.stack?.[0]
  } finally {
    Error.prepareStackTrace = prepareStackTrace
    Error.stackTraceLimit = stackTraceLimit
  }
  const file = site?.getFileName() ?? undefined
  const line = site?.getLineNumber() ?? 0
  const column = site?.getColumnNumber() ?? 0
  const key = `${file}:${line}:${column}`
  let found = mapped.get(key)
  if (found === undefined) {
    const entry = (file && line && column ? findSourceMap(file)?.findEntry(line - 1, column - 1) : undefined) as Partial<SourceMapping> | undefined
    // Unmapped (no source map): the caller's own file, as before the define.
    found =
      entry?.originalSource !== undefined
        ? { url: toUrl(entry.originalSource), line: entry.originalLine! + 1, column: entry.originalColumn! + 1, bundle: file }
        : { url: toUrl(file ?? `${process.cwd()}/`), line, column, bundle: file }
    mapped.set(key, found)
  }
  return found
}

function toUrl(location: string): string {
  return location.startsWith('file:') ? location : pathToFileURL(location).href
}
