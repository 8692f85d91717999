// What hotcell watches in a project: the sources (the bundle's inputs, and the
// folders that may get new ones) and the env files. dev-server.ts imports this
// module, and with it chokidar, only with --reload, beside the first build.
import type { Logger } from '../report/logger.js'
import type { ChangeKind, Sources } from './sources.js'
import { watchNamedFiles, type NamedFileWatch } from './named-file-watch.js'
import { traceStart } from './trace.js'
import { watchSources, type SourceWatcher } from './watcher.js'

export interface ProjectWatchOptions {
  sources: Sources
  logger: Logger
  onChange(kind: ChangeKind, path: string): void
  /** A source folder's raw file event (watcher.ts). */
  onRaw(path: string): void
  /** The server is shutting down: nothing starts watching any more. */
  closing(): boolean
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
    await this.#watcher.ready()
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
    await this.#watcher?.close()
  }
}
