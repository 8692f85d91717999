// Shapes of the socket tunnel (main ⇄ worker). Types only: both sides import
// this file, and nothing here may pull code into a worker.
//
// An upgraded connection stays in the main thread; its bytes travel over one
// MessagePort per connection. The worker sees a socket-like Duplex and does
// the WebSocket framing itself (the `ws` library, or the app's own). Each side
// may have `window` bytes unacknowledged: the receiver acknowledges what its
// consumer took, which is how a slow reader slows the writer on the far side.
import type { MessagePort } from 'node:worker_threads'
import type { ErrorData, FailurePhase } from './protocol.js'

/** Worker → main on `parentPort`, once per worker at boot: where to send its upgrades. */
export interface SocketHostMessage {
  type: 'hotcell:socket-host'
  threadId: number
  port: MessagePort
}

/** Main → worker on the worker's socket-host port: one client asked to upgrade. */
export interface UpgradeMessage {
  type: 'upgrade'
  id: number
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
  /** This connection's own port. */
  port: MessagePort
}

/** Either direction on a connection's port. */
export type TunnelMessage =
  /** Bytes, in order. From the worker, one transferred buffer per batch of writes. */
  | { t: 'data'; bytes: Uint8Array }
  /** The receiver's consumer took this many bytes: the sender may send that many more. */
  | { t: 'ack'; n: number }
  /** No more bytes from this side (a TCP FIN); the other direction may go on. */
  | { t: 'end' }
  /** Worker → main: the app destroyed the socket (an abort, not a clean end). */
  | { t: 'abort' }
  /**
   * Worker → main, before any byte: the upgrade could not reach the app's code
   * (the entry failed to import) or the handler threw. Main answers with an error page.
   */
  | { t: 'failed'; phase: FailurePhase; error: ErrorData }
