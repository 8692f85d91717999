// `module` and `require.main` as a CommonJS source file has them under node or
// tsx (and `process.argv[1]`, `import.meta.main` for the ES module idioms): `if (require.main === module) app.listen(3000)` beside `export default
// app`, or `path.dirname(require.main.filename)` for the app's folder. The
// bundle is an ES module, where `module` does not exist, and the banner's
// require is the bundle's own, whose `main` is nothing in a worker.
//
// The entry is the main module, as for `node app.js` or `tsx app.ts`: the file
// the developer named. So the idiom starts the server; hotcell captures that
// listen() and still serves the default export (captured-servers.ts). Every
// other file's `module` is not main.
//
// Each source file gets one module object, made when first asked for:
// - a file esbuild wraps as CommonJS (no import/export syntax) has esbuild's
//   `module`, which its helper makes with commonJs() here (the builder's
//   rewrite, reload/commonjs-wrappers.ts): `module.exports = app` is its
//   export, as esbuild always did;
// - a file with import/export syntax finds `module` through the define, a
//   getter that maps its caller to the source file (source-site.ts). Its
//   exports are its export statements: `module.exports = …` there changes
//   nothing, and says so once.
import { sourceSite } from './source-site.js'
const { realpathSync } = process.getBuiltinModule('node:fs')
const { createRequire } = process.getBuiltinModule('node:module')
const { dirname, relative, resolve } = process.getBuiltinModule('node:path')
const { fileURLToPath, pathToFileURL } = process.getBuiltinModule('node:url')

interface ModuleObject {
  id: string
  filename: string
  path: string
  exports: unknown
  require: NodeJS.Require
}

const modules = new Map<string, ModuleObject>()
let entryUrl: string | undefined
let workingDir = process.cwd()

/**
 * Called by the bundle's banner: its entry file and esbuild's working folder.
 * `process.argv[1]` becomes the entry's source file, as under `node app.js`
 * or `tsx app.ts`: the ES module check `process.argv[1] ===
 * fileURLToPath(import.meta.url)` is then true in the entry. It was piscina's
 * worker script, which nothing reads (neither piscina nor hotcell's workers).
 */
export function bundle(entryFile: string, dir: string): void {
  // The real path, as esbuild names the sources (and so import.meta.url): an entry named through a symlinked folder is still main.
  const file = realPath(resolve(dir, entryFile))
  entryUrl = pathToFileURL(file).href
  workingDir = dir
  process.argv[1] = file
}

function realPath(file: string): string {
  try {
    return realpathSync(file)
  } catch {
    return file
  }
}

/** `import.meta.main`: whether the source file of this URL is the entry. */
export function isEntry(url: string): boolean {
  return url === entryUrl
}

/** `require.main`: the entry's module object. */
export function mainModule(): ModuleObject | undefined {
  return entryUrl === undefined ? undefined : moduleFor(entryUrl)
}

/** `module` in a file with import/export syntax: the caller's source file's. */
export function moduleOf(caller: (...args: never[]) => unknown): ModuleObject {
  return moduleFor(sourceSite(caller).url)
}

/**
 * esbuild's helper for a file it wraps as CommonJS: the file's module object,
 * with plain `exports`. `cb` holds the file's code as a method named after its
 * path relative to esbuild's working folder; a stub of a package
 * (`hotcell-commonjs:lodash`, commonjs-packages.ts) is no file.
 */
export function commonJs(cb: object): { exports: unknown } {
  const key = Object.getOwnPropertyNames(cb)[0] ?? ''
  // The method's name is the path, and a stack showed it as a function:
  // `at src/app.ts (src/app.ts:1:7)`. Node names a CommonJS file's top level nothing of the kind.
  const code = (cb as Record<string, unknown>)[key]
  if (typeof code === 'function') Object.defineProperty(code, 'name', { value: '' })
  if (/^[a-z][\w-]+:/.test(key)) return { exports: {} }
  const mod = moduleFor(pathToFileURL(resolve(workingDir, key)).href)
  // Made already by a `require.main` read before the entry ran: now the one esbuild fills.
  Object.defineProperty(mod, 'exports', { value: {}, writable: true, enumerable: true, configurable: true })
  return mod
}

function moduleFor(url: string): ModuleObject {
  let mod = modules.get(url)
  if (mod) return mod
  const filename = url.startsWith('file:') ? fileURLToPath(url) : url
  let required: NodeJS.Require | undefined
  let exported: unknown = {}
  let told = false
  mod = {
    id: url === entryUrl ? '.' : filename,
    filename,
    path: dirname(filename),
    get require() {
      required ??= createRequire(filename)
      return required
    },
    get exports() {
      return exported
    },
    set exports(value) {
      exported = value
      if (told) return
      told = true
      console.warn(
        `hotcell: module.exports = … in ${relative(process.cwd(), filename)} does not change what the file exports: it has import or export statements, so it is an ES module in hotcell's bundle (as esbuild builds it). Use export default, or write it as CommonJS throughout (require() and module.exports, no import or export).`,
      )
    },
  }
  modules.set(url, mod)
  return mod
}
