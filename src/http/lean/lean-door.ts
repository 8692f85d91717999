// The lean door: connections to the plain HTTP server are read by hotcell's
// own loop (lean-connection.ts) before node:http sees them, so the common
// request (no body, or a small one of a declared length) costs no
// IncomingMessage and no ServerResponse. Everything else continues in
// node:http on the same socket.
//
// Why: node:http's objects were most of the main thread's time per request.
// Main thread user CPU per request under `wrk -t1 -c50` (docs/request-path.md):
// node:http's own server 6.4-7.1 us; Node's same parser driven from the
// socket, the response one string, 3.5-4.0 us.
import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import type { RequestIn, ResponseOut } from '../exchange.js'
import { LeanConnection } from './lean-connection.js'

export interface LeanDoorOptions {
  listener: (req: RequestIn, res: ResponseOut) => void
  /** Request targets the lean objects may serve (not hotcell's own endpoints, say). */
  takes(url: string): boolean
  /** The body limit: larger bodies go to node:http, which answers 413. */
  bodyLimit: number
  /** A body with no byte for this long is dispatched as stalled: the listener answers it 408 (request-body.ts's BODY_IDLE_MS). */
  bodyIdleMs: number
}

// Bodies up to this size are read by the lean door, into one buffer of the
// declared size; larger uploads go through node:http's stream, which never
// holds more than has arrived.
const MAX_LEAN_BODY = 64 * 1024

export interface LeanDoor {
  /** Close the connections with no request in flight (node:http's closeIdleConnections for the rest). */
  closeIdle(): void
  closeAll(): void
}

/**
 * Read the server's new connections with the lean door. The server keeps its
 * options: its keep-alive and headers timeouts apply to lean connections
 * too, checked once a second as node:http checks its own; so is the body's
 * idle deadline.
 */
export function openLeanDoor(server: Server, options: LeanDoorOptions): LeanDoor {
  const [nodeConnection] = server.listeners('connection') as ((socket: Socket) => void)[]
  if (nodeConnection === undefined) throw new Error('node:http server without its connection listener')
  server.removeListener('connection', nodeConnection)
  const connections = new Set<LeanConnection>()
  const keepAliveTimeoutMs = server.keepAliveTimeout
  const side = {
    listener: options.listener,
    takes: options.takes,
    maxBody: Math.min(MAX_LEAN_BODY, options.bodyLimit),
    keepAliveTimeoutMs,
    handOff: (socket: Socket) => nodeConnection.call(server, socket),
    dropped: (connection: LeanConnection) => void connections.delete(connection),
  }
  server.on('connection', (socket: Socket) => {
    connections.add(new LeanConnection(socket, side))
  })
  // In sweeps of a second: node:http adds a second to its keep-alive timeout too.
  const keepAliveSweeps = Math.ceil(keepAliveTimeoutMs / 1000) + 1
  const headersSweeps = Math.ceil(server.headersTimeout / 1000)
  // Counted from the body's last byte (lean-connection.ts resets them), not from the request's first;
  // one more, so that a body is cut after at least bodyIdleMs without a byte, as its 408 says.
  const bodySweeps = Math.ceil(options.bodyIdleMs / 1000) + 1
  const sweep = setInterval(() => {
    for (const connection of connections) {
      const sweeps = ++connection.idleSweeps
      if (connection.partial) {
        const limit = connection.inBody ? bodySweeps : headersSweeps
        if (limit > 0 && sweeps >= limit) connection.timedOut()
      } else if (connection.idle && keepAliveTimeoutMs > 0 && sweeps >= keepAliveSweeps) connection.closeIfIdle()
    }
  }, 1000)
  sweep.unref()
  server.once('close', () => clearInterval(sweep))
  return {
    closeIdle() {
      for (const connection of connections) connection.closeIfIdle()
    },
    closeAll() {
      for (const connection of connections) connection.socket.destroy()
    },
  }
}
