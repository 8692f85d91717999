// How the reloader's generations are made: numbered at boot, given what the
// config and the earlier generations tell (the packages to preload, a
// Node-style handler, fetch in use, process.env, the server's address), and
// kept among the live ones until they end, for the pruner to spare their bundles.
import { fileURLToPath } from 'node:url'
import type { Config } from '../config/resolve-config.js'
import { Generation } from '../pool/generation.js'
import type { ExportedAddress, FilesRead, ListenNote, WorkerData } from '../pool/protocol.js'
import { crashReporting } from '../report/crash-reporting.js'
import type { Logger } from '../report/logger.js'
import type { ProjectRoots } from '../report/source-files.js'
import { readFolders } from './runtime-reads.js'

const EMPTY_MODULE = 'data:text/javascript,'

/** What the maker asks of the reloader (reloader.ts). */
export interface MakerHooks {
  /** The generation serving, if any. */
  current(): Generation | undefined
  /** Whether a generation has served yet (its error page counts): before, a bundle loading is the app's first. */
  served(): boolean
  /** The standbys booted so far. */
  standbys(): readonly Generation[]
  onListenCaptured(note: ListenNote): void
  onExportedAddress(address: ExportedAddress): void
  /** A worker read or wrote project files (runtime-reads.ts). */
  onFilesRead(report: FilesRead): void
  onUnstoppable(generation: string, threadId: number): void
  /** A generation with a bundle ended (bundle-pruner.ts). */
  bundleEnded(): void
}

export class GenerationMaker {
  /** The workers' process.env; unset until the env files were read. */
  env: Record<string, string> | undefined
  serverAddress: WorkerData['serverAddress']
  preloadUrl: string | undefined
  /** With reloading on: the project's folder, whose files (and its monorepo's: readFolders()) the workers report reading (runtime-reads.ts). */
  readsIn: string | undefined
  #gen = 0
  /**
   * Every generation whose workers may still import its bundle: serving,
   * retiring, standing by or being loaded. Pruning keeps their bundles.
   */
  readonly #live = new Set<Generation>()
  /** The app's code loaded Node's fetch classes in some generation: standbys warm them up. */
  #fetchApiUsed = false

  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
    private readonly roots: ProjectRoots,
    private readonly hooks: MakerHooks,
  ) {}

  /**
   * How messages name a generation: by its number once it has served; before, as loading the app (at the start,
   * when there is no change), loading a change, or as a standby.
   */
  #nameOf(generation: Generation): string {
    if (generation.number !== undefined) return `generation ${generation.number}`
    if (!generation.bundleUrl) return 'a standby generation'
    return this.hooks.served() ? 'the generation loading the change' : 'the generation loading the app'
  }

  /** The bundle files the live generations import. */
  bundles(): string[] {
    return [...this.#live].flatMap((g) => (g.bundleUrl ? [fileURLToPath(g.bundleUrl)] : []))
  }

  make(): Generation {
    const generation: Generation = new Generation({
      gen: ++this.#gen,
      workers: this.config.workers,
      entry: this.config.entryLabel,
      handler: this.config.handler,
      maxMemoryMb: this.config.maxMemoryMb,
      maxQueue: this.config.maxQueue,
      // Before the first build, nothing is known about the packages: the first bundle imports them.
      preloadUrl: this.preloadUrl ?? EMPTY_MODULE,
      nodeAdapter: this.hooks.current()?.nodeStyle === true,
      warmFetchApi: this.#fetchApiUsed,
      onFetchApi: () => {
        if (this.#fetchApiUsed) return
        this.#fetchApiUsed = true
        // Standbys booted before this was known load them now, off the path of their first request.
        for (const standby of this.hooks.standbys()) standby.warmFetchApi()
      },
      ...(this.env ? { env: this.env } : {}),
      onWorkerError: (error) =>
        this.logger.error(`hotcell: a worker of ${this.#nameOf(generation)} crashed outside any request: ${error.stack ?? error.message}`),
      onListenCaptured: (note) => this.hooks.onListenCaptured(note),
      onExportedAddress: (address) => this.hooks.onExportedAddress(address),
      ...(this.readsIn ? { readsIn: readFolders(this.readsIn, this.roots), onFilesRead: (report: FilesRead) => this.hooks.onFilesRead(report) } : {}),
      onUnstoppable: (threadId) => this.hooks.onUnstoppable(this.#nameOf(generation), threadId),
      ...(this.serverAddress ? { serverAddress: this.serverAddress } : {}),
      ...crashReporting(this.logger, this.roots, () => this.#nameOf(generation)),
    })
    this.#live.add(generation)
    void generation.ended.then(() => {
      this.#live.delete(generation)
      if (generation.bundleUrl) this.hooks.bundleEnded()
    })
    return generation
  }
}
