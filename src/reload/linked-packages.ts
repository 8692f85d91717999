// A linked package (npm link, a `file:` dependency, a workspace) is a symlink
// in node_modules to a folder the developer edits. Packages stay outside the
// bundle, so esbuild's metafile never lists its files: this finds those
// folders among the packages the bundle imports, to watch them like the
// bundle's inputs. An install is not linked (npm's folders, pnpm's symlinks
// into node_modules/.pnpm): a package manager changes it, and its files say so.
import { realpathSync } from 'node:fs'
import { dirname, join, sep } from 'node:path'
import { packageName } from '../../workers/missing-package.js'

/**
 * The real folders of the packages in `specifiers` (bare imports: `hono`,
 * `@scope/lib/sub`) that resolve, from folder `from` as Node looks them up,
 * to a folder with no node_modules in its real path.
 */
export function linkedPackageDirs(from: string, specifiers: Iterable<string>): string[] {
  const dirs = new Set<string>()
  for (const name of new Set([...specifiers].filter((s) => !s.startsWith('node:')).map(packageName))) {
    const real = linkedPackageDir(from, name)
    if (real) dirs.add(real)
  }
  return [...dirs]
}

/** The real folder of package `name` as Node finds it from folder `from`, when it is linked; else undefined. */
export function linkedPackageDir(from: string, name: string): string | undefined {
  const real = packageDir(from, name)
  return real && !real.split(sep).includes('node_modules') ? real : undefined
}

/** Where Node finds package `name` from folder `from`: the nearest node_modules that has it, as a real path. */
export function packageDir(from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      return realpathSync.native(join(dir, 'node_modules', name))
    } catch {
      // Not in this node_modules (or a dangling link): Node looks further up too.
    }
    if (dirname(dir) === dir) return undefined
  }
}
