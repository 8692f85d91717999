// The one place that decides what is watched and whether a change rebuilds.
// The watcher only reports what it sees under the paths given here; the
// reloader tells this module what each build read.
import { existsSync } from 'node:fs'
import { basename, dirname, resolve, sep } from 'node:path'
import type { BuildOutcome } from './builder.js'
import { linkedPackageDirs } from './linked-packages.js'
import { tsconfigFiles } from './tsconfig-files.js'
import { wouldResolve } from './missing-imports.js'
import { CreatedFiles } from './created-files.js'
import { realPathOf } from './real-path.js'
import { OwnOutput } from './own-output.js'
import { RuntimeReads } from './runtime-reads.js'
import { IgnoredPaths } from './ignored-paths.js'
import { packageState } from './package-state.js'

export type ChangeKind = 'add' | 'change' | 'unlink'

export interface SourcesConfig {
  readonly entry: string
  readonly cwd: string
  /** `--watch` paths, absolute. */
  readonly watch: readonly string[]
  /** `--ignore` globs, relative to cwd or absolute. */
  readonly ignore: readonly string[]
  /** The env files, absolute: watched even while absent. */
  readonly envFiles: readonly string[]
}

const SOURCE_FILE = /\.(?:[cm]?[jt]sx?|json)$/
const CODE_FILE = /\.[cm]?[jt]sx?$/
/** What esbuild loads with the loaders hotcell gives it (its defaults): nothing else can change a build. */
export const LOADABLE = /\.(?:[cm]?[jt]sx?|json|css|txt)$/
const PROJECT_FILE = /(^|\/)(tsconfig[^/]*|package)\.json$/

export class Sources {
  /** Files of the last good build: a change to anything else cannot change the bundle. */
  #inputs = new Set<string>()
  /** Files created since a reload named them. */
  readonly created = new CreatedFiles()
  #lastBuildFailed = false
  /** The imports the last failed build could not find, and the files its errors name. */
  #missing: readonly string[] = []
  #errorFiles: readonly string[] = []
  /** Folders holding the inputs (folders, so that a new file is seen: it may fix an unresolved import). */
  #roots: string[]
  /** Real folders of the linked packages the last good build imports (linked-packages.ts). */
  #linked: string[] = []
  /** Folders of the sources with a dynamic import of a computed path: Node loads the code files there itself (computed-imports.ts). */
  #loadedByNode: string[] = []
  readonly #ignore: IgnoredPaths
  readonly #packageState: ReadonlySet<string>
  /** The TypeScript configs from the entry's folder up to its package's, and what they extend (tsconfig-files.ts). */
  readonly #tsconfigs: ReadonlySet<string>
  /** Those of the source packages the last good build bundled, outside their folders (source-package-set.ts). */
  #packageTsconfigs: ReadonlySet<string> = new Set()
  /** The entry's package (the nearest folder above it with a package.json): the most a missing import makes watched. */
  readonly #project: string
  /** The file this process's output goes to, if it goes to one (own-output.ts). */
  readonly #ownOutput = new OwnOutput()
  /** The project files the app reads and writes while it runs, as its workers report them (runtime-reads.ts). */
  readonly runtime = new RuntimeReads()

  constructor(private readonly config: SourcesConfig) {
    // Watched before the first build says what its inputs are.
    this.#roots = [dirname(config.entry)]
    const packages = packageState(config.entry, config.cwd)
    this.#project = packages.project
    this.#packageState = packages.files
    this.#ignore = new IgnoredPaths(config)
    // Up to the working folder too when it is higher: a project without package.json has its tsconfig there.
    const top = [this.#project, config.cwd].filter((dir) => within([dir], dirname(config.entry))).sort((a, b) => a.length - b.length)[0]
    this.#tsconfigs = new Set(tsconfigFiles(config.entry, top ?? this.#project))
  }

  /** The entry's package (the nearest folder above it with a package.json), or its folder: the files the app reads there are reported. */
  get project(): string {
    return this.#project
  }

  /**
   * The package manager's files and the TypeScript configs, absolute: watched
   * by name, even while absent (named-file-watch.ts). The source packages'
   * configs join them as builds find those packages (project-watch.ts follows).
   */
  get namedFiles(): readonly string[] {
    return [...new Set([...this.#packageState, ...this.#tsconfigs, ...this.#packageTsconfigs])]
  }

  /** The TypeScript configs that may apply to the entry, present or not. */
  get tsconfigs(): string[] {
    return [...this.#tsconfigs]
  }

  /** Resolves once `ignored` applies the `--ignore` globs (picomatch is imported only when there are any). */
  ready(): Promise<void> {
    return this.#ignore.ready()
  }

  /** Never watched by chokidar: node_modules, .git, .hotcell, logs and SQLite files, and the `--ignore` globs (ignored-paths.ts). */
  readonly ignored = (path: string): boolean => this.#ignore.has(path)

  /**
   * Folders and files for chokidar to watch: those holding the bundle's
   * inputs, linked packages and `--watch` paths. The package files
   * and the TypeScript configs (`namedFiles`) and the env files are watched by name.
   */
  watchPaths(): string[] {
    return [...new Set([...this.#roots, ...this.#linked, ...this.config.watch])]
  }

  /**
   * A change that workers booted before it may not see: a package manager's
   * files (the installed packages changed), or a file of a linked package or
   * under a `--watch` path that the bundle does not contain (imported by
   * name). A standby imported the app's packages when it booted; these
   * reloads need fresh workers.
   */
  outdatesWorkers(path: string): boolean {
    if (this.#packageState.has(path)) return true
    if (this.runtime.when(path) === 'import') return !this.#inputs.has(realPathOf(path))
    if (!within(this.config.watch, path) && !within(this.#linked, path) && !this.#mayBeLoadedByNode(path)) return false
    // Deleted: not an input of the build that just ran either.
    return !this.#inputs.has(realPathOf(path))
  }

  get envFiles(): readonly string[] {
    return this.config.envFiles
  }

  isEnvFile(path: string): boolean {
    return this.config.envFiles.includes(path)
  }

  /** The inputs of the last good build, for a check of what changed while nothing watched. */
  get inputs(): ReadonlySet<string> {
    return this.#inputs
  }

  get lastBuildFailed(): boolean {
    return this.#lastBuildFailed
  }

  /**
   * What the last build's outcome depends on, for scan-gap.ts: the files it
   * read, or, failed, the imports it could not find. Not a failed build's
   * files with errors: their change times said "changed" of files written
   * just before the start, which rebuilt the same error and printed it again.
   * But the package.json files it names: a workspace package's exports, read
   * to resolve an import (source-packages.ts), whose folder the failure made
   * watched.
   */
  get lastRead(): { files: Iterable<string>; missing: readonly string[] } {
    if (!this.#lastBuildFailed) return { files: this.#inputs, missing: [] }
    return { files: this.#errorFiles.filter((file) => basename(file) === 'package.json'), missing: this.#missing }
  }

  /** What a build read (or, failed, which files its errors name). */
  update(build: BuildOutcome): void {
    if (!build.ok) {
      // A failed build has no metafile: keep the last good set and add the files named by the errors.
      this.#lastBuildFailed = true
      this.#missing = build.missing
      this.#errorFiles = build.files
      this.#roots = reduceRoots([...this.#roots, ...build.files.map((f) => dirname(f)), ...build.missing.flatMap((path) => this.#nearestFolder(path))])
      return
    }
    this.#lastBuildFailed = false
    this.#inputs = new Set(build.inputs)
    this.#linked = linkedPackageDirs(dirname(build.file), build.packages)
    this.#loadedByNode = build.computedImportFolders
    this.#packageTsconfigs = new Set(build.tsconfigs)
    this.#roots = reduceRoots([dirname(this.config.entry), ...build.inputs.map((f) => dirname(f))].filter((d) => !d.split(sep).includes('node_modules')))
  }

  /**
   * The nearest existing folder above a path an import could not find,
   * within the entry's package: a file created there, even in folders
   * created with it (`mkdir shared`), can fix the import. Nothing above the
   * package: a `../../x` must not watch a whole disk.
   */
  #nearestFolder(path: string): string[] {
    for (let dir = dirname(path); dir === this.#project || dir.startsWith(this.#project + sep); dir = dirname(dir)) {
      if (existsSync(dir)) return [dir]
    }
    return []
  }

  /**
   * After a failed build: could this file be the fix? Code (a new file may be
   * imported through tsconfig paths, which leave no missing path), project
   * files, the inputs of the last good build, the files the errors name, and
   * files that resolve an import not found. Not any other file esbuild can
   * load: the terminal's own log redirected next to the entry (`hotcell
   * app.ts > out.txt`) rebuilt the broken code at every line it wrote, and
   * each build wrote a line: ~20 builds a second until the fix.
   */
  #mayFix(path: string): boolean {
    if (CODE_FILE.test(path) || PROJECT_FILE.test(path) || this.#errorFiles.includes(path)) return true
    return this.#inputs.has(path) || this.#missing.some((target) => wouldResolve(target, path))
  }

  /**
   * A code file a dynamic import of a computed path may load: under the folder of a source
   * that has one. Not other files there: an app that writes a JSON file per
   * request into its own folder would lose its state at each write.
   */
  #mayBeLoadedByNode(path: string): boolean {
    return this.#loadedByNode.length > 0 && CODE_FILE.test(path) && within(this.#loadedByNode, path)
  }

  #isTsconfig(path: string): boolean {
    return this.#tsconfigs.has(path) || this.#packageTsconfigs.has(path)
  }

  /** Could this event change what is served? Filtering here saves builds that could not. */
  rebuilds(kind: ChangeKind, path: string): boolean {
    this.created.note(kind, path, () => this.#inputs.has(realPathOf(path)))
    if (this.isEnvFile(path) || this.#packageState.has(path)) return true
    if (this.ignored(path)) return false
    if (this.#isTsconfig(path)) return true
    if (this.#lastBuildFailed) return this.#mayFix(path)
    // Before the first build the inputs are not known: any file esbuild can load may be one.
    if (this.#inputs.size === 0) return LOADABLE.test(path) && !this.#ownOutput.has(path)
    const watched = within(this.config.watch, path) || this.#mayBeLoadedByNode(path)
    if (!this.#inputs.has(realPathOf(path)) && (watched || this.runtime.when(path) === 'import')) {
      // What the app writes is its data, and what this process prints goes to its output file: neither is source.
      return !this.runtime.writes(path) && !this.#ownOutput.has(path)
    }
    if (watched) return true
    // A deleted input fails the build whatever its kind (a .txt or .css the
    // code imports): built now, its error is shown now, not at the next save.
    if (kind === 'unlink' && this.#inputs.has(path)) return true
    if (kind !== 'change' || within(this.#linked, path)) return SOURCE_FILE.test(path)
    return this.#inputs.has(realPathOf(path)) || PROJECT_FILE.test(path)
  }

  /**
   * A change that does not rebuild, of a file the app read while answering a
   * request: the next request reads it again, so only the open tabs reload.
   */
  reloadsTabs(path: string): boolean {
    return this.runtime.when(path) === 'request' && !this.ignored(path) && !this.#inputs.has(realPathOf(path)) && !this.#ownOutput.has(path)
  }

  /**
   * Could a change of `path` be a reload's own echo (reload-loop.ts)? Not
   * code, nor a file the build or the package manager reads: those are
   * edited, and a script may save one right after each reload.
   */
  mayEcho(path: string): boolean {
    if (CODE_FILE.test(path) || PROJECT_FILE.test(path) || this.isEnvFile(path) || this.#packageState.has(path) || this.#isTsconfig(path)) return false
    return !this.#inputs.has(realPathOf(path))
  }
}

/** `path` is one of `dirs` or inside one. */
function within(dirs: readonly string[], path: string): boolean {
  return dirs.some((dir) => path === dir || path.startsWith(dir + sep))
}

/** Drop folders inside other folders of the list: a folder watch is recursive. */
function reduceRoots(dirs: string[]): string[] {
  const sorted = [...new Set(dirs.map((d) => resolve(d)))].sort()
  const roots: string[] = []
  for (const dir of sorted) if (!roots.some((root) => dir === root || dir.startsWith(root + sep))) roots.push(dir)
  return roots
}
