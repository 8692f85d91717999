// What answers HTTP: the dispatcher behind the front gate, live reload's
// stream, the WebSocket upgrades and the listening socket (with TLS or not).
// dev-server.ts imports this module only once the first workers boot: their
// boot is the longest part of the start, and this side loads beside it.
import type { IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import type { Config } from '../config/resolve-config.js'
import { CLOSE_GOING_AWAY, CLOSE_SERVICE_RESTART } from '../pool/websocket-frames.js'
import { createLiveReload, LIVE_RELOAD_PATH, type LiveReload } from '../reload/browser-reload.js'
import type { Reloader } from '../reload/reloader.js'
import type { Target } from './dispatch.js'
import { traceStart } from '../reload/trace.js'
import { detailsFor } from '../report/exposure.js'
import { createListenNotice } from '../report/listen-notice.js'
import type { Logger } from '../report/logger.js'
import type { FailureTally } from '../report/failure-tally.js'
import type { ProjectRoots } from '../report/source-files.js'
import { createDispatcher } from './dispatch.js'
import { createFrontGate, leanTargets } from './gate/front-gate.js'
import { BODY_IDLE_MS } from './request-body.js'
import { listen, type HttpServer } from './server.js'
import { loadTls } from './tls/tls-config.js'
import type { UpgradeHandler } from './upgrade.js'
import type { CertificateWatch } from './tls/certificate-watch.js'
import { sessionCookieNote } from '../report/session-cookie-note.js'

/** The close reason WebSockets get at shutdown. */
const SHUTTING_DOWN = 'hotcell is shutting down'

export interface FrontDoorOptions {
  config: Config
  logger: Logger
  /** Where requests go now (a promise while they wait for a build); `bodyless`: the request has no body (save-hold.ts). */
  target(bodyless?: boolean): Target | Promise<Target>
  /** Where the entry's own listen() is answered. */
  reloader: Pick<Reloader, 'onListenCaptured' | 'serverAddress'>
  /** The server is shutting down. */
  closing(): boolean
  /** The developer's folders: error pages show their files' code (the builder's, as its builds find source packages). */
  roots: ProjectRoots
  /** Failed requests are tallied, not each printed (hotcell bench's servers). */
  failures?: FailureTally
}

export class FrontDoor {
  readonly live: LiveReload | undefined
  /** With HTTPS: which certificate, and where it is kept. */
  tls: string | undefined
  readonly #options: FrontDoorOptions
  readonly #dispatcher: ReturnType<typeof createDispatcher>
  readonly #details: ReturnType<typeof detailsFor>
  readonly #timeoutMs: number
  #http: HttpServer | undefined
  /** Loaded with the first upgrade request: most apps never get one. */
  #upgrades: Promise<UpgradeHandler> | undefined
  #certificateWatch: CertificateWatch | undefined

  constructor(options: FrontDoorOptions) {
    this.#options = options
    const { config, logger, reloader } = options
    if (config.liveReload) this.live = createLiveReload({ warn: (line) => logger.warn(line) })
    this.#details = detailsFor(config.exposeErrors)
    // A request paused at a breakpoint must not be answered 504 and its worker killed.
    this.#timeoutMs = config.inspectPort === undefined ? config.timeoutMs : Infinity
    this.#dispatcher = createDispatcher({
      target: options.target,
      bodyLimit: config.bodyLimit,
      roots: options.roots,
      details: this.#details,
      gate: createFrontGate({
        allowedHosts: config.allowedHosts,
        host: config.host,
        staticDir: config.staticDir,
        ...(this.live ? { html: this.live } : {}),
        routes: new Map(this.live ? [[LIVE_RELOAD_PATH, this.live.serve]] : []),
      }),
      logger,
      closing: options.closing,
      timeoutMs: this.#timeoutMs,
      ...(config.bodyIdleMs !== undefined ? { bodyIdleMs: config.bodyIdleMs } : {}),
      refresh: config,
      onAnswer: sessionCookieNote(config.workers, logger),
      ...(options.failures ? { failures: options.failures } : {}),
      ...(this.live ? { html: this.live } : {}),
    })
    reloader.onListenCaptured = createListenNotice(logger, config.entryLabel, () => this.url)
  }

  /** Bind the socket. */
  async listen(): Promise<void> {
    const { config, logger, reloader } = this.#options
    // Before listening: a wrong --cert is reported without a port ever opening.
    const tls = config.tls ? await loadTls(config.tls, config.host, config.cwd) : undefined
    for (const warning of tls?.warnings ?? []) logger.warn(warning)
    this.tls = tls?.describe
    // A busy port fails the start before the first build ends. Requests that
    // arrive before it has served wait for it instead of seeing a placeholder.
    // --static files are served through node:http's objects, so all requests go there with it.
    // HOTCELL_NODE_HTTP=1 does the same, to tell a lean door problem from another.
    const lean =
      config.staticDir === undefined && process.env.HOTCELL_NODE_HTTP !== '1'
        ? {
            takes: leanTargets,
            bodyLimit: config.bodyLimit,
            bodyIdleMs: config.bodyIdleMs ?? BODY_IDLE_MS,
          }
        : undefined
    this.#http = await listen(this.#dispatcher, config.host, config.port, tls, {
      nextFree: config.nextFreePort,
      names: config.addressNames,
      lean,
      maxConnections: config.maxConnections,
    })
    // The socket of an upgrade request is paused until a handler reads it: none of it is lost while the handler loads.
    this.#http.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.#upgrades ??= this.#loadUpgrades()
      this.#upgrades.then(
        (handle) => handle(req, socket, head),
        () => socket.destroy(),
      )
    })
    // --cert/--key files made again (mkcert) serve from the next handshake.
    if (tls && config.tls?.kind === 'files' && config.reload) {
      const { watchCertificate } = await import('./tls/certificate-watch.js')
      const server = this.#http.server as unknown as import('node:tls').Server
      this.#certificateWatch = watchCertificate(config.tls, config.host, config.cwd, tls.fingerprint, (pair) => server.setSecureContext(pair), logger)
    }
    traceStart('listening')
    // The entry's own listen() is answered with this address (a generation booted before now gets it with its bundle).
    reloader.serverAddress = this.#http.server.address() as AddressInfo
  }

  async #loadUpgrades(): Promise<UpgradeHandler> {
    const { config, logger, closing, target } = this.#options
    const { createUpgradeHandler } = await import('./upgrade.js')
    const handler = createUpgradeHandler({
      target,
      allowedHosts: config.allowedHosts,
      host: config.host,
      maxMessage: config.bodyLimit,
      timeoutMs: this.#timeoutMs,
      roots: this.#options.roots,
      details: this.#details,
      logger,
      serve: this.#dispatcher,
      refresh: config,
    })
    // First loaded during the shutdown: it refuses, as one loaded before would.
    if (closing()) void handler.closeAll(CLOSE_GOING_AWAY, SHUTTING_DOWN)
    return handler
  }

  get url(): string {
    return this.#http!.url
  }

  get port(): number {
    return this.#http!.port
  }

  /** Stop accepting. Open tabs hold their live-reload streams open forever: they end now, or the drain would wait for them. */
  stopAccepting(): void {
    this.#certificateWatch?.close()
    this.live?.close()
    this.#http?.stopAccepting()
  }

  /** Close every WebSocket as the server goes away (`restart`: to start again at once, new options); resolves once they are gone. */
  async closeUpgrades(restart = false): Promise<void> {
    await this.#upgrades?.then((upgrades) =>
      restart ? upgrades.closeAll(CLOSE_SERVICE_RESTART, 'hotcell restarts with new options') : upgrades.closeAll(CLOSE_GOING_AWAY, SHUTTING_DOWN),
    )
  }

  /** Cut the connections still open. */
  closeAll(): void {
    this.#http?.closeAll()
  }
}
