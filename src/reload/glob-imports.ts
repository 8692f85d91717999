// An import() or require() whose path esbuild can see the shape of
// (`'./routes/' + name + '.js'`, a template literal) is bundled as a table of
// every file that can match, looked up by esbuild's helper `__glob`. A path
// not in the table threw `Error: Module not found in bundle: ./routes/nope.js`:
// no `code`, so an app answering 404 on Node's ERR_MODULE_NOT_FOUND answered
// 500, and thrown at once where Node's import() returns a rejected promise.
// The helper is made to hand a miss to the workers (workers/glob-miss.ts),
// which do what Node does with the path from the caller's source file: its
// error, or the file if it is there after all (created since the build).
// esbuild names the table of an import() `globImport_…` and of a require()
// `globRequire_…`; the import tables get a flag, read on a miss.
// If esbuild changes this text, nothing is rewritten, esbuild's error stays,
// and glob-imports.test.ts fails.
import { MODULE_META_GLOBAL } from '../../workers/module-meta-names.js'

interface Output {
  path: string
  contents: Uint8Array
}

/** esbuild's helper, as esbuild 0.28 writes it. */
export const GLOB_HELPER = `var __glob = (map) => (path) => {
  var fn = map[path];
  if (fn) return fn();
  throw new Error("Module not found in bundle: " + path);
};`

// The same number of lines: the source map's lines after it stay true. A
// named function, so that the miss can hide its frame and find the caller's.
// `import (` with a space: this text is in the server bundle, where
// code-cache.test.ts counts every `import(` call; it imports from the bundle,
// as the app's import() would.
const HOOKED_HELPER = `var __glob = (map, kind) => function __hcGlob(path) {
  var fn = map[path];
  if (fn) return fn();
  return ${MODULE_META_GLOBAL}.globMiss(__hcGlob, path, kind, (target) => import (target));
}, __hcGlobImport = (map) => __glob(map, "import");`

// An import()'s table: esbuild writes it as a statement of its own line.
const IMPORT_TABLE = /^(var globImport_[\w$]* = )__glob\(/gm

/** The outputs with the `.mjs` bundle's glob helper handing misses to the workers. */
export function rewriteGlobImports(files: readonly Output[]): readonly Output[] {
  const bundle = files.find((file) => file.path.endsWith('.mjs'))
  if (!bundle) return files
  // Searched as bytes: most bundles have no such table, and are not decoded.
  const bytes = Buffer.from(bundle.contents.buffer, bundle.contents.byteOffset, bundle.contents.byteLength)
  if (bytes.indexOf(GLOB_HELPER) === -1) return files
  const code = bytes.toString('utf8').replace(GLOB_HELPER, HOOKED_HELPER).replace(IMPORT_TABLE, '$1__hcGlobImport(')
  return files.map((file) => (file === bundle ? { path: file.path, contents: Buffer.from(code) } : file))
}
