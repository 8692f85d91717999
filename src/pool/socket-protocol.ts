// Shapes of the socket tunnel (main ⇄ worker). Types only: both sides import
// this file, and nothing here may pull code into a worker.
//
// An upgraded connection stays in the main thread. Its bytes, and those of
// every other connection of the same worker, travel on that worker's one
// socket-host port, in batches: one postMessage per thread and turn, whatever
// the number of connections. The worker sees a socket-like Duplex per
// connection and does the WebSocket framing itself (the `ws` library, or the
// app's own). Each side may have `window` bytes of a connection
// unacknowledged: the receiver acknowledges what its consumer took, which is
// how a slow reader slows the writer on the far side.
import type { MessagePort } from 'node:worker_threads'
import type { ErrorData, FailurePhase } from './protocol.js'

/** Worker → main on `parentPort`, once per worker at boot: where to send its connections. */
export interface SocketHostMessage {
  type: 'hotcell:socket-host'
  threadId: number
  port: MessagePort
}

/** What the worker is told about a new connection: the upgrade request, as Node's server would give it. */
export interface Connection {
  method: string
  /** Absolute: scheme, Host header, path and query. */
  url: string
  /** The request target as received (`req.url` in Node). */
  target: string
  /** Flat `[name, value, …]` as received. */
  headers: string[]
  remoteAddress: string
  remotePort: number
  localAddress: string
  localPort: number
  /** The connection is TLS (wss://). */
  encrypted: boolean
  /** Client messages larger than this are refused with close code 1009; hotcell's own WebSockets use it as their limit. */
  maxMessage: number
  /** Bytes either side may send before the other acknowledges some. */
  window: number
}

/** Main → worker, in batches. `id` names the connection. */
export type ToWorker =
  | ({ t: 'open'; id: number } & Connection)
  /** The client's bytes, in order. */
  | { t: 'data'; id: number; bytes: Uint8Array }
  /** The client's socket took this many of the worker's bytes: it may send that many more. */
  | { t: 'ack'; id: number; n: number }
  /** The client sent FIN; the other direction may go on. */
  | { t: 'end'; id: number }
  /** hotcell is done with the connection (the client left, or hotcell closed it): the app's socket is destroyed. */
  | { t: 'close'; id: number }

/** Worker → main, in batches. */
export type ToMain =
  /** The app's bytes, in order: one transferred buffer per batch of writes. */
  | { t: 'data'; id: number; bytes: Uint8Array }
  /** The app took this many of the client's bytes. */
  | { t: 'ack'; id: number; n: number }
  /** The app ended its side (socket.end()). */
  | { t: 'end'; id: number }
  /** The app destroyed the socket before ending it: an abort, not a clean end. */
  | { t: 'abort'; id: number }
  /**
   * Before any byte: the upgrade could not reach the app's code (the entry
   * failed to import) or the handler threw. Main answers with an error page.
   */
  | { t: 'failed'; id: number; phase: FailurePhase; error: ErrorData }
  /** The app's socket is gone: nothing more about this connection. */
  | { t: 'closed'; id: number }
