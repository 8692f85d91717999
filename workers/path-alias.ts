// A tsconfig `paths` alias whose target does not exist (a typo, a file
// renamed or deleted): esbuild cannot resolve it, takes it for a package
// (it looks like one) and leaves the import to Node, as it does every
// package; Node then says a package is missing, and hotcell would tell the
// developer to npm-install their own alias. This finds the alias the import
// matched, the way esbuild reads it: the tsconfig.json (or jsconfig.json)
// nearest to the importing file, its relative `extends`, `baseUrl`.
import { dirname, join, resolve } from 'node:path'

// Not an ESM import of node:fs (docs/architecture.md#builtins): every worker loads this module.
const { existsSync, readFileSync } = process.getBuiltinModule('node:fs')

export interface PathAlias {
  /** The config file whose `paths` holds the pattern. */
  config: string
  pattern: string
  /** Where the pattern sends this import, absolute, in the order tried. */
  targets: string[]
}

interface Paths {
  paths?: Record<string, string[]>
  /** The config that set `paths`: without a `baseUrl`, targets are relative to its folder. */
  config?: string
  /** Absolute. */
  baseUrl?: string
}

/** The `paths` pattern of the project's tsconfig that `specifier`, imported by `importer`, matches; undefined if none. */
export function pathAlias(specifier: string, importer: string): PathAlias | undefined {
  const config = nearestConfig(dirname(importer))
  const { paths, config: owner, baseUrl } = config ? readPaths(config, 0) : {}
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

function nearestConfig(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    for (const name of ['tsconfig.json', 'jsconfig.json']) if (existsSync(join(dir, name))) return join(dir, name)
    if (dirname(dir) === dir) return undefined
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
  return { paths: paths ?? inherited.paths, config: paths ? file : inherited.config, baseUrl: baseUrl ?? inherited.baseUrl }
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
function withoutComments(text: string): string {
  return text
    .replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_match, string: string | undefined) => string ?? '')
    .replace(/("(?:[^"\\]|\\.)*")|,(\s*[}\]])/g, (match, string: string | undefined, close: string | undefined) => string ?? close ?? match)
}
