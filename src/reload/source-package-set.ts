// The source packages one builder bundles (source-packages.ts finds and
// compiles them): the set it has found so far, and when to look again.
import type * as esbuild from 'esbuild'
import { dirname, join, sep } from 'node:path'
import type { ProjectRoots } from '../report/source-files.js'
import { linkedPackageDirs } from './linked-packages.js'
import { type SourceGraph, sourcePackageGraph, sourcePackagesAmong, sourcePackagesPlugin } from './source-packages.js'
import { tsconfigFiles } from './tsconfig-files.js'

/**
 * A builder's source packages: found when a build's package imports change
 * (or, while some are not found at all, at every build: a workspace package
 * may be linked by an install after the import was written), and made again
 * when one of their package.json files changes (exports, dependencies).
 */
export class SourcePackages {
  #names: string[] = []
  #unresolved: string[] = []
  #checked = ''
  #graph: SourceGraph | undefined
  #stamp = ''
  /** The real folders of the linked packages (linked-packages.ts) the last good build left to Node: prebuilt ones too are the developer's code. */
  #linked: string[] = []

  constructor(private readonly from: string) {}

  /** Their package.json files: what the bundle also depends on (watched, and named to a failed build). */
  get manifests(): string[] {
    return [...(this.#graph?.dirs ?? [])].map((dir) => join(dir, 'package.json'))
  }

  /**
   * The TypeScript configs their files are compiled with that lie outside
   * their folders (those inside are watched with them): what a package's
   * tsconfig extends (a root tsconfig.base.json, a shared config package of
   * the workspace), and those in the folders above it up to the one it
   * shares with the entry, which esbuild uses for a package without its own.
   * Present or not, as for the app's (tsconfig-files.ts): read again at each
   * build, since an edit of a package's tsconfig may change what it extends.
   */
  tsconfigs(): string[] {
    const dirs = [...(this.#graph?.dirs ?? [])]
    const files = new Set(dirs.flatMap((dir) => tsconfigFiles(join(dir, 'package.json'), sharedFolder(dir, this.from))))
    return [...files].filter((file) => !dirs.some((dir) => file.startsWith(dir + sep)))
  }

  /**
   * The working folder `cwd` and these packages' real folders: where the
   * developer's own code is (source-files.ts). Read when an error is shown,
   * so a package found by a later build counts from then on.
   */
  roots(cwd: string): ProjectRoots {
    const graph = () => this.#graph
    const linked = () => this.#linked
    return {
      cwd,
      get dirs() {
        return [cwd, ...(graph()?.dirs ?? []), ...linked()]
      },
    }
  }

  /** Before a build: whether a package.json of theirs changed, and the graph was made again. */
  refreshed(): boolean {
    if (!this.#graph || this.#graph.stamp() === this.#stamp) return false
    this.#regraph()
    return true
  }

  /** After a good build that left `packages` to Node: whether new source packages are among them (the graph then grew). */
  foundAmong(packages: readonly string[]): boolean {
    const key = packages.join('\n')
    if (key === this.#checked && !this.#unresolved.length) return false
    // A package linked by an install after its import was written (unresolved until then) is found here too.
    this.#linked = linkedPackageDirs(this.from, packages)
    const { found, unresolved } = sourcePackagesAmong(this.from, key === this.#checked ? this.#unresolved : packages)
    this.#checked = key
    this.#unresolved = unresolved
    const fresh = found.filter((name) => !this.#names.includes(name))
    if (!fresh.length) return false
    this.#names.push(...fresh)
    this.#regraph()
    return true
  }

  /** The esbuild plugins a context needs for them: none at all while there are none. */
  plugins(): esbuild.Plugin[] {
    return this.#graph ? [sourcePackagesPlugin(this.#graph, this.from)] : []
  }

  #regraph(): void {
    this.#graph = sourcePackageGraph(this.#names, this.from)
    this.#stamp = this.#graph.stamp()
  }
}

/** The deepest folder holding both `dir` and `from`; `dir` itself when that is the disk's root (a package linked from elsewhere). */
function sharedFolder(dir: string, from: string): string {
  for (let folder = dirname(dir); dirname(folder) !== folder; folder = dirname(folder)) {
    if (from === folder || from.startsWith(folder + sep)) return folder
  }
  return dir
}
