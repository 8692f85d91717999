const { findSourceMap } = process.getBuiltinModule('node:module')
const { dirname, isAbsolute, resolve } = process.getBuiltinModule('node:path')
const { fileURLToPath } = process.getBuiltinModule('node:url')
// Where the handler is defined in the sources. An error hotcell raises about
// the handler once it has returned (a fetch handler run as a Node one,
// node-adapter.ts) has no frame of the app on its stack, so the pages would
// show no place at all. V8 tells where a function is only to a debugger, but
// a function's text (Function.prototype.toString) is the very slice of the
// bundle it was compiled from: found there, its position maps through the
// bundle's source map to the .ts line that defines it.

// Loaded in every worker (app-loader.ts): not an ESM import of node:fs (docs/architecture.md#builtins).
const { readFileSync } = process.getBuiltinModule('node:fs')

/** 1-based, as in a stack frame. */
export interface SourceLocation {
  file: string
  line: number
  column: number
}

// Read and searched once per handler: the error comes back on every request until the next save.
const known = new WeakMap<object, SourceLocation | null>()

/** Where `fn` is defined, if its text is in the bundle at `bundleUrl` exactly once and the source map covers it. */
export function definitionOf(fn: (...args: never[]) => unknown, bundleUrl: string): SourceLocation | undefined {
  let where = known.get(fn)
  if (where === undefined) {
    where = search(fn, bundleUrl) ?? null
    known.set(fn, where)
  }
  return where ?? undefined
}

function search(fn: (...args: never[]) => unknown, bundleUrl: string): SourceLocation | undefined {
  const text = Function.prototype.toString.call(fn)
  // A bound or built-in function has no text of its own.
  if (text.endsWith('[native code] }')) return undefined
  let bundle: string
  let source: string
  try {
    bundle = fileURLToPath(bundleUrl)
    source = readFileSync(bundle, 'utf8')
  } catch {
    return undefined
  }
  const at = source.indexOf(text)
  // Twice (two identical one-liners): either could be it, so neither is named.
  if (at === -1 || source.indexOf(text, at + 1) !== -1) return undefined
  const lineStart = source.lastIndexOf('\n', at - 1) + 1
  let line = 0
  for (let i = source.indexOf('\n'); i !== -1 && i < at; i = source.indexOf('\n', i + 1)) line++
  return mapped(bundle, bundleUrl, line, at - lineStart)
}

/** A 0-based position of the bundle in the sources, through the map Node read with it (source maps are on in workers). */
function mapped(bundle: string, bundleUrl: string, line: number, column: number): SourceLocation | undefined {
  // Keyed by the URL when the bundle was import()ed, by its path when require()d (bundle-import.ts).
  const map = findSourceMap(bundleUrl) ?? findSourceMap(bundle)
  const entry = map?.findEntry(line, column) as { originalSource?: string; originalLine?: number; originalColumn?: number } | undefined
  const source = entry?.originalSource
  if (!source || entry.originalLine === undefined) return undefined
  const file = source.startsWith('file:') ? fileURLToPath(source) : isAbsolute(source) ? source : resolve(dirname(bundle), source)
  return { file, line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 }
}
