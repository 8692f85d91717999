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
import { readFileSync } from 'node:fs'
import { join, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import { exports as exportsTarget, legacy } from 'resolve.exports'
import { packageName } from '../../workers/missing-package.js'
import { linkedPackageDir, packageDir } from './linked-packages.js'

const TS_FILE = /\.[cm]?tsx?$/
const DECLARATION = /\.d\.[cm]?tsx?$/

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
 * linked packages that export TypeScript source, as seen from folder `from`.
 */
export function sourcePackagesAmong(from: string, specifiers: Iterable<string>): string[] {
  const names = new Set([...specifiers].filter((s) => !s.startsWith('node:')).map(packageName))
  return [...names].filter((name) => {
    const dir = linkedPackageDir(from, name)
    return dir !== undefined && exportsTypeScript(readPackageJson(dir))
  })
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
 * An esbuild plugin that resolves imports of `names` to files in their real
 * folders, through the package's "exports" (the conditions esbuild uses for
 * node and ESM: import, node, module, default) or its main field, so that
 * esbuild bundles them where `packages: 'external'` would leave them out. Only
 * imports of these names reach JavaScript: each plugin callback is a round
 * trip to esbuild's process, on every rebuild (30 bare imports sent through
 * one made a rebuild 2.2 ms slower).
 *
 * Their own dependencies stay external, and Node resolves those from the
 * bundle's folder, by the entry. With pnpm (nothing hoisted) a dependency of
 * the package alone is found only from the package's folder: such imports,
 * from its files, are left to Node as the file they resolve to there.
 */
export function sourcePackagesPlugin(names: readonly string[], from: string): esbuild.Plugin {
  const dirs = names.flatMap((name) => linkedPackageDir(from, name) ?? [])
  const relocated = new Set(dirs.flatMap((dir) => dependenciesOf(readPackageJson(dir)).filter((dep) => packageDir(dir, dep) !== packageDir(from, dep))))
  const filter = namesFilter([...names, ...relocated])
  return {
    name: 'hotcell-source-packages',
    setup(build) {
      build.onResolve({ filter }, async (args) => {
        const name = packageName(args.path)
        if (!names.includes(name)) {
          const dir = dirs.some((d) => args.importer.startsWith(d + sep)) ? packageDir(args.resolveDir, name) : undefined
          const file = dir && nodeEntry(dir, `.${args.path.slice(name.length)}`)
          return file ? { path: pathToFileURL(file).href, external: true } : undefined
        }
        const dir = linkedPackageDir(args.resolveDir, name)
        // Installed rather than linked where this file looks it up: left to Node like any package.
        if (dir === undefined) return { path: args.path, external: true }
        const subpath = `.${args.path.slice(name.length)}`
        const target = entryOf(readPackageJson(dir) ?? {}, subpath, name)
        if (typeof target !== 'string') return { errors: [{ text: target.error }] }
        const resolved = await build.resolve(target, { kind: args.kind, resolveDir: dir, importer: args.importer })
        return resolved.errors.length ? { errors: resolved.errors } : { path: resolved.path, sideEffects: resolved.sideEffects }
      })
    },
  }
}

function namesFilter(names: readonly string[]): RegExp {
  const escaped = names.map((name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
  return new RegExp(`^(?:${escaped.join('|')})(?:/|$)`)
}

function dependenciesOf(pkg: PackageJson | undefined): string[] {
  return [...new Set([pkg?.dependencies, pkg?.peerDependencies, pkg?.optionalDependencies].flatMap((deps) => Object.keys(deps ?? {})))]
}

/** The file Node's import of `subpath` of the package in `dir` loads: its exports (import, node, default), else main. */
function nodeEntry(dir: string, subpath: string): string | undefined {
  const pkg = readPackageJson(dir) ?? {}
  try {
    const target = pkg.exports !== undefined ? exportsTarget(pkg, subpath)?.[0] : subpath === '.' ? (legacy(pkg, { fields: ['main'] }) ?? 'index.js') : subpath
    return typeof target === 'string' ? join(dir, target) : undefined
  } catch {
    // Not exported: Node's own error names it, from the bundle.
    return undefined
  }
}

/** The file `subpath` ('.', './util') of a package names, relative to its folder, or why there is none. */
function entryOf(pkg: PackageJson, subpath: string, name: string): string | { error: string } {
  if (pkg.exports !== undefined) {
    try {
      const target = exportsTarget(pkg, subpath, { conditions: ['module'] })?.[0]
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
