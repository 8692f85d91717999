// An import Node found no package for, that is (or was) a tsconfig `paths`
// alias rather than a package to install. The build reports a static import
// through an alias whose file is missing (src/reload/alias-imports.ts); these
// come at load:
// - an import() or require() through such an alias, which the build leaves
//   to Node (it may be in a try);
// - an alias whose `paths` entry is gone (deleted, renamed in tsconfig.json):
//   esbuild has no way to know it was one. `@/lib/db` cannot be a package
//   (npm names have no empty scope); `@utils/time` can, and it is then one of
//   two things: a package the project does not declare, with a tsconfig that
//   has `paths`, is as likely an alias whose entry went away.
import { dirname, join, relative } from 'node:path'
import type { ErrorData } from '../src/pool/protocol.js'
import { canBePackage, PathAliases, packageFirst, TRIED } from './path-alias.js'
import { withSources } from './source-excerpts.js'

// Not an ESM import of node:fs (docs/architecture.md#builtins): every worker loads this module.
const { existsSync, readFileSync } = process.getBuiltinModule('node:fs')

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
      `if it is a package, install it: ${install}; hotcell reloads when package.json changes (or press r)`,
  )
}

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
