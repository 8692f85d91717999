// The paths never watched: what is never source, and the `--ignore` globs.
import { relative, sep } from 'node:path'
import { dynamicImport } from '../dynamic-import.js'

// Never worth watching, and watching them is expensive or loops: node_modules
// multiplied chokidar's watch count by 5 and its memory by 3.5 on a project of
// 2000 files, and .hotcell holds our own output.
const ALWAYS_IGNORED = /(^|[\\/])(node_modules|\.git|\.hotcell)([\\/]|$)/
// What apps and shells write while the server runs, never source: logs
// (`app.log`, rotated `app.log.1`; `hotcell app.ts --watch . | tee dev.log`
// reloaded at each line it printed) and SQLite's files. nodemon never reloads
// for them (it watches .js, .mjs, .cjs and .json files only). A path named
// with --watch itself is still watched.
const WRITTEN_FILE = /\.(?:log(?:\.\d+)?|sqlite3?|db)(?:-journal|-wal|-shm)?$/i

export interface IgnoreConfig {
  readonly cwd: string
  /** `--watch` paths, absolute. */
  readonly watch: readonly string[]
  /** `--ignore` globs, relative to cwd or absolute. */
  readonly ignore: readonly string[]
}

export class IgnoredPaths {
  #userIgnored: ((path: string) => boolean) | undefined
  #ready: Promise<void> | undefined

  constructor(private readonly config: IgnoreConfig) {}

  /** Resolves once `has` applies the `--ignore` globs (picomatch is imported only when there are any). */
  ready(): Promise<void> {
    this.#ready ??= this.config.ignore.length
      ? dynamicImport<{ default: typeof import('picomatch') }>('picomatch').then(({ default: picomatch }) => {
          // A glob without a slash names a file or folder at any depth, as in .gitignore. Apart:
          // picomatch 4's `basename` also matches globs with a slash against the name alone.
          const named = this.config.ignore.filter((glob) => !glob.includes('/'))
          const paths = this.config.ignore.filter((glob) => glob.includes('/'))
          const byName = named.length ? picomatch(named, { dot: true, basename: true }) : () => false
          const byPath = paths.length ? picomatch(paths, { dot: true }) : () => false
          this.#userIgnored = (path) => byName(path) || byPath(path)
        })
      : Promise.resolve()
    return this.#ready
  }

  /** Never watched by chokidar: node_modules, .git, .hotcell, logs and SQLite files, and the `--ignore` globs. */
  has(path: string): boolean {
    if (ALWAYS_IGNORED.test(path)) return true
    if (WRITTEN_FILE.test(path) && !this.config.watch.includes(path)) return true
    if (!this.#userIgnored) return false
    const rel = relative(this.config.cwd, path)
    return this.#userIgnored(path) || (!rel.startsWith('..') && this.#userIgnored(rel.split(sep).join('/')))
  }
}
