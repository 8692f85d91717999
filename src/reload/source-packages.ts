// Packages whose code is TypeScript source: a workspace package of a monorepo
// (npm, pnpm or yarn workspaces, a `file:` dependency) that exports its
// `src/index.ts` as it is, the "internal package" layout of Turborepo and
// others. The bundle leaves packages to Node, and Node 20 cannot load a .ts
// file (Node 24 strips types but refuses enums and ignores the package's
// tsconfig). So such a package, when linked (its real folder is outside any
// node_modules), is bundled like the app's own files: esbuild compiles it with
// its own tsconfig, its files are build inputs (watched, mapped in stacks),
// and every other package stays external.
import type * as esbuild from 'esbuild'
import { readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import { exports as exportsTarget, legacy } from 'resolve.exports'
import { packageName } from '../../workers/missing-package.js'
import { linkedPackageDir, packageDir } from './linked-packages.js'

// Resolves a folder or a file without exports the way Node resolves a package's main.
const require = createRequire(import.meta.url)
const TS_FILE = /\.[cm]?tsx?$/
const DECLARATION = /\.d\.[cm]?tsx?$/
// What a tsconfig changes the compiling of (jsx, decorators, useDefineForClassFields...).
const COMPILED = /\.[cm]?[jt]sx?$/
// esbuild gives a file the settings of its nearest tsconfig only when it resolves the file itself, never
// one a plugin resolves: the package's entry is reached through this stub, which imports it by absolute path.
const STUB = 'hotcell-source-package'

interface PackageJson {
  exports?: unknown
  main?: unknown
  module?: unknown
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
}

/**
 * Of `specifiers` (the bare imports a build left to Node), the names of the
 * linked packages that export TypeScript source, as seen from folder `from`;
 * and the names not found at all (not installed, or not linked yet): a later
 * build looks for those again.
 */
export function sourcePackagesAmong(from: string, specifiers: Iterable<string>): { found: string[]; unresolved: string[] } {
  const names = [...new Set([...specifiers].filter((s) => !s.startsWith('node:')).map(packageName))]
  const unresolved = names.filter((name) => packageDir(from, name) === undefined)
  const found = names.filter((name) => {
    const dir = linkedPackageDir(from, name)
    return dir !== undefined && exportsTypeScript(readPackageJson(dir))
  })
  return { found, unresolved }
}

/** The source packages a bundle takes in, with those they import in turn, as the plugin resolves them. */
export interface SourceGraph {
  /** Every name the plugin resolves: the source packages, and their dependencies found elsewhere than from the entry. */
  readonly names: readonly string[]
  /** The real folders of the source packages. */
  readonly dirs: ReadonlySet<string>
  /**
   * Their package.json files' change times, and those of the node_modules
   * folders where their dependencies and the entry's may be found apart:
   * when it differs, the graph is made again.
   */
  stamp(): string
}

/**
 * From the source packages `names` (found from folder `from`), the graph:
 * their declared dependencies that are source packages too are in it even
 * when only they can reach them (pnpm links a workspace's dependencies into
 * its own node_modules), and those that resolve elsewhere from them than
 * from the entry are resolved from their folder.
 */
export function sourcePackageGraph(names: readonly string[], from: string): SourceGraph {
  const dirs = new Set<string>()
  const all = new Set<string>(names)
  const scopes = new Set<string>()
  const queue = names.flatMap((name) => linkedPackageDir(from, name) ?? [])
  for (let dir = queue.shift(); dir !== undefined; dir = queue.shift()) {
    if (dirs.has(dir)) continue
    dirs.add(dir)
    for (const dep of dependenciesOf(readPackageJson(dir))) {
      if (dep.startsWith('@')) scopes.add(dep.slice(0, dep.indexOf('/')))
      const linked = linkedPackageDir(dir, dep)
      if (linked && exportsTypeScript(readPackageJson(linked))) {
        all.add(dep)
        queue.push(linked)
      } else if (packageDir(dir, dep) !== packageDir(from, dep)) all.add(dep)
    }
  }
  const files = [...[...dirs].map((dir) => join(dir, 'package.json')), ...installFolders([...dirs], from, [...scopes])]
  return { names: [...all], dirs, stamp: () => files.map(changeTime).join() }
}

/**
 * The node_modules folders (and their `@scope` folders) above the packages'
 * `dirs` or above `from`, not above both: where an install makes a dependency
 * resolve elsewhere from a package than from the entry. A dependency declared
 * by hand, then installed (pnpm links it into the package's own node_modules;
 * npm nests a version the root's does not match), changes no package.json:
 * a folder's change time moves when an entry is added to it or removed.
 */
function installFolders(dirs: readonly string[], from: string, scopes: readonly string[]): string[] {
  const above = (dir: string): string[] => (dirname(dir) === dir ? [dir] : [dir, ...above(dirname(dir))])
  const common = new Set(above(from))
  const apart = new Set(above(from))
  for (const dir of dirs) {
    const chain = above(dir)
    for (const folder of chain) if (!common.has(folder)) apart.add(folder)
    for (const folder of common) if (!chain.includes(folder)) common.delete(folder)
  }
  for (const folder of common) apart.delete(folder)
  return [...apart].flatMap((folder) => [join(folder, 'node_modules'), ...scopes.map((scope) => join(folder, 'node_modules', scope))])
}

function changeTime(file: string): number {
  try {
    return statSync(file).mtimeMs
  } catch {
    return 0
  }
}

/** Any entry point of the package (exports, main, module), type declarations aside, is a .ts file. */
function exportsTypeScript(pkg: PackageJson | undefined): boolean {
  if (!pkg) return false
  const targets: string[] = []
  const collect = (value: unknown, key?: string): void => {
    if (key === 'types' || key === 'typings') return
    if (typeof value === 'string') targets.push(value)
    else if (Array.isArray(value)) for (const item of value) collect(item)
    else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) collect(v, k)
  }
  collect(pkg.exports)
  collect(pkg.main)
  collect(pkg.module)
  return targets.some((target) => TS_FILE.test(target) && !DECLARATION.test(target))
}

/**
 * An esbuild plugin that resolves the graph's source packages to files in
 * their real folders, through the package's "exports" (the conditions
 * esbuild uses for node and ESM: import, node, module, default; and
 * development) or its main
 * field, so that esbuild bundles them where `packages: 'external'` would
 * leave them out. Only imports of the graph's names reach JavaScript: each
 * plugin callback is a round trip to esbuild's process, on every rebuild (30
 * bare imports sent through one made a rebuild 2.2 ms slower). An entry that
 * is code is reached through a stub (STUB): one onLoad per entry imported, not
 * per file; on a workspace app importing 3 such entries (one of 300 modules)
 * a rebuild's median moved within the noise of a loaded machine (33.7 → 35.5 ms).
 *
 * Their other dependencies stay external, and Node resolves those from the
 * bundle's folder, by the entry. With pnpm (nothing hoisted) a dependency of
 * the package alone is found only from the package's folder: such imports,
 * from its files, are left to Node as the file they resolve to there.
 */
export function sourcePackagesPlugin(graph: SourceGraph, from: string): esbuild.Plugin {
  const filter = namesFilter(graph.names)
  return {
    name: 'hotcell-source-packages',
    setup(build) {
      build.onResolve({ filter }, async (args) => {
        const name = packageName(args.path)
        const subpath = `.${args.path.slice(name.length)}`
        const dir = packageDir(args.resolveDir, name)
        if (dir === undefined || !graph.dirs.has(dir)) {
          const mine = [...graph.dirs].some((d) => args.importer.startsWith(d + sep)) && dir !== packageDir(from, name)
          const file = mine && dir ? nodeEntry(dir, subpath) : undefined
          return { path: file ? pathToFileURL(file).href : args.path, external: true }
        }
        const target = entryOf(readPackageJson(dir) ?? {}, subpath, name)
        if (typeof target !== 'string') return { errors: [{ text: target.error }] }
        const resolved = await build.resolve(target, { kind: args.kind, resolveDir: dir, importer: args.importer })
        if (resolved.errors.length) return { errors: resolved.errors }
        const namespace = COMPILED.test(resolved.path) ? STUB : 'file'
        return { path: resolved.path, namespace, sideEffects: resolved.sideEffects }
      })
      // The stub's import of the absolute path is esbuild's own to resolve, which gives the file its tsconfig.
      build.onLoad({ filter: /./, namespace: STUB }, (args) => ({ contents: reexport(args.path), loader: 'ts', resolveDir: dirname(args.path) }))
    },
  }
}

/**
 * esbuild names a stubbed entry by its namespace in messages ("No matching
 * export in \"hotcell-source-package:/…/shared/src/index.ts\""): the user
 * reads the file, relative to `cwd`, as for any other.
 */
export function withoutStubNames<T extends esbuild.PartialMessage>(message: T, cwd: string): T {
  const plain = (text: string | undefined) => text?.replaceAll(new RegExp(`${STUB}:([^"\\n]+)`, 'g'), (_, file: string) => relative(cwd, file))
  if (!message.text?.includes(STUB) && !message.notes?.some((note) => note.text?.includes(STUB))) return message
  return { ...message, text: plain(message.text), notes: message.notes?.map((note) => ({ ...note, text: plain(note.text) })) }
}

/**
 * A module that re-exports everything of `file`, its default too. The `ts`
 * loader lets `default` be absent, as TypeScript lets a name be a type.
 */
export function reexport(file: string): string {
  const quoted = JSON.stringify(file)
  return `export * from ${quoted}\nexport { default } from ${quoted}\n`
}

/** Matches the packages `names` and paths in them. */
export function namesFilter(names: readonly string[]): RegExp {
  const escaped = names.map((name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
  return new RegExp(`^(?:${escaped.join('|')})(?:/|$)`)
}

function dependenciesOf(pkg: PackageJson | undefined): string[] {
  return [...new Set([pkg?.dependencies, pkg?.peerDependencies, pkg?.optionalDependencies].flatMap((deps) => Object.keys(deps ?? {})))]
}

/**
 * The file Node's import of `subpath` of the package in `dir` loads: through
 * its exports (import, node, default), else as a path, with the extensions
 * and index files Node tries for a package's main ("main": "./index").
 */
export function nodeEntry(dir: string, subpath: string): string | undefined {
  const pkg = readPackageJson(dir) ?? {}
  try {
    if (pkg.exports !== undefined) {
      const target = exportsTarget(pkg, subpath)?.[0]
      return typeof target === 'string' ? join(dir, target) : undefined
    }
    return require.resolve(join(dir, subpath))
  } catch {
    // Not exported, or no such file: Node's own error names it, from the bundle.
    return undefined
  }
}

/** The file `subpath` ('.', './util') of a package names, relative to its folder, or why there is none. */
function entryOf(pkg: PackageJson, subpath: string, name: string): string | { error: string } {
  if (pkg.exports !== undefined) {
    try {
      // `development` first where the map has it: a dev server's condition (Vite's too), which a
      // workspace package uses to point at its source while `import` points at a build.
      const target = exportsTarget(pkg, subpath, { conditions: ['development', 'module'] })?.[0]
      if (target) return target
    } catch {
      // resolve.exports throws for a subpath the map does not export: said below, as Node would.
    }
    return { error: `Package subpath '${subpath}' is not defined by "exports" in ${name}/package.json` }
  }
  if (subpath !== '.') return subpath
  const main = legacy(pkg, { fields: ['module', 'main'] })
  return typeof main === 'string' ? (main.startsWith('.') ? main : `./${main}`) : './index'
}

function readPackageJson(dir: string): PackageJson | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson
  } catch {
    return undefined
  }
}
