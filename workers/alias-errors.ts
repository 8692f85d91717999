// An import Node found no package for, that is (or was) a tsconfig `paths`
// alias rather than a package to install. The build reports a static import
// through an alias whose file is missing (src/reload/alias-imports.ts); these
// come at load, or when a handler runs the import:
// - an import() or require() through such an alias, which the build leaves
//   to Node (it may be in a try);
// - an import() whose path is computed when the code runs (`@/lib/${name}`):
//   esbuild bundles none, and Node knows no aliases, even to a file that is
//   there (computedAliasError);
// - an alias whose `paths` entry is gone (deleted, renamed in tsconfig.json):
//   esbuild has no way to know it was one. `@/lib/db` cannot be a package
//   (npm names have no empty scope); `@utils/time` can, and it is then one of
//   two things: a package the project does not declare, with a tsconfig that
//   has `paths`, is as likely an alias whose entry went away.
import type { ErrorData } from '../src/pool/protocol.js'
import { canBePackage, PathAliases, packageFirst, TRIED } from './path-alias.js'
import { withSources } from './source-excerpts.js'
const { dirname, join, relative } = process.getBuiltinModule('node:path')

// Not an ESM import of node:fs (docs/architecture.md#builtins): every worker loads this module.
const { existsSync, readFileSync, statSync } = process.getBuiltinModule('node:fs')

export interface ImportSite {
  file: string
  line: number
  column: number
  specifier: string
}

/**
 * The error for `site`'s import of package `name` (its first segments) when
 * it is an alias or could be one; undefined for a package to install.
 * `install`: the command that would install it.
 */
export function aliasError(site: ImportSite, name: string, install: string): ErrorData | undefined {
  const aliases = new PathAliases()
  const label = `${relative(process.cwd(), site.file)}:${site.line}`
  const alias = aliases.match(site.specifier, site.file)
  if (alias && packageFirst(alias, name)) return undefined
  if (alias?.baseUrl !== undefined)
    return located(
      site,
      `Cannot resolve '${site.specifier}', imported by ${label}: baseUrl '${alias.baseUrl}' of ${relative(process.cwd(), alias.config)} ` +
        `makes it ${relative(process.cwd(), alias.targets[0]!)}, and there is no such file (${TRIED}). Fix the import, or add the file`,
    )
  if (alias) {
    const targets = alias.targets.map((t) => relative(process.cwd(), t)).join(' or ')
    return located(
      site,
      `Cannot resolve '${site.specifier}', imported by ${label}: ${relative(process.cwd(), alias.config)} maps '${alias.pattern}' to ${targets}, ` +
        `and there is no such file (${TRIED}). Fix the import, or add the file`,
    )
  }
  const config = aliases.patterns(site.file)
  const configName = config ? relative(process.cwd(), config.config) : 'tsconfig.json'
  const has = config?.patterns?.length ? ` (it has ${config.patterns.map((p) => `'${p}'`).join(', ')})` : ' (it has none)'
  const noEntry = config
    ? `no "paths" entry of ${configName} matches it${has}`
    : `no tsconfig.json or jsconfig.json applies to ${relative(process.cwd(), site.file)}`
  if (!canBePackage(name))
    return located(
      site,
      `Cannot resolve '${site.specifier}', imported by ${label}: ${noEntry}, and no package can be named '${name}'. Fix the import, or add its alias to "paths" in ${configName}`,
    )
  if (!config?.patterns || declared(dirname(site.file), name)) return undefined
  return located(
    site,
    `Cannot find package '${name}', imported by ${label}, and ${noEntry}. If '${site.specifier}' is an alias of yours, add its entry to "paths" in ${configName}; ` +
      `if it is a package, install it: ${install}; hotcell reloads when package.json changes`,
  )
}

/**
 * The error for `site`'s import() of a path computed when the code ran, that
 * goes through an alias to a file that is there: esbuild follows a computed
 * path only when it starts with ./ or ../, and Node knows no tsconfig
 * aliases. Undefined when the alias does not apply, or its file is missing
 * (aliasError() says so).
 */
export function computedAliasError(site: ImportSite, name: string): ErrorData | undefined {
  const alias = new PathAliases().match(site.specifier, site.file)
  if (!alias || packageFirst(alias, name)) return undefined
  const target = alias.targets.find((t) => fileAt(t) !== undefined)
  const file = target && fileAt(target)
  if (!target || !file) return undefined
  const through =
    alias.baseUrl === undefined
      ? `'${alias.pattern}' of ${relative(process.cwd(), alias.config)}`
      : `baseUrl '${alias.baseUrl}' of ${relative(process.cwd(), alias.config)}`
  // The import() to write instead: the target's folder from the importing file, and what esbuild added to the name ('.ts', '/index.ts').
  let folder = relative(dirname(site.file), dirname(target)).replaceAll('\\', '/') || '.'
  if (!folder.startsWith('.')) folder = `./${folder}`
  const ext = file.slice(target.length).replaceAll('\\', '/')
  const text =
    `Cannot resolve '${site.specifier}', imported by ${relative(process.cwd(), site.file)}:${site.line} by a path computed when the code runs: ` +
    `${through} makes it ${relative(process.cwd(), file)}, but only esbuild reads tsconfig's paths and baseUrl, and it bundles a computed import() only ` +
    `when its path starts with ./ or ../; Node, which gets this one, reads neither. Spell the folder out from this file, ` +
    `import(\`${folder}/\${name}${ext}\`) or '${folder}/' + name + '${ext}': esbuild then bundles every file that can match`
  return located(site, text)
}

/** The file esbuild takes for an alias's `target`: as it is, with an extension added, or a folder's index file. */
function fileAt(target: string): string | undefined {
  for (const candidate of [target, ...EXTENSIONS.map((ext) => target + ext), ...EXTENSIONS.map((ext) => join(target, `index${ext}`))]) {
    try {
      if (statSync(candidate).isFile()) return candidate
    } catch {
      // Not there: the next.
    }
  }
  return undefined
}

const EXTENSIONS = ['.ts', '.tsx', '.js', '.jsx', '.json']

function located(site: ImportSite, text: string): ErrorData {
  // Only the import's own place: the frames of Node's loader say nothing to the developer.
  return withSources({ name: 'Error', code: 'ERR_MODULE_NOT_FOUND', message: text, stack: `Error: ${text}\n    at ${site.file}:${site.line}:${site.column}` })
}

/** Whether the package.json nearest to `dir` lists `name` among its dependencies of any kind. */
function declared(dir: string, name: string): boolean {
  for (let at = dir; ; at = dirname(at)) {
    const file = join(at, 'package.json')
    if (existsSync(file)) {
      try {
        const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
        return ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'].some((field) => {
          const deps = manifest[field]
          return typeof deps === 'object' && deps !== null && name in deps
        })
      } catch {
        return false
      }
    }
    if (dirname(at) === at) return false
  }
}
