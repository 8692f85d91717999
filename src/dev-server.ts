import { EventEmitter } from 'node:events'
import { createBuilder, type Builder, type BuildSuccess } from './builder.js'
import { resolveConfig, type Config, type ServeOptions } from './config.js'
import { createDispatcher, type Target } from './dispatch.js'
import { renderText } from './error-page.js'
import { Generation } from './generation.js'
import { createLogger, type Logger } from './logger.js'
import { listen, type HttpServer } from './server.js'
import { crashReporting } from './crash-reporting.js'

/** How long a shutdown waits for requests in flight before cutting them. */
const SHUTDOWN_GRACE_MS = 5_000

export interface HotcellServer extends EventEmitter {
  /** Where the server is reachable, e.g. `http://127.0.0.1:3000`. */
  readonly url: string
  readonly port: number
  /** Stop accepting, let requests in flight finish (up to 5 s), end the workers. */
  close(): Promise<void>
}

/** Start a development server for `options.entry`. Resolves once it listens and the first build serves. */
export async function serve(options: ServeOptions): Promise<HotcellServer> {
  const config = resolveConfig(options)
  const logger = createLogger({ quiet: config.quiet })
  return DevServer.start(config, logger)
}

class DevServer extends EventEmitter implements HotcellServer {
  #target: Target | Promise<Target>
  #generation: Generation | undefined
  #closing = false
  #closed: Promise<void> | undefined
  #builder!: Builder
  #http!: HttpServer
  #gen = 0

  private constructor(
    readonly config: Config,
    readonly logger: Logger,
  ) {
    super()
    let resolveTarget!: (target: Target) => void
    this.#target = new Promise<Target>((resolve) => (resolveTarget = resolve))
    this.#startTarget = resolveTarget
  }

  #startTarget: (target: Target) => void

  static async start(config: Config, logger: Logger): Promise<DevServer> {
    const server = new DevServer(config, logger)
    const dispatcher = createDispatcher({
      target: () => server.#target,
      bodyLimit: config.bodyLimit,
      root: config.cwd,
      details: true,
      logger,
      closing: () => server.#closing,
      timeoutMs: config.timeoutMs,
    })
    // Listen first: a busy port fails fast, before any build. Requests that
    // arrive meanwhile wait for the first build instead of seeing a placeholder.
    server.#http = await listen(dispatcher, config.host, config.port)
    try {
      server.#builder = await createBuilder(config.entry)
      const target = await server.#buildTarget()
      server.#target = target
      server.#startTarget(target)
    } catch (error) {
      server.#http.stopAccepting()
      server.#http.closeAll()
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

  /** Build the entry and bring up a generation for it; a failed build becomes an error page. */
  async #buildTarget(): Promise<Target> {
    const build = await this.#builder.build()
    if (!build.ok) {
      this.logger.error(`\n${build.ansi.trimEnd()}\n`)
      return { kind: 'failure', view: { status: 500, title: 'Build failed', text: build.text, hint: 'Fix the error and save: the page reloads with the next good build.' } }
    }
    if (build.warnings) this.logger.warn(build.warnings.trimEnd())
    const generation = await this.#boot(build)
    this.#generation = generation
    return { kind: 'generation', generation }
  }

  async #boot(build: BuildSuccess): Promise<Generation> {
    const generation: Generation = new Generation({
      gen: ++this.#gen,
      workers: this.config.workers,
      entry: this.config.entryLabel,
      handler: this.config.handler,
      maxMemoryMb: this.config.maxMemoryMb,
      preload: build.externals,
      bundleUrl: build.url,
      onWorkerError: (error) => this.logger.error(`hotcell: a worker of generation ${generation.gen} crashed outside any request: ${error.stack ?? error.message}`),
      ...crashReporting(this.logger, this.config.cwd, () => generation.gen),
    })
    await generation.load()
    if (generation.loadError) {
      const view = { status: 500, title: 'The entry failed to load', error: generation.loadError, request: { method: '-', url: this.config.entryLabel } }
      this.logger.error(renderText(view, { root: this.config.cwd, details: true }))
    }
    return generation
  }

  close(): Promise<void> {
    this.#closed ??= this.#shutdown()
    return this.#closed
  }

  async #shutdown(): Promise<void> {
    this.#closing = true
    this.#http.stopAccepting()
    await this.#target
    await this.#generation?.retire(SHUTDOWN_GRACE_MS)
    this.#http.closeAll()
    await this.#builder.dispose()
  }
}
