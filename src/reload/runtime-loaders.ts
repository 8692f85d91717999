// Packages that load the app's own code from disk when it runs, by paths the
// build cannot see: @fastify/autoload (the layout `fastify generate` makes)
// require()s or import()s every file of `plugins/` and `routes/`. Those files
// are not the bundle's inputs, so their saves rebuilt nothing, and the old
// code kept serving. The folder of each source file importing such a package
// is treated as a computed import's (computed-imports.ts): a save of a code
// file under it that no build read reloads with fresh workers (sources.ts).
// Folders elsewhere (`dir: join(__dirname, '../routes')`) need --watch.
import type * as esbuild from 'esbuild'
import { dirname, isAbsolute } from 'node:path'

const RUNTIME_LOADERS = new Set(['@fastify/autoload'])
// A CommonJS source's import of a CommonJS package is a stub (commonjs-packages.ts): `hotcell-commonjs:@fastify/autoload`.
const NAMESPACE = /^[a-z-]+:/

/** The folders of the source files (not packages) that import a runtime loader. */
export function runtimeLoaderFolders(meta: esbuild.Metafile): string[] {
  const folders = new Set<string>()
  for (const [input, { imports }] of Object.entries(meta.inputs)) {
    if (!isAbsolute(input) || /[\\/]node_modules[\\/]/.test(input)) continue
    if (imports.some((i) => RUNTIME_LOADERS.has(i.path.replace(NAMESPACE, '')))) folders.add(dirname(input))
  }
  return [...folders]
}
