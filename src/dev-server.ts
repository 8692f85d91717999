import { EventEmitter } from 'node:events'
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
import { createReloadScheduler, type ReloadScheduler } from './reload/scheduler.js'
import { unstoppableMessage } from './pool/unstoppable-worker.js'
import { traceReload, traceStart } from './reload/trace.js'
import { Reloader } from './reload/reloader.js'
import { deletedPaths, swappedIn, type ReloadInfo } from './reload/reload-info.js'
import { PendingChange, type Attempt } from './reload/reload-wait.js'
import { markSaves, unchangedSinceMark } from './reload/unfinished-saves.js'
import { isAbsolute } from 'node:path'
import type { FrontDoor } from './http/front-door.js'
import { settleHeap, type HeapSettler } from './reload/settle-heap.js'
import { requestsBegun } from './http/request-count.js'
import { Sources } from './reload/sources.js'
import { missedAtStart, missedWhileScanning } from './reload/scan-gap.js'
import type { ProjectWatch } from './reload/project-watch.js'
import { unsupportedTsconfigOptions } from './reload/tsconfig-warnings.js'
import { WritesDuringBuild } from './reload/writes-during-build.js'
import { isHungImport } from './reload/hung-import.js'
import { SaveHold } from './reload/save-hold.js'
import { HotcellError } from './errors.js'

/** How long a retiring generation (and a shutdown) waits for requests in flight before cutting them. */
const GRACE_MS = 5_000
/** The reason of the first build. */
const START = 'start'

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
  readonly #scheduler: ReloadScheduler
  readonly #heap: HeapSettler | undefined
  #door: FrontDoor | undefined
  #projectWatch: ProjectWatch | undefined
  #inspector: string | undefined
  #closing = false
  #closed: Promise<void> | undefined
  /** The saves not served yet: when the first came, and what their reload waited for (reload-wait.ts). */
  readonly #pending = new PendingChange()
  /** A reload runs (a save now waits for it). */
  #reloading = false
  /** Source files written while a build runs, from the watcher's raw events: a build that read one half-saved is not served. */
  readonly #writes = new WritesDuringBuild()
  readonly #hold = new SaveHold(() => this.#reloader.target)
  #lastInfo: ReloadInfo | undefined
  #startError: unknown
  #envVars = 0
  /** Resolves when the watchers see every edit (at once without --no-reload). */
  #watching: Promise<void> = Promise.resolve()
  /** The watchers' first scan runs: an edit now may have no event. */
  #scanning = false

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
    this.#builder = startBuilder(config.entry, config.cwd)
    this.#reloader = new Reloader(config, this.#builder, this.#sources, logger, GRACE_MS)
    this.#scheduler = createReloadScheduler({ run: (reasons, quietMs) => this.#runReload(reasons, quietMs) })
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
      target: () => this.#hold.target(),
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
    // was saved before the scan ended is checked once both are done (#runReload).
    if (config.reload) {
      this.#scanning = true
      this.#watching = this.#watch().finally(() => (this.#scanning = false))
      // Rethrown by the first build's wait for it, which may come later.
      this.#watching.catch(() => {})
    }
    // Through the scheduler, like every build: a save during it gets a follow-up, never a second build beside it.
    this.#trigger(START)
    await this.#scheduler.idle()
    if (this.#startError !== undefined) throw this.#startError
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
      trigger: (path) => this.#closing || this.#trigger(path),
      reloading: () => this.#reloading,
      onRaw: (path) => this.#writes.seen(path),
      closing: () => this.#closing,
      ...(this.config.liveReload ? { reloadTabs: () => this.#door?.live?.changed(), staticDir: this.config.staticDir } : {}),
    })
    this.#reloader.onFilesRead = (report) => this.#projectWatch?.filesRead(report)
    await this.#projectWatch.start()
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
      buildMs: this.#lastInfo?.buildMs ?? 0,
      buildFailed: this.#lastInfo?.error?.stage === 'build',
      envVars: this.#envVars,
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
    this.#reloader.setEnv(loaded.env)
  }

  async reload(): Promise<ReloadInfo> {
    // The scheduler stopped at close(): nothing would build, and the start's info would read as this reload's.
    if (this.#closing) throw new HotcellError('ERR_SERVER_CLOSED', 'reload() after close(): this server is closed; start a new one with serve()')
    this.#trigger('reload()')
    await this.#scheduler.idle()
    return this.#lastInfo!
  }

  #trigger(reason: string): void {
    if (this.#pending.came(this.#reloading)) traceReload('trigger')
    this.#scheduler.trigger(reason)
    if (this.#lastInfo) this.#hold.begin(() => this.#scheduler.idle())
  }

  async #runReload(reasons: string[], quietMs = 0): Promise<void> {
    this.#reloading = true
    try {
      await this.#reloadFor(reasons, this.#pending.begin(quietMs))
    } finally {
      this.#reloading = false
    }
  }

  async #reloadFor(reasons: string[], attempt: Attempt): Promise<void> {
    // The first build is the start, whatever else its debounce merged in.
    const first = this.#lastInfo === undefined
    // The bundle may be unchanged: the new generation differs by its process.env.
    if (!first && reasons.some((r) => this.#sources.isEnvFile(r))) this.#loadEnv()
    // Built before the watcher sees every edit: anything saved from now until it does is looked for afterwards.
    const unwatched = first && this.#scanning
    const readFrom = Date.now()
    // sed -i and a rename over the file are one save with two or three watcher events, the later ones while the build of
    // the first runs: that build is given up, but for no later write, and the reload line does not count it as one.
    const marks = markSaves(first ? [] : reasons.filter(isAbsolute))
    const echo = () => this.#scheduler.hasPending() && unchangedSinceMark(this.#scheduler.pending(), marks)
    let info: ReloadInfo | undefined
    try {
      info = await this.#reloader.reload(first ? [START] : reasons, attempt.startedAt, {
        // A failed build is shown only if no edit can be missing from it. One that
        // ran unwatched is built again once the watcher sees new files (one may
        // fix an unresolved import), and that build's error is the one shown.
        stale: () => this.#scheduler.hasPending() || unwatched,
        rebuild: (again) => {
          // Built again at once (a follow-up), timed from the first trigger.
          this.#pending.again(attempt, echo())
          this.#scheduler.retry(again)
        },
        writes: this.#writes,
        // The requests held for this save go now, not after the reload line is written: unless a newer save is coming.
        swapped: () => {
          if (!this.#scheduler.hasPending()) this.#hold.end()
        },
      })
      if (unwatched) {
        await this.#watching
        if (this.#closing) return
        if (info && !swappedIn(info) && !isHungImport(this.#reloader.target)) {
          this.#pending.again(attempt)
          return this.#reloadFor(reasons, this.#pending.begin(0))
        }
        // A good first build, or one whose import hung (run again, it hangs as long): what the watcher may have missed while it scanned is built again.
        if (info) {
          const missed = await missedAtStart(this.#sources.inputs, readFrom, this.#builder, this.#reloader)
          for (const path of missed) this.#trigger(path)
        }
      }
    } catch (error) {
      // Not the user's code (that is data in the info): hotcell itself, or the disk. start() rethrows the first;
      // later ones keep the last good generation serving rather than take the server down.
      if (first) this.#startError = error
      else this.logger.error(`hotcell: the reload failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
      return
    }
    if (!info) return
    // Not served, and newer saves are pending (a failed build, or an import given up for them): nothing is said, not even
    // its error (reloader.ts), and its files are built again with theirs. The first files of a rename saved file by file
    // fail to build without the rest; dropped, the line of the build that served the rename left them out.
    const superseded = !first && !swappedIn(info) && this.#scheduler.hasPending()
    if (superseded) {
      this.#pending.again(attempt, echo())
      this.#scheduler.retry(reasons)
    } else {
      this.#sources.created.named(reasons, deletedPaths(reasons, info, this.config.cwd))
      this.#lastInfo = info
    }
    // The start, like every reload, leaves garbage on the main thread.
    this.#heap?.touched()
    // Folders this build added to the watch, once scanned: what changed in them meanwhile is built again. A build
    // running by then may have read before the change too: what the last build depends on is what is checked.
    this.#projectWatch?.follow()?.then(async (added) => {
      await this.#scheduler.idle()
      if (!this.#closing) for (const path of missedWhileScanning(this.#sources.lastRead, added, readFrom, this.#sources.created)) this.#trigger(path)
    })
    // Changes right after a reload may be its echo (a log of this terminal in a watched folder).
    if (!superseded) this.#projectWatch?.reloaded(reasons)
    // The banner reports the first build.
    if (first || superseded) return
    const line = reloadLine(info, this.#problem(), attempt.parts)
    if (line) this.logger.info(line)
    this.emit('reload', info)
    // A good swap, or a build error now served instead: open tabs show it.
    if (!this.#closing) this.#door?.live?.changed()
  }

  close(options?: { restart?: boolean }): Promise<void> {
    // Request lines and a busy second's count go out before anything about the shutdown.
    if (!this.#closed) this.logger.flush()
    this.#closed ??= this.#shutdown(options?.restart === true)
    return this.#closed
  }

  /** Ends whatever has been started, in the order that loses no request: the same after a failed start. */
  async #shutdown(restart = false): Promise<void> {
    this.#closing = true
    this.#scheduler.stop()
    this.#heap?.stop()
    this.#door?.stopAccepting()
    await Promise.all([this.#projectWatch?.close(), this.#door?.closeUpgrades(restart)])
    await this.#reloader.close()
    this.#door?.closeAll()
    await this.#builder.dispose()
  }
}
