// What hotcell watches in a project: the sources (the bundle's inputs, and the
// folders that may get new ones), the env files and the --static folder. dev-server.ts imports this
// module, and with it chokidar, only with --reload, beside the first build.
import type { Logger } from '../report/logger.js'
import type { ChangeKind, Sources } from './sources.js'
import { watchNamedFiles, type NamedFileWatch } from './named-file-watch.js'
import { traceStart } from './trace.js'
import { watchSources, type SourceWatcher } from './watcher.js'
import { watchStaticFiles } from './static-watch.js'

export interface ProjectWatchOptions {
  sources: Sources
  logger: Logger
  onChange(kind: ChangeKind, path: string): void
  /** A source folder's raw file event (watcher.ts). */
  onRaw(path: string): void
  /** The server is shutting down: nothing starts watching any more. */
  closing(): boolean
  /** --static with live reload: a save there reloads the open tabs (static-watch.ts). */
  staticFiles?: { dir: string; cwd: string; reloadTabs(): void }
}

export class ProjectWatch {
  readonly #options: ProjectWatchOptions
  #watcher: SourceWatcher | undefined
  /**
   * The env files, the package manager's files and the TypeScript configs, by name (named-file-watch.ts):
   * in chokidar's source watcher, a missing .env stopped the other folders'
   * events, and unwatching a deleted one hid its re-creation.
   */
  #namedWatcher: NamedFileWatch | undefined
  #staticWatcher: { close(): Promise<void> } | undefined

  constructor(options: ProjectWatchOptions) {
    this.#options = options
  }

  /** Start watching the sources and the env files; resolves when edits from now on are seen. */
  async start(): Promise<void> {
    const { sources, logger, onChange, onRaw, closing } = this.#options
    await sources.ready()
    if (closing()) return
    const onError = (what: string) => (error: Error) => logger.warn(`hotcell: ${what} failed: ${error.message}`)
    this.#watcher = watchSources({ ignored: sources.ignored, onChange, onRaw, onError: onError('file watching') })
    void this.#watcher.set(sources.watchPaths())
    this.#namedWatcher = watchNamedFiles([...sources.envFiles, ...sources.namedFiles], {
      onChange,
      onError: onError('watching the env, package and tsconfig files'),
    })
    const { staticFiles } = this.#options
    const staticWatcher =
      staticFiles &&
      watchStaticFiles({
        dir: staticFiles.dir,
        cwd: staticFiles.cwd,
        ignored: sources.ignored,
        onChanged: (line) => {
          if (closing()) return
          logger.info(line)
          staticFiles.reloadTabs()
        },
        onError: onError('watching the static files'),
      })
    this.#staticWatcher = staticWatcher
    await Promise.all([this.#watcher.ready(), staticWatcher?.ready()])
    traceStart('watching')
  }

  /**
   * The watched sources follow the bundle's inputs. When folders are added:
   * a promise of them, resolved once they are scanned (scan-gap.ts).
   */
  follow(): Promise<string[]> | undefined {
    return this.#watcher?.set(this.#options.sources.watchPaths())
  }

  async close(): Promise<void> {
    this.#namedWatcher?.close()
    await Promise.all([this.#watcher?.close(), this.#staticWatcher?.close()])
  }
}
