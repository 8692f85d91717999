// A path not in esbuild's table of the files an import() or require() of a
// shaped path can load (reload/glob-imports.ts): what Node does with it, from
// the caller's source file. Its error then has Node's code
// (ERR_MODULE_NOT_FOUND, MODULE_NOT_FOUND) and names that file; a file there
// after all (created since the build) loads, as under node.
import { computedImport } from './computed-import.js'
import { sourceSite } from './source-site.js'
const { createRequire } = process.getBuiltinModule('node:module')

type Caller = (...args: never[]) => unknown

/** The miss of `path` in the table of an import() (`kind` "import": a promise) or a require(). */
export function globMiss(caller: Caller, path: string, kind: string | undefined, load: (target: string) => Promise<unknown>): unknown {
  if (kind === 'import') return computedImport(caller, load, path)
  // Node's own require from the source file: its error says the path as written, and the file in its require stack.
  return createRequire(sourceSite(caller).url)(path)
}
