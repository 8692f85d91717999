// `import { capitalize } from 'lodash'` in a CommonJS source file (a .ts in a
// package without "type": "module", or a .cts): tsx and tsc's CommonJS output
// run it as a require(), so every property of module.exports is a named
// export. The bundle is an ES module, and Node's import of a CommonJS file
// finds only the names its lexer sees in the code: lodash's `module.exports =
// _` has none, and the import failed with "does not provide an export named".
// So such an import, of a package whose ESM entry is a CommonJS file, is
// bundled as a stub, `module.exports = require('lodash')`: esbuild's own
// interop (__toESM, as tsx's) then reads module.exports when the code runs.
// The package itself stays outside the bundle, required from the bundle's
// folder as Node would import it. ES module sources (a .mts, or "type":
// "module") keep Node's semantics, as under node and tsx: the import fails
// there, with a hint (workers/missing-package.ts).
import type * as esbuild from 'esbuild'
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { dirname, isAbsolute, join } from 'node:path'
import { packageName } from '../../workers/missing-package.js'
import { packageDir } from './linked-packages.js'
import { namesFilter, nodeEntry } from './source-packages.js'

const NAMESPACE = 'hotcell-commonjs'
const BARE = /^(?![./#]|[a-z]+:)/
// Node 20.19 and later run a .js file of a package without "type" as an ES module when it has ES module syntax.
const ESM_SYNTAX = /^[ \t]*(?:import\b(?:\s+[\w{*]|\s*[{*'"])|export(?:\s+[\w{*]|\s*[{*]))|\bimport\.meta\b/m

/** The "type" of the package.json nearest above a folder (Node's package scope; undefined: none said), cached per folder. */
class PackageTypes {
  #types = new Map<string, string | undefined>()

  of(dir: string): string | undefined {
    if (this.#types.has(dir)) return this.#types.get(dir)
    let type: string | undefined
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest)) {
      try {
        type = (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: string }).type
      } catch {
        type = undefined
      }
    } else if (dirname(dir) !== dir) type = this.of(dirname(dir))
    this.#types.set(dir, type)
    return type
  }

  clear(): void {
    this.#types.clear()
  }
}

/** A source file esbuild and tsx treat as CommonJS: `import` there means require(). */
function isCommonJsSource(file: string, types: PackageTypes): boolean {
  if (/\.c[jt]s$/.test(file)) return true
  if (/\.m[jt]s$/.test(file)) return false
  return types.of(dirname(file)) !== 'module'
}

interface Verdict {
  manifest: string
  stamp: number
  commonJs: boolean
}

/**
 * Which of the bare imports of CommonJS sources load a CommonJS file, and the
 * esbuild plugin that routes exactly those through require(). Only imports
 * of the packages found so far reach the plugin: each plugin callback is a
 * round trip to esbuild's process, on every rebuild.
 */
export class CommonJsPackages {
  readonly #from: string
  #names = new Set<string>()
  #checked = ''
  #types = new PackageTypes()
  #verdicts = new Map<string, Verdict>()
  /** The text of the sources whose imports reach the plugin, during one build. */
  #texts = new Map<string, string>()

  /** `from`: the entry's folder; the bundle, next to its package.json, requires packages from there. */
  constructor(from: string) {
    this.#from = from
  }

  /**
   * The dependencies the entry's package.json declares that are CommonJS,
   * unless the package is "type": "module": found before the first build, so
   * that it need not be made twice (foundAmong). ~0.1 ms a dependency.
   */
  seed(root: string): void {
    let pkg: { type?: string; dependencies?: object; optionalDependencies?: object }
    try {
      pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
    } catch {
      return
    }
    if (pkg.type === 'module') return
    // Not devDependencies: mostly tools the app never imports (typescript, a linter), ~0.1 ms each to look at. One imported is found by the build.
    const names = [pkg.dependencies, pkg.optionalDependencies].flatMap((deps) => Object.keys(deps ?? {}))
    for (const name of names) if (this.#loadsCommonJs(name)) this.#names.add(name)
  }

  /** Before a build: package.json files may have changed since the last one. */
  beforeBuild(): void {
    this.#types.clear()
    this.#texts.clear()
  }

  /**
   * The file imports the package only to run it (`import 'dotenv/config'`,
   * `import 'reflect-metadata'`): no name to give, and a stub's require()
   * would run it after the bundle's ES module imports, which Node evaluates
   * before any of the bundle's code. The package a polyfill is for would
   * then load without it.
   */
  #onlyRuns(importer: string, specifier: string): boolean {
    let text = this.#texts.get(importer)
    if (text === undefined) {
      try {
        text = readFileSync(importer, 'utf8')
      } catch {
        text = ''
      }
      this.#texts.set(importer, text)
    }
    const quoted = `(['"])${specifier.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\1`
    return new RegExp(`(?:^|[;}])\\s*import\\s*${quoted}`, 'm').test(text) && !new RegExp(`\\bfrom\\s*${quoted}`).test(text)
  }

  /**
   * After a good build: whether a CommonJS source imports a CommonJS package
   * the plugin does not route yet (the context is then made again with it).
   */
  foundAmong(meta: esbuild.Metafile): boolean {
    const imports: [string, string][] = []
    for (const [input, { imports: of }] of Object.entries(meta.inputs)) {
      // Namespaced inputs (a stub: `hotcell-commonjs:lodash`) are not files.
      if (/[\\/]node_modules[\\/]/.test(input) || !isAbsolute(input)) continue
      for (const i of of) if (i.external && isImport(i.kind) && BARE.test(i.path) && !isBuiltin(i.path)) imports.push([input, i.path])
    }
    const key = imports.map((pair) => pair.join('\0')).join('\n')
    if (key === this.#checked) return false
    this.#checked = key
    const fresh = imports.filter(
      ([input, specifier]) => !this.#names.has(packageName(specifier)) && isCommonJsSource(input, this.#types) && this.#loadsCommonJs(specifier),
    )
    for (const [, specifier] of fresh) this.#names.add(packageName(specifier))
    return fresh.length > 0
  }

  /** The bare imports the stubs require when the bundle is evaluated (a standby preloads them). */
  static required(meta: esbuild.Metafile): string[] {
    const required = new Set<string>()
    for (const { imports } of Object.values(meta.inputs)) {
      for (const i of imports) if (i.kind === 'import-statement' && i.path.startsWith(`${NAMESPACE}:`)) required.add(i.path.slice(NAMESPACE.length + 1))
    }
    return [...required]
  }

  plugins(): esbuild.Plugin[] {
    if (!this.#names.size) return []
    const filter = namesFilter([...this.#names])
    return [
      {
        name: 'hotcell-commonjs-packages',
        setup: (build) => {
          build.onResolve({ filter }, (args) => {
            if (!isImport(args.kind) || args.namespace !== 'file' || !isCommonJsSource(args.importer, this.#types)) return undefined
            if (!this.#loadsCommonJs(args.path) || (args.kind === 'import-statement' && this.#onlyRuns(args.importer, args.path))) return undefined
            return { path: args.path, namespace: NAMESPACE }
          })
          // Its require() is left to Node (packages are external): the banner's require, from the bundle's folder.
          build.onLoad({ filter: /./, namespace: NAMESPACE }, (args) => ({
            contents: `module.exports = require(${JSON.stringify(args.path)})\n`,
            loader: 'js',
            resolveDir: this.#from,
          }))
        },
      },
    ]
  }

  /**
   * Node's import of `specifier` from the bundle loads a CommonJS file: its
   * "exports" for import, else its main or the path, as require finds it. A
   * verdict holds while the package's package.json is unchanged (an install).
   */
  #loadsCommonJs(specifier: string): boolean {
    const known = this.#verdicts.get(specifier)
    if (known && stampOf(known.manifest) === known.stamp) return known.commonJs
    const name = packageName(specifier)
    const dir = packageDir(this.#from, name)
    if (dir === undefined) return false
    const file = nodeEntry(dir, `.${specifier.slice(name.length)}`)
    const manifest = join(dir, 'package.json')
    const commonJs = file !== undefined && this.#isCommonJsFile(file)
    this.#verdicts.set(specifier, { manifest, stamp: stampOf(manifest), commonJs })
    return commonJs
  }

  #isCommonJsFile(file: string): boolean {
    if (file.endsWith('.cjs')) return true
    if (!file.endsWith('.js')) return false
    const type = new PackageTypes().of(dirname(file))
    if (type !== undefined) return type !== 'module'
    // No "type" at all: Node looks for ES module syntax.
    const text = headAndTail(file)
    return text !== undefined && !ESM_SYNTAX.test(text)
  }
}

const isImport = (kind: string) => kind === 'import-statement' || kind === 'dynamic-import'

function stampOf(file: string): number {
  try {
    return statSync(file).mtimeMs
  } catch {
    return 0
  }
}

// ES module syntax is at the top level: imports come first, and a file without
// any ends with its exports. Reading all of each entry (typescript.js: 9 MB)
// took 19 of the 48 ms that 233 dependencies took to check.
const HEAD = 32 * 1024
const TAIL = 16 * 1024

function headAndTail(file: string): string | undefined {
  let fd: number | undefined
  try {
    fd = openSync(file, 'r')
    const size = statSync(file).size
    if (size <= HEAD + TAIL) return readFileSync(fd, 'utf8')
    const head = Buffer.alloc(HEAD)
    const tail = Buffer.alloc(TAIL)
    readSync(fd, head, 0, HEAD, 0)
    readSync(fd, tail, 0, TAIL, size - TAIL)
    return `${head.toString('utf8')}\n${tail.toString('utf8')}`
  } catch {
    return undefined
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}
