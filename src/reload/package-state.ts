// Which files say that the installed packages changed: a change to one needs
// fresh workers, whose standby imported the app's packages when it booted
// (sources.ts).
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

// What a package manager writes when the installed packages change: the
// manifest (npm install <pkg>), the lockfiles (npm update changes only these),
// and npm's own record inside node_modules (written even by --no-save).
const PACKAGE_STATE = [
  'package.json',
  'package-lock.json',
  'npm-shrinkwrap.json',
  'pnpm-lock.yaml',
  'yarn.lock',
  'bun.lock',
  'bun.lockb',
  join('node_modules', '.package-lock.json'),
]

/**
 * The entry's package (the nearest folder above it with a package.json, or its
 * folder), and the package manager's files, absolute, where an install for it
 * may write them.
 */
export function packageState(entry: string, cwd: string): { project: string; files: ReadonlySet<string> } {
  const roots = packageRoots(entry, cwd)
  const project = roots.at(-1)!
  // And the workspace root's: a workspace's installs happen there.
  const files = new Set([...roots, ...workspaceRoot(project)].flatMap((root) => PACKAGE_STATE.map((name) => join(root, name))))
  return { project, files }
}

/**
 * Where `npm install <missing package>` may write, which is the moment an
 * entry that could not import can: the working folder, and the entry's
 * package (the nearest folder above it with a package.json), or the entry's
 * own folder when it has none yet (npm creates one where it runs).
 */
function packageRoots(entry: string, cwd: string): string[] {
  let root = dirname(entry)
  for (let dir = root; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) {
      root = dir
      break
    }
    if (dirname(dir) === dir) break
  }
  return [...new Set([cwd, root])]
}

/**
 * The monorepo's root above the entry's package (a package.json with
 * "workspaces", or pnpm-workspace.yaml): npm, pnpm and yarn install a
 * workspace's packages there, and write its lockfile there.
 */
export function workspaceRoot(root: string): string[] {
  for (let dir = dirname(root); dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return [dir]
    try {
      if ('workspaces' in JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))) return [dir]
    } catch {
      // No package.json here, or not JSON: look further up.
    }
  }
  return []
}
