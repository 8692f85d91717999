// JSX whose compile settings are wrong fails far from them:
// - a `jsxImportSource` that names nothing importable (a typo, "hono/jsxx";
//   a library not installed, "preact"): esbuild imports
//   `<jsxImportSource>/jsx-runtime` into the bundle, and Node's error names
//   that import's importer, hotcell's bundle in .hotcell/, with no line of
//   the developer's that imports it;
// - no JSX settings at all: the classic transform calls React.createElement,
//   and a Hono or Preact app gets a bare "React is not defined".
// This names the setting (the tsconfig that sets it, or the file's
// @jsxImportSource comment) and what to put there.
import type { ErrorData } from '../src/pool/protocol.js'
import { installer, packageName } from './missing-package.js'
import { withoutComments } from './path-alias.js'
import { withSources } from './source-excerpts.js'
const { createRequire } = process.getBuiltinModule('node:module')
const { dirname, join, relative, resolve } = process.getBuiltinModule('node:path')
const { fileURLToPath } = process.getBuiltinModule('node:url')

// Not an ESM import of node:fs (docs/architecture.md#builtins): every worker loads this module.
import { readBundleMap } from './bundle-map.js'
const { existsSync, readFileSync } = process.getBuiltinModule('node:fs')

const EXAMPLES = 'Hono: "hono/jsx", React: "react", Preact: "preact"'
const RUNTIME_IMPORT = /\bfrom\s*"([^"\\]+)\/(jsx(?:-dev)?-runtime)"/g
const PRAGMA = /@jsxImportSource\s+(\S+)/
const JSX_FILE = /\.[jt]sx$/

interface SourceMap {
  sources?: string[]
  sourcesContent?: (string | null)[]
  sourceRoot?: string
}

interface Setting {
  /** The tsconfig, or the source file with the comment. */
  file: string
  line: number
  column: number
  /** How the message names it. */
  what: string
  /** How the fix names it. */
  fix: string
}

/**
 * The error to report instead when the bundle's import that failed is the
 * JSX runtime esbuild added for `jsxImportSource`; undefined otherwise.
 */
export function explainJsxRuntime(error: unknown, bundleUrl: string): ErrorData | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  if ((code !== 'ERR_MODULE_NOT_FOUND' && code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') || typeof message !== 'string') return undefined
  const bundle = fileURLToPath(bundleUrl)
  const importer = / imported from (\S+)$/.exec(message)?.[1]
  if (!importer || (importer.startsWith('file:') ? fileURLToPath(importer) : importer) !== bundle) return undefined
  const failed = runtimeImports(bundle).find((specifier) => isAbout(message, specifier))
  if (!failed) return undefined
  const map = readMap(bundle)
  // Imported by the developer's own line: the usual missing-package report names it.
  if (!map || sourcesOf(map, bundle).some(({ text }) => text.includes(`'${failed}'`) || text.includes(`"${failed}"`))) return undefined
  const source = failed.slice(0, failed.lastIndexOf('/'))
  const jsx = jsxFile(map, bundle)
  const setting = (jsx && pragmaOf(jsx.file, jsx.text, source)) ?? configSetting(jsx?.file ?? process.argv[1] ?? bundle, source)
  const name = packageName(failed)
  const cause =
    code === 'ERR_PACKAGE_PATH_NOT_EXPORTED'
      ? `Package '${name}' has no export '.${failed.slice(name.length)}'`
      : message.startsWith('Cannot find package')
        ? `Cannot find package '${name}'`
        : `Package '${name}' has no file ${failed.slice(name.length + 1)}`
  const user = jsx ? `the JSX of ${relative(process.cwd(), jsx.file)}` : 'the JSX'
  const where = setting ? `set by ${setting.what}` : 'set by "jsxImportSource" in tsconfig.json (or a file it extends)'
  const install = message.startsWith('Cannot find package') ? `, or install the package: ${installer(dirname(bundle))} ${name}` : ''
  const text = `${cause}: ${user} imports '${failed}', ${where}. Fix ${setting?.fix ?? '"jsxImportSource"'} there (${EXAMPLES})${install}`
  return withSources({
    name: 'Error',
    code: String(code),
    message: text,
    // The setting's place, not Node's loader: the page's frame, and the terminal's "fix …".
    stack: `Error: ${text}${setting ? `\n    at ${setting.file}:${setting.line}:${setting.column}` : ''}`,
  })
}

/**
 * A hint for "React is not defined" thrown from a .tsx or .jsx file: its JSX
 * was compiled to React.createElement (esbuild's default without tsconfig
 * settings), and nothing imported React. '' otherwise.
 */
export function classicJsxHint(error: Error): string {
  if (!(error instanceof ReferenceError) || error.message !== 'React is not defined') return ''
  const frame = /^\s+at .*?([^\s(]+\.[jt]sx):\d+:\d+\)?$/m.exec(error.stack ?? '')
  if (!frame) return ''
  return (
    '\nJSX compiles to React.createElement(…) unless the tsconfig.json that applies to the file sets "jsx": "react-jsx" and ' +
    `"jsxImportSource" to your JSX library (${EXAMPLES}) in "compilerOptions" (hotcell reloads when it changes); ` +
    'with React itself, import React in the file instead'
  )
}

/** The JSX runtimes the bundle imports: `hono/jsx/jsx-runtime`. */
function runtimeImports(bundle: string): string[] {
  let code: string
  try {
    code = readFileSync(bundle, 'utf8')
  } catch {
    return []
  }
  return [...new Set([...code.matchAll(RUNTIME_IMPORT)].map((match) => `${match[1]}/${match[2]}`))]
}

/** Whether Node's message is about the import of `specifier`. */
function isAbout(message: string, specifier: string): boolean {
  const name = packageName(specifier)
  const subpath = specifier.slice(name.length)
  if (message.startsWith(`Cannot find package '${name}' `)) return true
  const inPackage = new RegExp(`[\\\\/]node_modules[\\\\/]${name.replace(/[.*+?^${}()|[\]\\/]/g, '[\\\\/]?')}[\\\\/]`)
  if (!inPackage.test(message)) return false
  // "Package subpath './jsxx/jsx-runtime' is not defined by "exports"", or "Cannot find module '…/hono/jsxx/jsx-runtime'"
  return message.includes(`'.${subpath}'`) || message.replaceAll('\\', '/').includes(`${name}${subpath}'`)
}

function readMap(bundle: string): SourceMap | undefined {
  return readBundleMap(bundle) as SourceMap | undefined
}

/** The developer's sources in the map (not node_modules), with their text. */
function sourcesOf(map: SourceMap, bundle: string): { file: string; text: string }[] {
  const found: { file: string; text: string }[] = []
  for (const [i, source] of (map.sources ?? []).entries()) {
    const text = map.sourcesContent?.[i]
    if (typeof text !== 'string' || /[\\/]node_modules[\\/]/.test(source)) continue
    found.push({ file: resolve(dirname(bundle), map.sourceRoot ?? '', source), text })
  }
  return found
}

/** The first .tsx or .jsx source with JSX in it, else the first of them. */
function jsxFile(map: SourceMap, bundle: string): { file: string; text: string } | undefined {
  const files = sourcesOf(map, bundle).filter(({ file }) => JSX_FILE.test(file))
  return files.find(({ text }) => /<[A-Za-z>]/.test(text)) ?? files[0]
}

/** A `/** @jsxImportSource x *\/` comment of the file that names `source`: it wins over tsconfig. */
function pragmaOf(file: string, text: string, source: string): Setting | undefined {
  const lines = text.split(/\r?\n/)
  for (const [i, line] of lines.entries()) {
    const match = PRAGMA.exec(line)
    if (match?.[1] === source)
      return {
        file,
        line: i + 1,
        column: match.index + 1,
        what: `the @jsxImportSource comment of ${relative(process.cwd(), file)}:${i + 1}`,
        fix: 'the comment',
      }
  }
  return undefined
}

/** The tsconfig that sets `jsxImportSource` for `file`: the nearest config, or a base it extends. */
function configSetting(file: string, source: string): Setting | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const config = ['tsconfig.json', 'jsconfig.json'].map((name) => join(dir, name)).find((path) => existsSync(path))
    if (config) return settingIn(config, 0)
    if (dirname(dir) === dir) return undefined
  }
  function settingIn(config: string, depth: number): Setting | undefined {
    let text: string
    let json: { extends?: unknown; compilerOptions?: { jsxImportSource?: unknown } }
    try {
      text = readFileSync(config, 'utf8')
      json = JSON.parse(withoutComments(text))
    } catch {
      return undefined
    }
    if (json.compilerOptions?.jsxImportSource !== undefined) {
      const lines = text.split(/\r?\n/)
      const line = lines.findIndex((l) => l.includes('"jsxImportSource"'))
      const shown = relative(process.cwd(), config)
      const value = json.compilerOptions.jsxImportSource === source ? `: "${source}"` : ''
      return {
        file: config,
        line: line + 1 || 1,
        column: line < 0 ? 1 : lines[line]!.indexOf('"jsxImportSource"') + 1,
        what: `"jsxImportSource"${value} in ${shown}`,
        fix: '"jsxImportSource"',
      }
    }
    // Of several bases, a later one's settings win.
    const bases = (Array.isArray(json.extends) ? json.extends : [json.extends]).filter((e): e is string => typeof e === 'string').reverse()
    for (const base of depth < 8 ? bases : []) {
      const path = baseConfig(config, base)
      const found = path && settingIn(path, depth + 1)
      if (found) return found
    }
    return undefined
  }
}

/** The file an `extends` names: a path, or a file of a package (`@tsconfig/node20`, `@repo/tsconfig/base.json`). */
function baseConfig(config: string, base: string): string | undefined {
  if (/^\.{0,2}\//.test(base) || base.startsWith('/')) {
    const path = resolve(dirname(config), base)
    return existsSync(path) ? path : existsSync(`${path}.json`) ? `${path}.json` : undefined
  }
  const require = createRequire(config)
  for (const candidate of [base, `${base}.json`, `${base}/tsconfig.json`]) {
    try {
      return require.resolve(candidate)
    } catch {}
  }
  return undefined
}
