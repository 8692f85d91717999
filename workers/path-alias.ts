const { dirname, join, resolve } = process.getBuiltinModule('node:path')
// The tsconfig `paths` alias an import matches, read the way esbuild reads
// it: the tsconfig.json (or jsconfig.json) nearest to the importing file, its
// relative `extends`, `baseUrl`. An alias whose target does not exist (a
// typo, a file renamed or deleted) is no error to esbuild: it takes the
// specifier for a package and leaves it to Node, which then says a package
// is missing. The build (src/reload/alias-imports.ts) and the worker
// (alias-errors.ts) say which alias it was, and where it points.

// Not an ESM import of node:fs (docs/architecture.md#builtins): every worker loads this module.
const { existsSync, readFileSync } = process.getBuiltinModule('node:fs')

/** What esbuild tries at an alias's target, as the errors say it. */
export const TRIED = 'with .ts, .tsx, .js, .jsx or .json added, or as a folder with an index file'

export interface PathAlias {
  /** The config file whose `paths` holds the pattern (or sets the `baseUrl`). */
  config: string
  pattern: string
  /** Where the pattern sends this import, absolute, in the order tried. */
  targets: string[]
  /** No `paths` pattern matched: the import is under `baseUrl` (this, as the config spells it). */
  baseUrl?: string
}

/**
 * Whether an import of `name` (`pkg` or `@scope/pkg`) that matched `alias`
 * is taken for a package: with a pattern of no prefix (`"*"`), which matches
 * every package, TypeScript and esbuild fall back to node_modules, and a
 * name npm allows may be one not installed yet. `@/lib` and `~/lib` are no
 * package names.
 */
export function packageFirst(alias: PathAlias, name: string): boolean {
  return alias.pattern.startsWith('*') && canBePackage(name)
}

/** Whether npm allows `name`: no empty scope, nothing a URL escapes, none of ~'!()*, no leading . or _. */
export function canBePackage(name: string): boolean {
  const parts = name.startsWith('@') ? name.slice(1).split('/') : [name]
  return parts.every((part) => part !== '' && encodeURIComponent(part) === part && !/^[._]/.test(part) && !/[~'!()*]/.test(part))
}

interface Paths {
  paths?: Record<string, string[]>
  /** The config that set `paths`: without a `baseUrl`, targets are relative to its folder. */
  config?: string
  /** Absolute. */
  baseUrl?: string
  /** The config that set `baseUrl`, and the value it wrote. */
  baseConfig?: string
  baseWritten?: string
}

/**
 * The tsconfig `paths` that apply to files, each folder's config looked up
 * and each config read once: a build asks of every package import it leaves
 * to Node (src/reload/alias-imports.ts). Make a new one to see edits.
 */
export class PathAliases {
  readonly #nearest = new Map<string, string | undefined>()
  readonly #read = new Map<string, Paths>()
  readonly #present = new Map<string, boolean>()

  /**
   * The `paths` pattern that `specifier`, imported by `importer`, matches;
   * else, with a `baseUrl`, the file under it when the import's first
   * segment is a folder or file there (`src/routes/api` with baseUrl '.'):
   * a package's name is not one. Undefined if neither.
   */
  match(specifier: string, importer: string): PathAlias | undefined {
    const found = this.#pathsOf(importer)
    return this.#matchPaths(specifier, found) ?? this.#underBaseUrl(specifier, found)
  }

  /** The import as a file under `baseUrl`, when its first segment is there. */
  #underBaseUrl(specifier: string, { baseUrl, baseConfig, baseWritten }: Paths): PathAlias | undefined {
    if (!baseUrl || !baseConfig || /^[./#]|^[a-z]+:/i.test(specifier) || !specifier.includes('/')) return undefined
    // One look per first segment: a build asks of every package import (`hono/cors`, `hono/jsx`).
    const first = join(baseUrl, specifier.split('/')[0]!)
    let there = this.#present.get(first)
    if (there === undefined) {
      there = existsSync(first)
      this.#present.set(first, there)
    }
    return there ? { config: baseConfig, pattern: specifier, targets: [resolve(baseUrl, specifier)], baseUrl: baseWritten ?? '.' } : undefined
  }

  #matchPaths(specifier: string, { paths, config: owner, baseUrl }: Paths): PathAlias | undefined {
    if (!paths || !owner) return undefined
    const base = baseUrl ?? dirname(owner)
    // As TypeScript: of the patterns that match, the one with the longest prefix.
    let best: { pattern: string; star: string; prefix: number } | undefined
    for (const pattern of Object.keys(paths)) {
      const star = matchStar(pattern, specifier)
      const prefix = pattern.indexOf('*') === -1 ? pattern.length : pattern.indexOf('*')
      if (star !== undefined && (!best || prefix > best.prefix)) best = { pattern, star, prefix }
    }
    if (!best) return undefined
    const targets = (paths[best.pattern] ?? []).filter((t) => typeof t === 'string').map((t) => resolve(base, t.replace('*', best.star)))
    return { config: owner, pattern: best.pattern, targets }
  }

  /**
   * The `paths` patterns that apply to `importer` (the nearest config's, or
   * its bases'), and the config to edit: the one that holds them, else the
   * nearest. Undefined without a config.
   */
  patterns(importer: string): { config: string; patterns: string[] | undefined } | undefined {
    const config = this.#nearestConfig(dirname(importer))
    if (!config) return undefined
    const { paths, config: owner } = this.#readPaths(config)
    return { config: owner ?? config, patterns: paths && Object.keys(paths) }
  }

  #pathsOf(importer: string): Paths {
    const config = this.#nearestConfig(dirname(importer))
    return config ? this.#readPaths(config) : {}
  }

  #nearestConfig(dir: string): string | undefined {
    if (this.#nearest.has(dir)) return this.#nearest.get(dir)
    let found: string | undefined
    for (const name of ['tsconfig.json', 'jsconfig.json']) if (!found && existsSync(join(dir, name))) found = join(dir, name)
    if (!found && dirname(dir) !== dir) found = this.#nearestConfig(dirname(dir))
    this.#nearest.set(dir, found)
    return found
  }

  #readPaths(file: string): Paths {
    const known = this.#read.get(file)
    if (known) return known
    const paths = readPaths(file, 0)
    this.#read.set(file, paths)
    return paths
  }
}

function readPaths(file: string, depth: number): Paths {
  let json: { extends?: unknown; compilerOptions?: { paths?: unknown; baseUrl?: unknown } }
  try {
    json = JSON.parse(withoutComments(readFileSync(file, 'utf8')))
  } catch {
    return {}
  }
  // A base config named by a path; one from a package (@tsconfig/node20) rarely sets paths.
  const bases = (Array.isArray(json.extends) ? json.extends : [json.extends]).filter((e): e is string => typeof e === 'string' && /^\.{0,2}\//.test(e))
  let inherited: Paths = {}
  for (const base of depth < 8 ? bases : []) {
    const path = resolve(dirname(file), base.endsWith('.json') ? base : `${base}.json`)
    const read = readPaths(path, depth + 1)
    inherited = { ...inherited, ...Object.fromEntries(Object.entries(read).filter(([, v]) => v !== undefined)) }
  }
  const own = json.compilerOptions ?? {}
  const baseUrl = typeof own.baseUrl === 'string' ? resolve(dirname(file), own.baseUrl) : undefined
  const paths = own.paths && typeof own.paths === 'object' ? (own.paths as Record<string, string[]>) : undefined
  return {
    paths: paths ?? inherited.paths,
    config: paths ? file : inherited.config,
    baseUrl: baseUrl ?? inherited.baseUrl,
    baseConfig: baseUrl ? file : inherited.baseConfig,
    baseWritten: baseUrl ? (own.baseUrl as string) : inherited.baseWritten,
  }
}

/** What `*` stands for when `specifier` matches `pattern` ('' for a pattern without one), or undefined. */
function matchStar(pattern: string, specifier: string): string | undefined {
  const star = pattern.indexOf('*')
  if (star === -1) return pattern === specifier ? '' : undefined
  const prefix = pattern.slice(0, star)
  const suffix = pattern.slice(star + 1)
  if (specifier.length < prefix.length + suffix.length || !specifier.startsWith(prefix) || !specifier.endsWith(suffix)) return undefined
  return specifier.slice(prefix.length, specifier.length - suffix.length)
}

/** tsconfig files are JSON with comments and trailing commas. */
export function withoutComments(text: string): string {
  return text
    .replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_match, string: string | undefined) => string ?? '')
    .replace(/("(?:[^"\\]|\\.)*")|,(\s*[}\]])/g, (match, string: string | undefined, close: string | undefined) => string ?? close ?? match)
}
