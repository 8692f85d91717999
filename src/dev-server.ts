import { EventEmitter } from 'node:events'
import type { AddressInfo } from 'node:net'
import { realpathSync } from 'node:fs'
import { createBuilder, type Builder } from './reload/builder.js'
import { resolveConfig, type Config, type ServeOptions } from './config/resolve-config.js'
import { createDispatcher } from './http/dispatch.js'
import { loadEnvFiles } from './config/env-files.js'
import { detailsFor } from './report/exposure.js'
import { createFrontGate } from './http/gate/front-gate.js'
import { openInspector } from './pool/inspector.js'
import { createListenNotice } from './report/listen-notice.js'
import { createLiveReload, LIVE_RELOAD_PATH, type LiveReload } from './reload/browser-reload.js'
import { createLogger, type Logger } from './report/logger.js'
import { createReloadScheduler, type ReloadScheduler } from './reload/scheduler.js'
import { traceReload } from './reload/trace.js'
import { Reloader, type ReloadInfo } from './reload/reloader.js'
import { listen, type HttpServer } from './http/server.js'
import { loadTls } from './http/tls/tls-config.js'
import { watchSources, type ChangeKind, type SourceWatcher } from './reload/watcher.js'

/** How long a retiring generation (and a shutdown) waits for requests in flight before cutting them. */
const GRACE_MS = 5_000
// Merges the events of one editor operation. chokidar reported the files of
// a 5-file Save All within 0.3 ms of each other (median; 2 ms at worst) and
// of a 20-file one within 15 ms; a file that misses the window gets a
// follow-up build right after (reload/scheduler.ts). Every ms here is a ms
// of every reload.
const DEBOUNCE_MS = 1
// A burst (events during a follow-up build, or a save right after a build)
// is built once it has been quiet this long. chokidar throttles a file's
// change events to one per 50 ms, so a window much closer to that splits one
// burst into several builds on a loaded machine.
const SETTLE_MS = 150
/** The reason of the first build. */
const START = 'start'
const SOURCE_FILE = /\.(?:[cm]?[jt]sx?|json)$/

export interface HotcellServer extends EventEmitter {
  /** Where the server is reachable, e.g. `http://127.0.0.1:3000`. */
  readonly url: string
  readonly port: number
  /** Rebuild and swap now, as a save would; resolves when the new code serves (or the build failed). */
  reload(): Promise<ReloadInfo>
  /** Stop accepting, let requests in flight finish (up to 5 s), end the workers. */
  close(): Promise<void>
  on(event: 'reload', listener: (info: ReloadInfo) => void): this
  /** What the startup banner shows. */
  readonly info: ServerInfo
}

export interface ServerInfo {
  entry: string
  workers: number
  /** The first build. */
  buildMs: number
  /** Variables read from .env files. */
  envVars: number
  /** ws:// URL of the inspector with --inspect. */
  inspector: string | undefined
  liveReload: boolean
  /** With HTTPS: which certificate, and where it is kept. */
  tls: string | undefined
}

/** Start a development server for `options.entry`. Resolves once it listens and the first build serves. */
export async function serve(options: ServeOptions): Promise<HotcellServer> {
  return startServer(resolveConfig(options))
}

/** serve() for options resolved already: the CLI resolves them itself, to name its flags in messages. */
export function startServer(config: Config): Promise<HotcellServer> {
  return DevServer.start(config, createLogger({ quiet: config.quiet }))
}

class DevServer extends EventEmitter implements HotcellServer {
  #closing = false
  #closed: Promise<void> | undefined
  #http!: HttpServer
  #builder!: Builder
  #reloader!: Reloader
  #setReloader!: (reloader: Reloader) => void
  readonly #reloaderReady = new Promise<Reloader>((resolve) => (this.#setReloader = resolve))
  #scheduler!: ReloadScheduler
  #watcher: SourceWatcher | undefined
  /**
   * Env files get a watcher of their own, with a list that never changes:
   * in the source watcher, a missing .env stopped the other folders' events,
   * and unwatching a deleted one hid its re-creation (chokidar).
   */
  #envWatcher: SourceWatcher | undefined
  #pendingSince = 0
  #lastInfo: ReloadInfo | undefined
  #startError: unknown
  #live: LiveReload | undefined
  #envVars = 0
  #inspector: string | undefined
  #tls: string | undefined

  private constructor(
    readonly config: Config,
    readonly logger: Logger,
  ) {
    super()
  }

  static async start(config: Config, logger: Logger): Promise<DevServer> {
    const server = new DevServer(config, logger)
    if (config.inspectPort !== undefined) server.#inspector = openInspector(config.inspectPort)
    if (config.liveReload) server.#live = createLiveReload({ warn: (line) => logger.warn(line) })
    const dispatcher = createDispatcher({
      // Requests can arrive before the reloader exists (the supervisor hands queued connections over right after listen).
      target: () => server.#reloader?.target ?? server.#reloaderReady.then((reloader) => reloader.target),
      bodyLimit: config.bodyLimit,
      root: config.cwd,
      details: detailsFor(config.exposeErrors),
      gate: createFrontGate({
        allowedHosts: config.allowedHosts,
        host: config.host,
        staticDir: config.staticDir,
        routes: new Map(server.#live ? [[LIVE_RELOAD_PATH, server.#live.serve]] : []),
      }),
      logger,
      closing: () => server.#closing,
      // A request paused at a breakpoint must not be answered 504 and its worker killed.
      timeoutMs: config.inspectPort === undefined ? config.timeoutMs : Infinity,
      ...(server.#live ? { html: server.#live } : {}),
    })
    // Listen first: a busy port fails fast, before any build. Requests that
    // arrive meanwhile wait for the first build instead of seeing a placeholder.
    // Before listening: a wrong --cert is reported without a port ever opening.
    const tls = config.tls ? await loadTls(config.tls, config.host, config.cwd) : undefined
    for (const warning of tls?.warnings ?? []) logger.warn(warning)
    server.#tls = tls?.describe
    server.#http = await listen(dispatcher, config.host, config.port, tls, { nextFree: config.nextFreePort })
    try {
      server.#builder = await createBuilder(config.entry, config.cwd)
      server.#reloader = new Reloader(config, server.#builder, logger, GRACE_MS)
      server.#setReloader(server.#reloader)
      server.#reloader.onListenCaptured = createListenNotice(logger, config.entryLabel, () => server.url)
      server.#reloader.serverAddress = server.#http.server.address() as AddressInfo
      server.#scheduler = createReloadScheduler({
        debounceMs: DEBOUNCE_MS,
        settleMs: SETTLE_MS,
        run: (reasons) => server.#runReload(reasons),
      })
      server.#loadEnv()
      if (config.reload) {
        // Watching starts before the first build reads a file: an edit made
        // while it builds (or while the first requests are answered) is seen,
        // and builds again. The bundle's other folders join after the build.
        server.#watcher = watchSources({
          cwd: config.cwd,
          ignore: config.ignore,
          onChange: (kind, path) => server.#onChange(kind, path),
          onError: (error) => logger.warn(`hotcell: file watching failed: ${error.message}`),
        })
        server.#watcher.set(server.#watchPaths())
        server.#envWatcher = watchSources({
          cwd: config.cwd,
          ignore: [],
          onChange: (kind, path) => server.#onChange(kind, path),
          onError: (error) => logger.warn(`hotcell: watching the env files failed: ${error.message}`),
        })
        server.#envWatcher.set(config.envFiles.paths)
        await Promise.all([server.#watcher.ready(), server.#envWatcher.ready()])
      }
      // Through the scheduler, like every build: a save during it gets a follow-up, never a second build beside it.
      server.#trigger(START)
      await server.#scheduler.idle()
      if (server.#startError !== undefined) throw server.#startError
    } catch (error) {
      server.#scheduler?.stop()
      server.#live?.close()
      server.#http.stopAccepting()
      server.#http.closeAll()
      await server.#builder?.dispose()
      throw error
    }
    return server
  }

  get url(): string {
    return this.#http.url
  }

  get port(): number {
    return this.#http.port
  }

  get info(): ServerInfo {
    return {
      entry: this.config.entryLabel,
      workers: this.config.workers,
      buildMs: this.#lastInfo?.buildMs ?? 0,
      envVars: this.#envVars,
      inspector: this.#inspector,
      liveReload: this.config.liveReload,
      tls: this.#tls,
    }
  }

  /** (Re)read the .env files into the next generations' process.env. */
  #loadEnv(): void {
    const loaded = loadEnvFiles(this.config.envFiles, this.config.cwd)
    for (const problem of loaded.problems) this.logger.warn(problem)
    this.#envVars = loaded.count
    this.#reloader.setEnv(loaded.env)
  }

  #watchPaths(): string[] {
    return this.#reloader.watchPaths()
  }

  async reload(): Promise<ReloadInfo> {
    this.#trigger('reload()')
    await this.#scheduler.idle()
    return this.#lastInfo!
  }

  #onChange(kind: ChangeKind, path: string): void {
    if (this.#closing || !this.#matters(kind, path)) return
    this.#trigger(path)
  }

  /** Could this event change the bundle? Filtering here saves builds that could not. */
  #matters(kind: ChangeKind, path: string): boolean {
    // Before the first good build, nothing is known about the inputs.
    if (this.#reloader.lastBuildFailed || this.#reloader.inputs.size === 0) return true
    if (this.config.envFiles.paths.includes(path)) return true
    if (this.config.watch.some((w) => path === w || path.startsWith(w + '/'))) return true
    if (kind !== 'change') return SOURCE_FILE.test(path)
    let real = path
    try {
      real = realpathSync.native(path) // esbuild reports real paths
    } catch {
      // Deleted meanwhile: compare the path as given.
    }
    return this.#reloader.inputs.has(real) || /(^|\/)(tsconfig[^/]*|package)\.json$/.test(path)
  }

  #trigger(reason: string): void {
    if (!this.#pendingSince) {
      this.#pendingSince = performance.now()
      traceReload('trigger')
    }
    this.#scheduler.trigger(reason)
  }

  async #runReload(reasons: string[]): Promise<void> {
    const startedAt = this.#pendingSince
    this.#pendingSince = 0
    // The first build is the start, whatever else its debounce merged in.
    const first = this.#lastInfo === undefined
    // The bundle may be unchanged: the new generation differs by its process.env.
    if (!first && reasons.some((r) => this.config.envFiles.paths.includes(r))) this.#loadEnv()
    let info: ReloadInfo
    try {
      info = await this.#reloader.reload(first ? [START] : reasons, startedAt, () => this.#scheduler.hasPending())
    } catch (error) {
      // Not the user's code (that is data in the info): hotcell itself, or the disk. start() rethrows the first;
      // later ones keep the last good generation serving rather than take the server down.
      if (first) this.#startError = error
      else this.logger.error(`hotcell: the reload failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
      return
    }
    this.#lastInfo = info
    this.#watcher?.set(this.#watchPaths())
    // The banner reports the first build.
    if (first) return
    if (info.ok) {
      this.logger.info(
        `↻ ${describeChange(info.changed)} · build ${info.buildMs.toFixed(1)} ms · load ${info.loadMs.toFixed(1)} ms · generation ${info.gen} serving ${info.totalMs.toFixed(1)} ms after the change`,
      )
    }
    this.emit('reload', info)
    // A good swap, or a build error now served instead: open tabs show it.
    if (!this.#closing) this.#live?.changed()
  }

  close(): Promise<void> {
    this.#closed ??= this.#shutdown()
    return this.#closed
  }

  async #shutdown(): Promise<void> {
    this.#closing = true
    this.#scheduler.stop()
    // Open tabs hold their streams open forever: end them, or the drain would wait for them.
    this.#live?.close()
    this.#http.stopAccepting()
    await Promise.all([this.#watcher?.close(), this.#envWatcher?.close()])
    await this.#reloader.close()
    this.#http.closeAll()
    await this.#builder.dispose()
  }
}

function describeChange(changed: string[]): string {
  if (changed.length === 1) return changed[0] === 'reload()' ? 'reload requested' : `${changed[0]} changed`
  return `${changed.length} files changed (${changed.slice(0, 3).join(', ')}${changed.length > 3 ? ', …' : ''})`
}

