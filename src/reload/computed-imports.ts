// An `import(spec)` whose path esbuild cannot see (a variable, a call) is left
// to Node as it is, and Node resolves a relative path from the bundle's
// folder in .hotcell/, where no source file is. esbuild says where each one is
// (its "unsupported-dynamic-import" message, made a warning for this); the
// bundle then calls the banner's function of the same length instead of the
// keyword, which resolves from the caller's source file (workers/computed-import.ts).
// Only the calls esbuild named are changed: the bundle's source map says
// which `import(` of the output is one (a string holding "import(" maps to
// its opening quote, not there). Only bundles that have one pay for this.
import type * as esbuild from 'esbuild'
import { SourceMap } from 'node:module'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { IMPORT_NAME } from '../../workers/module-meta-names.js'

// The keyword called, not a method or a name ending in it.
const CALL = /(?<![\w$.])import\(/

/** The message esbuild gives each import() it leaves to Node, made a warning (esbuild says it at its "debug" level). */
export const COMPUTED_IMPORT_ID = 'unsupported-dynamic-import'

/** esbuild's `logOverride` that reports them. */
export const computedImportLog: Record<string, esbuild.LogLevel> = { [COMPUTED_IMPORT_ID]: 'warning' }

/**
 * The folders of the source files with a computed import(): the files it
 * loads are not the bundle's inputs, and an edit of code under these folders
 * needs fresh workers (sources.ts). A path going up (`'../x/' + name`) is
 * not covered: --watch is.
 */
export function computedImportFolders(warnings: readonly esbuild.Message[], cwd: string): string[] {
  const folders = warnings.flatMap((w) => (w.id === COMPUTED_IMPORT_ID && w.location ? [dirname(resolve(cwd, w.location.file))] : []))
  return [...new Set(folders)]
}

/**
 * The outputs with each computed import() of the bundle (`.mjs`) calling the
 * banner's function; `warnings`: the build's, those of `COMPUTED_IMPORT_ID`
 * placing them (file relative to `cwd`, 1-based line).
 */
export function rewriteComputedImports(
  files: readonly esbuild.OutputFile[],
  warnings: readonly esbuild.Message[],
  cwd: string,
): readonly { path: string; contents: Uint8Array }[] {
  const lines = new Set<string>()
  for (const warning of warnings) {
    const at = warning.id === COMPUTED_IMPORT_ID ? warning.location : null
    if (at) lines.add(`${resolve(cwd, at.file)}:${at.line}`)
  }
  if (!lines.size) return files
  return files.map((file) => {
    const map = file.path.endsWith('.mjs') ? files.find((f) => f.path === `${file.path}.map`) : undefined
    return map ? { path: file.path, contents: Buffer.from(rewrite(file.text, map, lines)) } : file
  })
}

function rewrite(code: string, mapFile: esbuild.OutputFile, lines: ReadonlySet<string>): string {
  const payload = JSON.parse(mapFile.text) as { sourceRoot?: string }
  const map = new SourceMap(payload as ConstructorParameters<typeof SourceMap>[0])
  const base = resolve(dirname(mapFile.path), payload.sourceRoot ?? '')
  const out = code.split('\n')
  for (const [n, line] of out.entries()) {
    if (!CALL.test(line)) continue
    out[n] = line.replace(new RegExp(CALL, 'g'), (match, column: number) => {
      const entry = map.findEntry(n, column)
      if (!('originalSource' in entry) || entry.generatedLine !== n || entry.generatedColumn !== column) return match
      const source = entry.originalSource.startsWith('file:') ? fileURLToPath(entry.originalSource) : resolve(base, entry.originalSource)
      return lines.has(`${source}:${entry.originalLine + 1}`) ? `${IMPORT_NAME}(` : match
    })
  }
  return out.join('\n')
}
