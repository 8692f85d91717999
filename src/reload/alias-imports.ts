// An import through a tsconfig `paths` alias, or under its `baseUrl`
// (`src/routes/api` with baseUrl '.'), whose target is missing (a file
// deleted, moved, misspelt): esbuild cannot resolve it through the alias,
// takes the specifier for a package, and with `packages: 'external'` leaves
// it to Node without a word. Node then fails the import at load with
// "Cannot find package '@/lib'": the scope, not the import, and no line. This
// finds such imports in the build's metafile and makes each a build error at
// its line, as esbuild reports a relative import it cannot resolve.
// No esbuild plugin: each onResolve callback is a round trip to esbuild's
// process on every rebuild, and an app imports through its aliases on most
// files. This reads only the imports left to Node, after the build.
import type { Metafile } from 'esbuild'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { basename, dirname, join, relative } from 'node:path'
import { nearestName } from '../config/nearest-name.js'
import { packageName } from '../../workers/missing-package.js'
import { PathAliases, packageFirst, TRIED } from '../../workers/path-alias.js'
import type { BuildMessage } from '../report/build-errors.js'

export interface UnresolvedAlias {
  /** esbuild's shape, located at the import's specifier. */
  message: BuildMessage
  /** Absolute: the importing file and the config that holds the pattern. */
  files: string[]
  /** Where the alias points, absolute, without the extensions esbuild tries (builder.ts's `missing`). */
  targets: string[]
}

/**
 * The static imports of `meta`'s inputs that esbuild left to Node, match a
 * `paths` pattern of their file's tsconfig, and name no package in a
 * node_modules above the file. An installed package stays Node's: when an
 * alias finds no file, TypeScript and esbuild fall back to node_modules; and
 * so does one not installed that a `"*"` pattern matches (packageFirst()).
 * Dynamic imports and require() stay Node's too: they may be in a try.
 * `cwd` is esbuild's absWorkingDir; the metafile's paths are absolute.
 */
export function unresolvedAliases(meta: Metafile, cwd: string): UnresolvedAlias[] {
  const aliases = new PathAliases()
  const installed = new Map<string, boolean>()
  const found: UnresolvedAlias[] = []
  for (const [importer, input] of Object.entries(meta.inputs)) {
    if (/^[a-z-]+:/.test(importer)) continue
    const seen = new Set<string>()
    for (const { path, kind, external } of input.imports) {
      // `<runtime>`: esbuild's own helpers (keepNames), no file.
      if (!external || kind !== 'import-statement' || /^(node:|file:|[./#<]|[A-Za-z]:)/.test(path) || seen.has(path)) continue
      seen.add(path)
      const alias = aliases.match(path, importer)
      const name = packageName(path)
      if (!alias || packageFirst(alias, name) || isInstalled(dirname(importer), name, installed)) continue
      const targets = alias.targets.map((target) => relative(cwd, target))
      const where = targets.length === 1 ? `${targets[0]}, which does not exist` : `${targets.join(' or ')}, none of which exists`
      const text =
        alias.baseUrl === undefined
          ? `Could not resolve "${path}": ${relative(cwd, alias.config)} maps '${alias.pattern}' to ${where} (${TRIED}). Fix the import, or add the file`
          : `Could not resolve "${path}": baseUrl '${alias.baseUrl}' of ${relative(cwd, alias.config)} makes it ${where} (${TRIED}). ` +
            `${nearMiss(alias.targets[0]!, cwd)}Fix the import, or add the file`
      found.push({ message: { text, location: importAt(importer, path, cwd) }, files: [importer, alias.config], targets: alias.targets })
    }
  }
  return found
}

/** "Did you mean src/routes/api.ts? ": the file beside the missing target whose name is nearest, or ''. */
function nearMiss(target: string, cwd: string): string {
  let names: string[]
  try {
    names = readdirSync(dirname(target))
  } catch {
    return ''
  }
  const stem = (name: string) => name.replace(/\.[cm]?[jt]sx?$|\.json$/, '')
  const near = nearestName(basename(target), names.map(stem))
  const file = near === undefined ? undefined : names.find((name) => stem(name) === near)
  return file ? `Did you mean ${relative(cwd, join(dirname(target), file))}? ` : ''
}

/** Whether Node would find package `name` from `dir`: a folder of that name in a node_modules at or above it. */
function isInstalled(dir: string, name: string, known: Map<string, boolean>): boolean {
  const key = `${dir}\0${name}`
  let yes = known.get(key)
  if (yes === undefined) {
    yes = existsSync(join(dir, 'node_modules', name)) || (dirname(dir) !== dir && isInstalled(dirname(dir), name, known))
    known.set(key, yes)
  }
  return yes
}

/** The import's specifier in the source, as esbuild locates its own errors (0-based column, at the opening quote); null if not found. */
function importAt(file: string, specifier: string, cwd: string): BuildMessage['location'] {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return null
  }
  const quoted = specifier.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
  const pattern = new RegExp(`(?:\\bfrom\\s*|\\bimport\\s*)(['"])${quoted}\\1`)
  const lines = text.split(/\r?\n/)
  for (const [n, lineText] of lines.entries()) {
    const hit = pattern.exec(lineText)
    if (!hit) continue
    return { file: relative(cwd, file), line: n + 1, column: hit.index + hit[0].length - specifier.length - 2, length: specifier.length + 2, lineText }
  }
  return null
}
