// Where in the sources did code that runs in hotcell's own process (the
// config file) throw? Workers map their stacks with Node's source-map support,
// but turning that on here would change every stack of the main thread for the
// sake of one import: the one frame needed is mapped by hand instead.
import { readFileSync } from 'node:fs'
import { SourceMap } from 'node:module'
import { dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { SourceLocation } from './code-frame.js'

/**
 * The source position (1-based) of the first frame of `stack` that runs in
 * `bundle`, through the source map esbuild wrote beside it (`bundle.map`);
 * undefined if no frame is in the bundle or the map does not cover it.
 */
export function bundleFrame(stack: string | undefined, bundle: string): SourceLocation | undefined {
  if (!stack) return undefined
  const found = at(stack, pathToFileURL(bundle).href) ?? at(stack, bundle)
  if (!found) return undefined
  let map: SourceMap
  try {
    map = new SourceMap(JSON.parse(readFileSync(`${bundle}.map`, 'utf8')))
  } catch {
    return undefined
  }
  // Stack positions count from 1, the map's from 0.
  const entry = map.findEntry(found.line - 1, found.column - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number }
  if (!entry.originalSource || entry.originalLine === undefined) return undefined
  const file = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : resolve(dirname(bundle), entry.originalSource)
  return { file, line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 }
}

/** The line and column after the first `name:` in `stack` (a frame's "(file:line:column)" or "at file:line:column"). */
function at(stack: string, name: string): { line: number; column: number } | undefined {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const match = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(stack)
  return match ? { line: Number(match[1]), column: Number(match[2]) } : undefined
}
