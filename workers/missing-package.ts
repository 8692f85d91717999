// A package the app imports but nobody installed fails the bundle's import
// with "Cannot find package 'lodash' imported from …/.hotcell/…/app-X.mjs":
// the bundle is hotcell's file, not the developer's. This names the .ts file
// and line that imports the package, and the command that installs it.
// A package without the export the app imports fails with a SyntaxError that
// names no file at all: this adds the importing line as its frame.
import type { ErrorData } from '../src/pool/protocol.js'
import { aliasError, type ImportSite } from './alias-errors.js'
import { withSources } from './source-excerpts.js'
import { workspaceInstall } from './workspace-packages.js'
const { createRequire } = process.getBuiltinModule('node:module')
const { dirname, join, relative, resolve, sep } = process.getBuiltinModule('node:path')
const { fileURLToPath, pathToFileURL } = process.getBuiltinModule('node:url')

// Not an ESM import of node:fs (docs/architecture.md#builtins): every worker loads this module.
import { readBundleMap } from './bundle-map.js'
const { existsSync, readFileSync } = process.getBuiltinModule('node:fs')
const { types } = process.getBuiltinModule('node:util')

const NOT_FOUND = /^Cannot find package '([^']+)' imported from (.+)$/
const MISSING_ENTRY = /^Cannot find module '([^']+)' imported from (.+)$/
const NO_EXPORT = /^The requested module '([^']+)' does not provide an export named '([^']+)'$/
// The bundles are in .hotcell/<id>/ (src/reload/build-dirs.ts).
const IN_BUILD_FOLDER = /[\\/]\.hotcell[\\/]/

interface SourceMap {
  sources?: string[]
  sourcesContent?: (string | null)[]
  sourceRoot?: string
}

/** The error to report instead, or undefined when `error` is not a package missing from the bundle's imports. */
export function explainMissingPackage(error: unknown, bundleUrl: string): ErrorData | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  if (code !== 'ERR_MODULE_NOT_FOUND' || typeof message !== 'string') return undefined
  const match = NOT_FOUND.exec(message)
  if (!match) return explainMissingEntry(message, bundleUrl)
  // Node names a path there, not a package, when a package folder is found but not its entry: below.
  if (match[1]!.startsWith('/') || /^[A-Za-z]:[\\/]/.test(match[1]!)) return undefined
  const name = packageName(match[1]!)
  const bundle = fileURLToPath(bundleUrl)
  const importer = match[2]!.startsWith('file:') ? fileURLToPath(match[2]!) : match[2]!
  if (importer !== bundle) return undefined // a package of the app's lacks one of its own dependencies: Node's message says which
  const where = importedAt(bundle, name)
  return missingPackageAt(name, where, where ? dirname(where.file) : dirname(bundle))
}

/**
 * The same for an import() the bundle left to Node that fails only when it
 * runs (in a handler, at request time): Node names the bundle as the
 * importer. Undefined for any other error.
 */
export function explainLateImport(error: unknown): ErrorData | undefined {
  const { message } = (error ?? {}) as { message?: unknown }
  const importer = typeof message === 'string' ? NOT_FOUND.exec(message)?.[2] : undefined
  if (!importer || !IN_BUILD_FOLDER.test(importer)) return undefined
  return explainMissingPackage(error, importer.startsWith('file:') ? importer : pathToFileURL(importer).href)
}

/**
 * Package `name`, imported at `where` (if known), is not found from `from`:
 * a tsconfig alias's error (alias-errors.ts) when it is or may be one, else
 * the command that installs it.
 */
export function missingPackageAt(name: string, where: ImportSite | undefined, from: string): ErrorData {
  const add = installer(from)
  const install = workspaceInstall(from, name, add) ?? `${add} ${name}`
  const alias = where && aliasError(where, name, install)
  if (alias) return alias
  const label = where ? `${relative(process.cwd(), where.file)}:${where.line}` : undefined
  const text = `Cannot find package '${name}'${label ? `, imported by ${label}` : ''}. Install it: ${install}; hotcell reloads when package.json changes`
  return withSources({
    name: 'Error',
    code: 'ERR_MODULE_NOT_FOUND',
    message: text,
    // Only the import's own place: the frames of Node's loader say nothing to the developer.
    stack: `Error: ${text}${where ? `\n    at ${where.file}:${where.line}:${where.column}` : ''}`,
  })
}

/**
 * A package whose entry file is missing: a workspace package whose exports
 * name dist/index.js before it is built. Node's message names that file and
 * the bundle; this names the package, the line that imports it, and what to do.
 */
function explainMissingEntry(message: string, bundleUrl: string): ErrorData | undefined {
  const match = MISSING_ENTRY.exec(message)
  if (!match) return undefined
  const bundle = fileURLToPath(bundleUrl)
  const importer = match[2]!.startsWith('file:') ? fileURLToPath(match[2]!) : match[2]!
  const at = match[1]!.lastIndexOf(`${sep}node_modules${sep}`)
  if (importer !== bundle || at < 0) return undefined
  const inside = match[1]!.slice(at + '/node_modules/'.length).split(sep)
  const name = inside[0]!.startsWith('@') ? `${inside[0]}/${inside[1]}` : inside[0]!
  const file = inside.slice(name.split('/').length).join('/')
  const where = importedAt(bundle, name)
  const label = where ? `, imported by ${relative(process.cwd(), where.file)}:${where.line}` : ''
  const text =
    `Cannot find ${file}, the entry that '${name}' names in its package.json${label}: the package is not built yet? ` +
    `Build it (hotcell reloads when the file appears), or have its "exports" name its source with a "development" condition, ` +
    `which hotcell uses: "development": "./src/index.ts"`
  return withSources({
    name: 'Error',
    code: 'ERR_MODULE_NOT_FOUND',
    message: text,
    stack: `Error: ${text}${where ? `\n    at ${where.file}:${where.line}:${where.column}` : ''}`,
  })
}

/**
 * The error with the .ts line that imports the missing name as its frame, or
 * undefined when `error` is not a missing export of a package the bundle
 * imports (Node's message has neither file nor line).
 */
export function locateMissingExport(error: ErrorData, bundleUrl: string): ErrorData | undefined {
  const match = error.name === 'SyntaxError' ? NO_EXPORT.exec(error.message) : null
  if (!match) return undefined
  const bundle = fileURLToPath(bundleUrl)
  const where = importedAt(bundle, match[1]!, match[2]!) ?? importedAt(bundle, match[1]!)
  if (!where) return undefined
  const hint = defaultImportHint(bundle, match[1]!, match[2]!)
  const message = hint ? `${error.message}\n${hint}` : error.message
  return withSources({ ...error, message, stack: `${error.name}: ${message}\n    at ${where.file}:${where.line}:${where.column}` })
}

/**
 * Node's advice, when its short message left it out (a bundle loaded with
 * require(), bundle-import.ts): a CommonJS package whose module.exports has
 * the name, which Node could not find in its code (lodash's `module.exports
 * = _`). A CommonJS source gets every name (reload/commonjs-packages.ts), as
 * under tsx; an ES module source gets what Node gives it, as under node and
 * tsx. Found by requiring the package: nothing of the app has run yet.
 */
function defaultImportHint(bundle: string, specifier: string, name: string): string | undefined {
  try {
    const exported: unknown = createRequire(bundle)(specifier)
    if (exported === null || (typeof exported !== 'object' && typeof exported !== 'function')) return undefined
    if (types.isModuleNamespaceObject(exported) || !(name in exported)) return undefined
  } catch {
    return undefined
  }
  const local = /^[A-Za-z_$][\w$]*$/.test(packageName(specifier).replace(/^@[^/]+\//, '')) ? packageName(specifier).replace(/^@[^/]+\//, '') : 'pkg'
  return (
    `'${specifier}' is a CommonJS package: ${name} is on its module.exports, but Node cannot see it as a named export, and an ES module ` +
    `(a .mts file, or any file of a package with "type": "module") imports it as Node does, under hotcell as under node and tsx. ` +
    `Import the default export instead: import ${local} from '${specifier}', then ${local}.${name}`
  )
}

/** `lodash/fp` → `lodash`, `@scope/pkg/sub` → `@scope/pkg`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!
}

/**
 * Where the sources import `specifier`: esbuild's source map carries every
 * input with its text. The first import, export-from, require() or import()
 * of the package or a path in it; type-only imports are left out (esbuild
 * drops them). With `binding`, only a line that imports that name by it.
 */
function importedAt(bundle: string, name: string, binding?: string): ImportSite | undefined {
  const map = readBundleMap(bundle) as SourceMap | undefined
  if (!map) return undefined
  // Node names the package; the source may import a path inside it (lodash/fp).
  // Which path, the bundle says: '@/lib' is the "package" of both '@/lib/db',
  // bundled through a tsconfig alias, and '@/lib/gone', left to Node.
  const left = leftToNode(bundle, name)
  const specifiers = left.length ? left.map(escaped).join('|') : `${escaped(name)}(?:/[^'"\`]*)?`
  const quoted = `(['"\`])(${specifiers})\\1`
  const pattern = new RegExp(`(?:\\bfrom\\s*|\\bimport\\s*\\(?\\s*|\\brequire\\s*\\(\\s*)${quoted}`)
  // A named import: the line that names it, at the name.
  const named = binding === undefined ? undefined : new RegExp(`[{,]\\s*(${escaped(binding)})\\b`)
  for (const [i, source] of (map.sources ?? []).entries()) {
    const text = map.sourcesContent?.[i]
    if (!text || /[\\/]node_modules[\\/]/.test(source)) continue
    const lines = text.split(/\r?\n/)
    for (const [n, line] of lines.entries()) {
      const found = pattern.exec(line)
      if (!found || /^\s*(import|export)\s+type\b/.test(line)) continue
      const hit = named?.exec(line)
      if (named && !hit) continue
      // 1-based, at the imported name, or at the opening quote
      const column = hit ? hit.index + hit[0].indexOf(hit[1]!) + 1 : found.index + found[0].indexOf(found[1]!) + 1
      return { file: resolve(dirname(bundle), map.sourceRoot ?? '', source), line: n + 1, column, specifier: found[2]! }
    }
  }
  return undefined
}

/** The specifiers of package `name` (itself, or paths in it) that the bundle imports, requires or import()s: those esbuild left to Node. */
function leftToNode(bundle: string, name: string): string[] {
  let code: string
  try {
    code = readFileSync(bundle, 'utf8')
  } catch {
    return []
  }
  // esbuild writes them with double quotes; a require() as __require().
  const found = new Set<string>()
  for (const [, specifier] of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|require\s*\(\s*)"([^"\\]+)"/g)) {
    if (specifier === name || specifier!.startsWith(`${name}/`)) found.add(specifier!)
  }
  return [...found]
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

/** The install command of the project's package manager, told by its lockfile. */
export function installer(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-lock.yaml'))) return 'pnpm add'
    if (existsSync(join(dir, 'yarn.lock'))) return 'yarn add'
    if (existsSync(join(dir, 'bun.lock')) || existsSync(join(dir, 'bun.lockb'))) return 'bun add'
    if (existsSync(join(dir, 'package-lock.json')) || dirname(dir) === dir) return 'npm install'
  }
}
