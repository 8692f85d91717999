// Entries that start their own server (`app.listen(3000)`, Koa, Fastify,
// `http.createServer(h).listen()`, `serve()` from @hono/node-server) run
// unchanged: in a worker, listen() binds nothing. It records the server, whose
// 'request' listener becomes the handler, and then behaves as if it had bound,
// so that listen callbacks and 'listening' handlers (the app's own
// "listening on 3000" line, Fastify's listen promise) still run.
// Every one of those libraries ends in http.Server or https.Server listen(),
// which both inherit from net.Server: that is the one patched, so that a
// worker loads node:http and node:https (~3.5 ms of its boot, with the TLS and
// crypto modules they pull in) only when the app uses them.
import type http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { WorkerData } from '../src/pool/protocol.js'
import { listenRetrying } from './port-retry.js'
const { Server: NetServer } = process.getBuiltinModule('node:net')
type NetServer = import('node:net').Server
const { workerData } = process.getBuiltinModule('node:worker_threads')

export interface CapturedListen {
  server: http.Server
  /** What the app asked to listen on, for the notice: "3000", "0.0.0.0:8080"… */
  requested: string
}

const captured: CapturedListen[] = []
let resolveFirst!: (listen: CapturedListen) => void
const firstCaptured = new Promise<CapturedListen>((resolve) => (resolveFirst = resolve))
let later: ((listen: CapturedListen) => void) | undefined
let installed = false
// A standby's rehearsal is listening: its server is not the app's.
let rehearsing = false

/** Patch listen(); call before the bundle is imported. Idempotent. */
export function installListenCapture(): void {
  if (installed) return
  installed = true
  const listen = NetServer.prototype.listen
  Object.defineProperty(NetServer.prototype, 'listen', {
    value: function (this: NetServer, ...args: unknown[]) {
      // Other servers (a raw TCP one, an inspector proxy) bind for real: in a reload's generation, again while an older one may hold the port.
      return isHttpServer(this) || isHttpsServer(this) ? fakeListen.apply(this as http.Server, args) : listenRetrying(this, listen as never, args)
    },
    writable: true,
    configurable: true,
  })
}

/**
 * An http.Server. node:http is looked up only for a net.Server (for one made
 * by node:http it is loaded already): a fetch app's exports never load it.
 */
export function isHttpServer(value: unknown): value is http.Server {
  return value instanceof NetServer && value instanceof process.getBuiltinModule('node:http').Server
}

function isHttpsServer(value: NetServer): boolean {
  return value instanceof process.getBuiltinModule('node:https').Server
}

/** The first server the entry asked to listen, once it has (listen-wait.ts waits for it with a deadline). */
export function firstListen(): Promise<CapturedListen> {
  return firstCaptured
}

/** Every server the entry listen()ed so far, in order (the live list). */
export function capturedServers(): readonly CapturedListen[] {
  return captured
}

/** Call `listener` for each listen() from now on (a server the app starts after it was loaded). */
export function afterListen(listener: (listen: CapturedListen) => void): void {
  later = listener
}

/**
 * listen() on `server` the way an app's call goes, without capturing it: a
 * standby runs this path once before the bundle arrives (rehearsal.ts).
 */
export function rehearseListen(server: http.Server): void {
  rehearsing = true
  try {
    server.listen(0, '127.0.0.1')
  } finally {
    rehearsing = false
  }
}

function fakeListen(this: http.Server, ...args: unknown[]): http.Server {
  const callback = typeof args[args.length - 1] === 'function' ? (args.pop() as () => void) : undefined
  const { port, host } = target(args)
  // What hotcell's own socket is bound to: the app's "listening at …" line,
  // built from address(), must name the URL that answers, not the port asked for.
  const address: AddressInfo = {
    ...((workerData as WorkerData | null)?.serverAddress ?? {
      address: host === undefined || host === 'localhost' ? '127.0.0.1' : host,
      family: host?.includes(':') ? 'IPv6' : 'IPv4',
      port,
    }),
  }
  // Fastify and @hono/node-server read these after 'listening'.
  Object.defineProperty(this, 'address', { value: () => address, configurable: true, writable: true })
  Object.defineProperty(this, 'listening', { get: () => true, configurable: true })
  const listen = { server: this, requested: host ? `${host}:${port}` : String(port) }
  if (!rehearsing) {
    captured.push(listen)
    if (captured.length === 1) resolveFirst(listen)
    later?.(listen)
  }
  if (callback) this.once('listening', callback)
  // Node emits 'listening' asynchronously too; code after listen() runs first.
  process.nextTick(() => this.emit('listening'))
  return this
}

/** listen(port, host?), listen({ port, host }), listen(path): the port and host asked for. */
function target(args: unknown[]): { port: number; host: string | undefined } {
  const [first, second] = args
  if (typeof first === 'object' && first !== null) {
    const options = first as { port?: unknown; host?: unknown }
    return { port: Number(options.port ?? 0) || 0, host: typeof options.host === 'string' ? options.host : undefined }
  }
  return { port: Number(first ?? 0) || 0, host: typeof second === 'string' ? second : undefined }
}
