import { EventEmitter } from 'node:events'
import { relative } from 'node:path'
import type { HotcellServer, ServerInfo } from './server-api.js'
import { startBuilder, type Builder } from './reload/builder.js'
import { resolveConfig, type Config, type ServeOptions } from './config/resolve-config.js'
import { loadEnvFiles } from './config/env-files.js'
import { openInspector } from './pool/inspector.js'
import { createLogger, type Logger } from './report/logger.js'
import { loggerFor } from './report/log-option.js'
import type { FailureTally } from './report/failure-tally.js'
import { createExportedAddressNotice } from './report/listen-notice.js'
import { servedProblem, type Problem } from './report/serving-state.js'
import { reloadLine } from './report/reload-line.js'
import { unstoppableMessage } from './pool/unstoppable-worker.js'
import { traceStart } from './reload/trace.js'
import { Reloader } from './reload/reloader.js'
import type { ReloadInfo } from './reload/reload-info.js'
import type { FrontDoor } from './http/front-door.js'
import { settleHeap, type HeapSettler } from './reload/settle-heap.js'
import { requestsBegun } from './http/request-count.js'
import { Sources } from './reload/sources.js'
import type { ProjectWatch } from './reload/project-watch.js'
import { unsupportedTsconfigOptions } from './reload/tsconfig-warnings.js'
import { ReloadCycle } from './reload/reload-cycle.js'
import { HotcellError } from './errors.js'
import { watchBuildFolder } from './reload/build-folder-watch.js'
import type { NamedFileWatch } from './reload/named-file-watch.js'

/** How long a retiring generation (and a shutdown) waits for requests in flight before cutting them. */
const GRACE_MS = 5_000

/** Start a development server for `options.entry`. Resolves once it listens and the first build serves (or failed: `info.problem`). */
export async function serve(options: ServeOptions): Promise<HotcellServer> {
  const config = resolveConfig(options)
  // Its caller holds the server: a fix is served by server.reload() where the CLI's would be restarted.
  return startServer(Object.freeze({ ...config, api: true }), undefined, loggerFor(options.log, config.quiet))
}

/**
 * serve() for options resolved already: the CLI resolves them itself, to name its flags in messages.
 * `failures`: failed requests are tallied, not each printed (the servers `hotcell bench` starts).
 * `logger`: where the log goes instead of the terminal (tests read it).
 */
export function startServer(config: Config, failures?: FailureTally, logger: Logger = createLogger({ quiet: config.quiet })): Promise<HotcellServer> {
  traceStart('config')
  return DevServer.start(config, logger, failures)
}

/**
 * The one owner of the server's lifecycle: it starts every part, decides
 * when the server is ready, turns file events into builds, and ends every
 * part it started, whether the start failed or the server is closed.
 */
class DevServer extends EventEmitter implements HotcellServer {
  readonly #sources: Sources
  readonly #builder: Builder
  readonly #reloader: Reloader
  /** Turns file events into builds (reload-cycle.ts). */
  readonly #cycle: ReloadCycle
  readonly #heap: HeapSettler | undefined
  #door: FrontDoor | undefined
  #projectWatch: ProjectWatch | undefined
  /** The deletion of .hotcell/ while running (build-folder-watch.ts). */
  #buildFolderWatch: NamedFileWatch | undefined
  #inspector: string | undefined
  #closing = false
  #closed: Promise<void> | undefined
  #envVars = 0
  #envShadowed: readonly string[] = []
  #envPort: ServerInfo['envPort']

  private constructor(
    readonly config: Config,
    readonly logger: Logger,
    readonly failures: FailureTally | undefined,
  ) {
    super()
    // Without reloads (hotcell bench, a benchmark) there is no reload garbage
    // to give back, and a full collection between two timed runs would throw
    // away the request path's optimized code (settle-heap.ts).
    if (config.reload) this.#heap = settleHeap({ activity: requestsBegun })
    this.#sources = new Sources({ entry: config.entry, cwd: config.cwd, watch: config.watch, ignore: config.ignore, envFiles: config.envFiles.paths })
    // esbuild's import and service start here, beside the first workers' boot.
    // Without reloads a deleted build folder cannot be built again as it was served: its bytes are kept (kept-outputs.ts).
    this.#builder = startBuilder(config.entry, config.cwd, config.loaders, { keepOutputs: !config.reload })
    this.#reloader = new Reloader(config, this.#builder, this.#sources, logger, GRACE_MS)
    this.#cycle = new ReloadCycle({
      cwd: config.cwd,
      sources: this.#sources,
      builder: this.#builder,
      reloader: this.#reloader,
      logger,
      heap: this.#heap,
      closing: () => this.#closing,
      projectWatch: () => this.#projectWatch,
      loadEnv: () => this.#loadEnv(),
      reloaded: (info, parts) => {
        const line = reloadLine(info, this.#problem(), parts)
        if (line) this.logger.info(line)
        this.emit('reload', info)
        // A good swap, or a build error now served instead: open tabs show it.
        if (!this.#closing) this.#door?.live?.changed()
      },
    })
  }

  static async start(config: Config, logger: Logger, failures: FailureTally | undefined): Promise<DevServer> {
    const server = new DevServer(config, logger, failures)
    try {
      await server.#start()
    } catch (error) {
      // Everything a started server would release: workers, esbuild, watchers, the socket.
      await server.close()
      throw error
    }
    return server
  }

  /**
   * Only what the first response needs comes before it: the first generation's
   * workers boot (on other cores) while esbuild starts and builds, and the
   * socket is bound meanwhile. Resolves once the first build serves and the
   * watcher sees every edit from now on.
   */
  async #start(): Promise<void> {
    const { config } = this
    if (config.inspectPort !== undefined) this.#inspector = await openInspector(config.inspectPort, config)
    // The first call boots the first generation.
    this.#loadEnv()
    // What answers HTTP is loaded only now, while the first workers boot: their
    // boot is the longest part of the start, so it starts as early as it can.
    const { FrontDoor } = await import('./http/front-door.js')
    this.#door = new FrontDoor({
      config,
      logger: this.logger,
      target: (bodyless) => this.#cycle.hold.target(bodyless),
      reloader: this.#reloader,
      closing: () => this.#closing,
      roots: this.#builder.roots,
      failures: this.failures,
    })
    this.#reloader.onExportedAddress = createExportedAddressNotice(this.logger, config.entryLabel, () => this.url)
    this.#reloader.onUnstoppable = (generation, threadId) => {
      this.logger.error(unstoppableMessage(generation, threadId))
      this.emit('unstoppable', threadId)
    }
    await this.#door.listen()
    // The scan runs beside the first build, which does not wait for it: what
    // was saved before the scan ended is checked once both are done (reload-cycle.ts).
    if (config.reload) this.#cycle.scanning(this.#watch())
    else this.#buildFolderWatch = watchBuildFolder(this.#builder.outDir, (folder) => this.#restoreBuildFolder(folder))
    await this.#cycle.start()
    traceStart('serving')
    void unsupportedTsconfigOptions(this.#sources.tsconfigs, config.cwd).then((lines) => {
      for (const line of lines) this.logger.warn(line)
    })
  }

  /** Start watching the sources and the env files; resolves when edits from now on are seen. */
  async #watch(): Promise<void> {
    const { ProjectWatch } = await import('./reload/project-watch.js')
    this.#projectWatch = new ProjectWatch({
      sources: this.#sources,
      logger: this.logger,
      cwd: this.config.cwd,
      trigger: (path) => this.#closing || this.#cycle.trigger(path),
      reloading: () => this.#cycle.reloading,
      onRaw: (path) => this.#cycle.writes.seen(path),
      closing: () => this.#closing,
      ...(this.config.liveReload ? { reloadTabs: () => this.#door?.live?.changed(), staticDir: this.config.staticDir } : {}),
    })
    this.#reloader.onFilesRead = (report) => this.#projectWatch?.filesRead(report)
    this.#buildFolderWatch = watchBuildFolder(this.#builder.outDir, (folder) => {
      if (this.#closing) return
      this.logger.info(`hotcell: ${relative(this.config.cwd, folder) || folder} was deleted while hotcell ran; it is written again`)
      this.#cycle.trigger(folder)
    })
    await this.#projectWatch.start()
  }

  /** --no-reload: .hotcell/ deleted. The served bundle is written back as it was, not built: saves since are not served. */
  #restoreBuildFolder(folder: string): void {
    if (this.#closing) return
    const name = relative(this.config.cwd, folder) || folder
    this.#builder.restore().then(
      (written) => {
        if (written.length && !this.#closing)
          this.logger.info(`hotcell: ${name} was deleted while hotcell ran; the served bundle is written again as it was (--no-reload: nothing is rebuilt)`)
      },
      (error: Error) => {
        if (this.#closing) return
        this.logger.warn(
          `hotcell: ${name} was deleted while hotcell ran, and the served bundle could not be written again (${error.message}): a worker that replaces a crashed one cannot load the app. Restart hotcell to build it again.`,
        )
      },
    )
  }

  get url(): string {
    return this.#door!.url
  }

  get port(): number {
    return this.#door!.port
  }

  get info(): ServerInfo {
    return {
      problem: this.#problem(),
      entry: this.config.entryLabel,
      workers: this.config.workers,
      buildMs: this.#cycle.lastInfo?.buildMs ?? 0,
      buildFailed: this.#cycle.lastInfo?.error?.stage === 'build',
      envVars: this.#envVars,
      envShadowed: this.#envShadowed,
      envPort: this.#envPort,
      inspector: this.#inspector,
      liveReload: this.config.liveReload,
      tls: this.#door?.tls,
    }
  }

  /** What is wrong with the code being served now, if anything. */
  #problem(): Problem | undefined {
    return servedProblem(this.#reloader?.target, this.config.entryLabel, this.#builder.roots, this.config)
  }

  /** (Re)read the .env files into the next generations' process.env. */
  #loadEnv(): void {
    const loaded = loadEnvFiles(this.config.envFiles, this.config.cwd)
    for (const problem of loaded.problems) this.logger.warn(problem)
    this.#envVars = loaded.count
    this.#envShadowed = loaded.shadowed
    this.#envPort = loaded.port && { value: loaded.port.value, file: relative(this.config.cwd, loaded.port.file) }
    this.#reloader.setEnv(loaded.env)
  }

  async reload(): Promise<ReloadInfo> {
    // The scheduler stopped at close(): nothing would build, and the start's info would read as this reload's.
    if (this.#closing) throw new HotcellError('ERR_SERVER_CLOSED', 'reload() after close(): this server is closed; start a new one with serve()')
    return this.#cycle.reload()
  }

  close(options?: { restart?: boolean | undefined; signal?: 'SIGINT' | 'SIGTERM' | undefined }): Promise<void> {
    // Request lines and a busy second's count go out before anything about the shutdown.
    if (!this.#closed) this.logger.flush()
    // The code serving now is told what the server was (its listeners of the signal run); the generations already retiring got SIGTERM.
    const target = this.#reloader.target
    if (!this.#closed && options?.signal && !(target instanceof Promise) && target.kind === 'generation') target.generation.stopSignal = options.signal
    this.#closed ??= this.#shutdown(options?.restart === true)
    return this.#closed
  }

  /** Ends whatever has been started, in the order that loses no request: the same after a failed start. */
  async #shutdown(restart = false): Promise<void> {
    this.#closing = true
    this.#cycle.stop()
    this.#heap?.stop()
    this.#door?.stopAccepting()
    this.#buildFolderWatch?.close()
    await Promise.all([this.#projectWatch?.close(), this.#door?.closeUpgrades(restart)])
    await this.#reloader.close()
    this.#door?.closeAll()
    await this.#builder.dispose()
  }
}
