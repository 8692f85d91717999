const { dirname, join, relative } = process.getBuiltinModule('node:path')
// Whether a package the app imports but nobody installed is one of its own
// monorepo's workspace packages: then `pnpm add @repo/ui` is the wrong advice
// (pnpm 9 by default looks for it in the registry, as npm does for
// `npm install @repo/ui`). Read on the error path only.

// Not an ESM import of node:fs (docs/architecture.md#builtins): every worker loads this module.
const { existsSync, readdirSync, readFileSync } = process.getBuiltinModule('node:fs')

// Enough for `packages/*`, `apps/**`: deeper folders are not packages of a workspace in practice.
const MAX_DEPTH = 3

/**
 * The command that adds workspace package `name` to the package of folder
 * `from` (the importing file's), for package manager command `add` (`pnpm
 * add`, `npm install`…); undefined when `name` is not a package of the
 * monorepo above `from`.
 */
export function workspaceInstall(from: string, name: string, add: string): string | undefined {
  const root = workspaceRootOf(from)
  if (!root?.patterns.some((pattern) => hasPackage(root.dir, pattern.split('/').filter(Boolean), name, 0))) return undefined
  if (add === 'pnpm add') return `pnpm add ${name} --workspace`
  const manifest = nearestManifest(from)
  const where = manifest ? relative(process.cwd(), manifest) || 'package.json' : 'package.json'
  const install = add === 'npm install' ? 'npm install' : `${add.split(' ')[0]} install`
  // npm, yarn and bun link a workspace package whose version the range allows; `npm install <name>` asks the registry.
  return `${install} after adding "${name}": "*" to the dependencies of ${where}`
}

/** The monorepo root above `from` and its workspace globs: pnpm-workspace.yaml, or a package.json with "workspaces". */
function workspaceRootOf(from: string): { dir: string; patterns: string[] } | undefined {
  for (let dir = from; dirname(dir) !== dir; dir = dirname(dir)) {
    const yaml = read(join(dir, 'pnpm-workspace.yaml'))
    if (yaml !== undefined) return { dir, patterns: pnpmPatterns(yaml) }
    const json = read(join(dir, 'package.json'))
    if (json === undefined) continue
    try {
      const workspaces = (JSON.parse(json) as { workspaces?: unknown }).workspaces
      const list = Array.isArray(workspaces) ? workspaces : (workspaces as { packages?: unknown } | undefined)?.packages
      if (Array.isArray(list)) return { dir, patterns: list.filter((p): p is string => typeof p === 'string') }
    } catch {
      // Not JSON: not a root to go by.
    }
  }
  return undefined
}

/** The `packages:` list of pnpm-workspace.yaml, read leniently (quoted or not; negations left out). */
function pnpmPatterns(yaml: string): string[] {
  const block = /^packages:\s*\n((?:[ \t]*(?:-.*|#.*)?\n?)*)/m.exec(yaml)?.[1] ?? ''
  return [...block.matchAll(/^[ \t]*-[ \t]*['"]?([^'"\n#]+?)['"]?[ \t]*(?:#.*)?$/gm)].map((m) => m[1]!).filter((p) => !p.startsWith('!'))
}

/** Whether a folder that `segments` (a glob's, `*` and `**` only) match under `dir` holds package `name`. */
function hasPackage(dir: string, segments: string[], name: string, depth: number): boolean {
  if (!segments.length) return packageNameIn(dir) === name
  const [head, ...rest] = segments as [string, ...string[]]
  if (head === '**') {
    if (hasPackage(dir, rest, name, depth)) return true
    return depth < MAX_DEPTH && subfolders(dir).some((sub) => hasPackage(join(dir, sub), segments, name, depth + 1))
  }
  if (!head.includes('*')) return existsSync(join(dir, head)) && hasPackage(join(dir, head), rest, name, depth + 1)
  const pattern = new RegExp(`^${head.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`)
  return subfolders(dir).some((sub) => pattern.test(sub) && hasPackage(join(dir, sub), rest, name, depth + 1))
}

function subfolders(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.'))
      .map((entry) => entry.name)
  } catch {
    return []
  }
}

function packageNameIn(dir: string): string | undefined {
  try {
    const name = (JSON.parse(read(join(dir, 'package.json')) ?? '{}') as { name?: unknown }).name
    return typeof name === 'string' ? name : undefined
  } catch {
    return undefined
  }
}

function nearestManifest(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'package.json')
    if (dirname(dir) === dir) return undefined
  }
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}
