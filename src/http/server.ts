import type { Server } from 'node:http'
import type { Http2SecureServer } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { onClientError } from './client-error.js'
import { HotcellError } from '../errors.js'
import { inheritedSocket, reportServing } from '../cli/supervisor-child.js'
import { assertStrictParser } from './parser-check.js'
import type { RequestIn, ResponseOut } from './exchange.js'
import { openLeanDoor, type LeanDoorOptions } from './lean/lean-door.js'

// node:http as Node's CommonJS object, not an ESM import: on Node 22 and later
// the ESM namespace reads every export, and node:http's WebSocket getters load
// undici (~30 ms of the start; docs/architecture.md#builtins).
const { createServer } = process.getBuiltinModule('node:http')

/** Concurrent connections; more are dropped at accept. Browsers open ~6 per host, so this is generous. */
export const MAX_CONNECTIONS = 512

/** A certificate chain and its private key, PEM. */
export interface TlsCredentials {
  readonly key: string
  readonly cert: string
}

export interface HttpServer {
  /** node:http's, or with TLS node:http2's secure server (HTTP/2, and HTTP/1.1 for clients without it). Both emit 'upgrade' for HTTP/1.1. */
  readonly server: Server | Http2SecureServer
  /** Where a client on this machine reaches the server. */
  readonly url: string
  readonly port: number
  /** Stop accepting; idle keep-alive connections close now, busy ones when `closeAll()` is called. */
  stopAccepting(): void
  closeAll(): void
}

// Node's defaults give a slowloris minutes; a dev server needs seconds for
// the headers. No deadline on the whole request (Node's requestTimeout, 300 s
// by default): an upload over a slow link must not be cut while it
// progresses. A body that stops arriving is cut by readBody's idle deadline
// (request-body.ts); one hotcell does not read, once answered, by the
// keep-alive timeout, which node:http runs as an idle timer on the socket.
const HTTP1_LIMITS = {
  headersTimeout: 10_000,
  requestTimeout: 0,
  connectionsCheckingInterval: 1_000,
  keepAliveTimeout: 5_000,
}

// With no port asked for, the ports tried after the default one, as Vite does.
const NEXT_PORTS = 100

/**
 * Bind `host:port`, with TLS when `tls` is given. Failing to bind is a
 * user-facing error, not a crash. With `nextFree` (no port was asked for), a
 * port in use moves on to the next one.
 */
export async function listen(
  handler: (req: RequestIn, res: ResponseOut) => void,
  host: string,
  port: number,
  tls?: TlsCredentials,
  {
    nextFree = false,
    names = {},
    lean,
    maxConnections = MAX_CONNECTIONS,
  }: {
    nextFree?: boolean
    /** How the user set the port and the host (Config's addressNames): a listen error says what to change. */
    names?: Readonly<{ port?: string; host?: string }>
    /** Serve the request targets `takes` accepts through the lean door (lean/lean-door.ts); plain HTTP only. */
    lean?: Omit<LeanDoorOptions, 'listener'> | undefined
    /** Instead of MAX_CONNECTIONS: the server `hotcell bench` starts takes every connection it opens. */
    maxConnections?: number | undefined
  } = {},
): Promise<HttpServer> {
  assertStrictParser()
  let server: Server | Http2SecureServer
  let closeIdle: () => void
  let closeAll: () => void
  if (tls) {
    const { createSecureHttpServer } = await import('./tls/secure-server.js')
    ;({ server, closeIdle, closeAll } = createSecureHttpServer({ key: tls.key, cert: tls.cert, http1: HTTP1_LIMITS }, handler))
  } else {
    // Explicit false wins over a process-wide --insecure-http-parser.
    const plain = createServer({ ...HTTP1_LIMITS, insecureHTTPParser: false }, handler)
    const door = lean ? openLeanDoor(plain, { listener: handler, ...lean }) : undefined
    server = plain
    closeIdle = () => {
      plain.closeIdleConnections()
      door?.closeIdle()
    }
    closeAll = () => {
      plain.closeAllConnections()
      door?.closeAll()
    }
  }
  // Under the CLI's supervisor (supervisor.ts), a restarted server takes over the socket already bound.
  const inherited = await inheritedSocket()
  server.maxConnections = maxConnections
  server.on('clientError', onClientError)
  // With this listener Node no longer answers `Expect: 100-continue` by itself: readBody does, once the body is wanted.
  server.on('checkContinue', handler)
  // Each try takes its listeners back: 100 tries would leave 100 'listening' callbacks, and a
  // leftover 'error' one would swallow the server's later errors.
  const bind = (candidate: number) =>
    new Promise<void>((resolve, reject) => {
      const listening = () => {
        server.off('error', failed)
        resolve()
      }
      const failed = (error: Error) => {
        server.off('listening', listening)
        reject(error)
      }
      server.once('error', failed)
      server.once('listening', listening)
      if (inherited) server.listen(inherited)
      else server.listen(candidate, host)
    })
  for (let candidate = port; ; candidate++) {
    try {
      await bind(candidate)
      break
    } catch (error) {
      const busy = (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
      const searching = nextFree && !inherited && port !== 0
      if (!busy || !searching || candidate >= Math.min(65535, port + NEXT_PORTS))
        throw listenError(error as NodeJS.ErrnoException, host, port, searching ? candidate : port, names)
    }
  }
  reportServing(server, inherited !== undefined)
  const bound = (server.address() as AddressInfo).port
  return {
    server,
    port: bound,
    url: `${tls ? 'https' : 'http'}://${displayHost(host)}:${bound}`,
    stopAccepting() {
      server.close()
      closeIdle()
    },
    closeAll,
  }
}

function displayHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return host.includes(':') ? `[${host}]` : host
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number, last: number, names: Readonly<{ port?: string; host?: string }>): Error {
  const ports = last === port ? `port ${port} is` : `ports ${port} to ${last} are`
  switch (error.code) {
    case 'EADDRINUSE':
      return new HotcellError(
        'ERR_LISTEN',
        `${ports} already in use on ${host}. Stop the other server, or choose another port (0 for a free one) with ${setWith('port', names.port)}.`,
      )
    case 'EACCES':
      return new HotcellError(
        'ERR_LISTEN',
        `not allowed to listen on port ${port} (ports below 1024 need extra privileges). Choose another port with ${setWith('port', names.port)}.`,
      )
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new HotcellError(
        'ERR_LISTEN',
        `cannot listen on ${host}: it is not an address of this machine. Set ${setWith('host', names.host)} to 127.0.0.1, or to 0.0.0.0 for every interface.`,
      )
    default:
      return error
  }
}

/** Where the user changes `key`, from how they set it: the flag, $PORT, the config file, serve(); all of them for a default. */
function setWith(key: 'port' | 'host', name: string | undefined): string {
  if (name === undefined) return `--${key} (${key} in hotcell.config.ts, or serve()'s ${key})`
  if (name === 'PORT') return 'the PORT variable'
  const inFile = /^(.*): (\w+)$/.exec(name)
  if (inFile) return `${inFile[2]} in ${inFile[1]}`
  return name.startsWith('-') ? name : `serve()'s ${name}`
}
