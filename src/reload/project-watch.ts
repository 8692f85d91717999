// What hotcell watches in a project: the sources (the bundle's inputs, and the
// folders that may get new ones), the env files, the --static folder and the
// files the app reads at run time; and what each change does: a rebuild, a
// reload of the open tabs, or nothing. dev-server.ts imports this module, and
// with it chokidar, only with --reload, beside the first build.
import { relative, sep } from 'node:path'
import type { FilesRead } from '../pool/protocol.js'
import type { Logger } from '../report/logger.js'
import type { ChangeKind, Sources } from './sources.js'
import { watchNamedFiles, type NamedFileWatch } from './named-file-watch.js'
import { ReloadLoopGuard } from './reload-loop.js'
import { tabReloads, type TabReloads } from './tab-reloads.js'
import { traceStart } from './trace.js'
import { watchSources, type SourceWatcher } from './watcher.js'
import { watchStaticFiles } from './static-watch.js'

export interface ProjectWatchOptions {
  sources: Sources
  logger: Logger
  /** Paths in lines are relative to it. */
  cwd: string
  /** A change that can change what is served: build it. */
  trigger(path: string): void
  /** A reload runs now. */
  reloading(): boolean
  /** A source folder's raw file event (watcher.ts). */
  onRaw(path: string): void
  /** The server is shutting down: nothing starts watching any more. */
  closing(): boolean
  /** With live reload: the open tabs reload (a --static file, or a file the app read for a request, changed). */
  reloadTabs?(): void
  /** --static with live reload: its folder (static-watch.ts). */
  staticDir?: string
}

export class ProjectWatch {
  readonly #options: ProjectWatchOptions
  #watcher: SourceWatcher | undefined
  /**
   * The env files, the package manager's files and the TypeScript configs, by name (named-file-watch.ts):
   * in chokidar's source watcher, a missing .env stopped the other folders'
   * events, and unwatching a deleted one hid its re-creation.
   */
  #namedWatchers: NamedFileWatch[] = []
  /** The paths they watch: a build that finds a source package adds its TypeScript configs (follow()). */
  readonly #named = new Set<string>()
  /** Files the app read outside the watched folders, by name too: a folder of its data would cost chokidar's reads. */
  readonly #readWatchers: NamedFileWatch[] = []
  #staticWatcher: { close(): Promise<void> } | undefined
  readonly #tabs: TabReloads | undefined
  readonly #loops: ReloadLoopGuard

  constructor(options: ProjectWatchOptions) {
    this.#options = options
    const { reloadTabs, logger, cwd, closing } = options
    this.#tabs =
      reloadTabs &&
      tabReloads(cwd, (line) => {
        if (closing()) return
        logger.info(line)
        reloadTabs()
      })
    this.#loops = new ReloadLoopGuard((path, reloads) => {
      const name = relative(cwd, path) || path
      logger.warn(
        `hotcell: stopped reloading for ${name}: it changed right after each of the last ${reloads} reloads, with no other change, so something writes it because of the reload (this terminal's output saved there by tee, or a file the app writes as it starts). Its changes are ignored from now on; to say so for good, add --ignore ${name} (or ignore: ['${name}'] in hotcell.config.ts), or keep it out of the watched folders.`,
      )
    })
  }

  /** Start watching the sources and the env files; resolves when edits from now on are seen. */
  async start(): Promise<void> {
    const { sources, logger, onRaw, closing, staticDir, cwd } = this.#options
    await sources.ready()
    if (closing()) return
    const onChange = (kind: ChangeKind, path: string) => this.#changed(kind, path)
    const onError = (what: string) => (error: Error) => logger.warn(`hotcell: ${what} failed: ${error.message}`)
    this.#watcher = watchSources({ ignored: sources.ignored, onChange, onRaw, onError: onError('file watching') })
    void this.#watcher.set(sources.watchPaths())
    this.#watchNamed([...sources.envFiles, ...sources.namedFiles])
    const tabs = this.#tabs
    const staticWatcher =
      staticDir !== undefined && tabs
        ? watchStaticFiles({
            dir: staticDir,
            cwd,
            ignored: sources.ignored,
            onChanged: (line) => {
              if (closing()) return
              logger.info(line)
              this.#options.reloadTabs?.()
            },
            onError: onError('watching the static files'),
          })
        : undefined
    this.#staticWatcher = staticWatcher
    await Promise.all([this.#watcher.ready(), staticWatcher?.ready()])
    traceStart('watching')
  }

  /** Watch by name those of `paths` not watched yet. */
  #watchNamed(paths: readonly string[]): void {
    const fresh = paths.filter((path) => !this.#named.has(path))
    if (!fresh.length || this.#options.closing()) return
    for (const path of fresh) this.#named.add(path)
    const { logger } = this.#options
    this.#namedWatchers.push(
      watchNamedFiles(fresh, {
        onChange: (kind, path) => this.#changed(kind, path),
        onError: (error) => logger.warn(`hotcell: watching the env, package and tsconfig files failed: ${error.message}`),
      }),
    )
  }

  #changed(kind: ChangeKind, path: string): void {
    const { sources, trigger, reloading } = this.#options
    if (sources.rebuilds(kind, path)) {
      if (!sources.mayEcho(path) || this.#loops.allows(path, reloading())) trigger(path)
    } else if (this.#tabs && sources.reloadsTabs(path)) this.#tabs.note(kind, path)
  }

  /** A reload ended (the start too), for `reasons`: changes right after it may be its echo (reload-loop.ts). */
  reloaded(reasons: readonly string[]): void {
    this.#loops.ended(reasons)
  }

  /** A worker read or wrote project files: those read outside the watched folders are watched from now on. */
  filesRead(report: FilesRead): void {
    const added = this.#options.sources.runtime.add(report)
    if (!added.length || this.#options.closing()) return
    const watched = this.#options.sources.watchPaths()
    const outside = added.filter((path) => !watched.some((dir) => path === dir || path.startsWith(dir + sep)))
    if (!outside.length) return
    this.#readWatchers.push(
      watchNamedFiles(outside, {
        onChange: (kind, path) => this.#changed(kind, path),
        onError: (error) => this.#options.logger.warn(`hotcell: watching the files the app reads failed: ${error.message}`),
      }),
    )
  }

  /**
   * The watched sources follow the bundle's inputs, and the files watched by
   * name the TypeScript configs of the source packages it found. When folders are added:
   * a promise of them, resolved once they are scanned (scan-gap.ts).
   */
  follow(): Promise<string[]> | undefined {
    // Before start(): it watches them with the rest.
    if (this.#watcher) this.#watchNamed(this.#options.sources.namedFiles)
    return this.#watcher?.set(this.#options.sources.watchPaths())
  }

  async close(): Promise<void> {
    for (const watcher of this.#namedWatchers) watcher.close()
    for (const watcher of this.#readWatchers) watcher.close()
    this.#tabs?.close()
    await Promise.all([this.#watcher?.close(), this.#staticWatcher?.close()])
  }
}
