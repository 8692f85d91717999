// The worker's end of an upgraded connection: a Duplex that reads and writes
// through the worker's socket channel (socket-host.ts), with what net.Socket
// offers that WebSocket libraries touch (addresses, setNoDelay, setTimeout…).
// The client's real socket stays in the main thread (src/pool/socket-tunnel.ts).
import type { ErrorData, FailurePhase } from '../src/pool/protocol.js'
import type { Connection, ToMain, ToWorker } from '../src/pool/socket-protocol.js'
const { Duplex } = process.getBuiltinModule('node:stream')

/** How a socket talks to main: messages go out in the channel's next batch. */
export interface SocketLink {
  /** Queue `message` for the next batch; its bytes are copied now. */
  send(message: ToMain): void
  /** The socket is gone: forget it. */
  done(id: number): void
}

export class TunnelSocket extends Duplex {
  readonly remoteAddress: string
  readonly remotePort: number
  readonly remoteFamily: string
  readonly localAddress: string
  readonly localPort: number
  /** Set on TLS connections, as on a TLSSocket (libraries check it for wss://). */
  readonly encrypted: true | undefined
  readonly #window: number
  /** Bytes sent to main and not acknowledged. */
  #unacked = 0
  /** A write waiting for acknowledgements. */
  #blocked: (() => void) | undefined
  /** Bytes received and not acknowledged (taken by the consumer, or waiting for it). */
  #unread = 0
  /** Bytes waiting for the consumer (push() said stop). */
  #waiting = false
  #written = false
  #gone = false
  bytesWritten = 0
  bytesRead = 0

  constructor(
    readonly id: number,
    connection: Connection,
    private readonly link: SocketLink,
  ) {
    // Like a server's net.Socket: when the client ends, so does this side.
    super({ allowHalfOpen: false })
    this.#window = connection.window
    this.remoteAddress = connection.remoteAddress
    this.remotePort = connection.remotePort
    this.remoteFamily = connection.remoteAddress.includes(':') ? 'IPv6' : 'IPv4'
    this.localAddress = connection.localAddress
    this.localPort = connection.localPort
    this.encrypted = connection.encrypted ? true : undefined
  }

  /** Before any byte was written: tell main why the app could not answer; main writes the page. */
  fail(phase: FailurePhase, error: ErrorData): void {
    if (!this.#written && !this.#gone) {
      this.#send({ t: 'failed', id: this.id, phase, error })
      this.#gone = true
    }
    this.destroy()
  }

  /** A message from main about this connection. */
  receive(message: ToWorker): void {
    switch (message.t) {
      case 'data': {
        const bytes = message.bytes
        const chunk = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
        this.bytesRead += chunk.byteLength
        this.#unread += chunk.byteLength
        this.#waiting = !this.push(chunk)
        if (!this.#waiting) this.#acknowledge()
        return
      }
      case 'ack':
        this.#unacked -= message.n
        if (this.#unacked < this.#window) {
          const resume = this.#blocked
          this.#blocked = undefined
          resume?.()
        }
        return
      case 'end':
        this.push(null)
        return
      case 'close':
        // The client left, or hotcell closed the connection.
        this.#gone = true
        this.#blocked?.()
        if (!this.destroyed) this.destroy()
        return
    }
  }

  override _read(): void {
    this.#waiting = false
    this.#acknowledge()
  }

  /** Acknowledgements go out per quarter window taken, not per message: most messages need none. */
  #acknowledge(): void {
    if (this.#unread < this.#window / 4) return
    this.#send({ t: 'ack', id: this.id, n: this.#unread })
    this.#unread = 0
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#sendBytes([chunk], callback)
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    this.#sendBytes(
      chunks.map((c) => c.chunk),
      callback,
    )
  }

  /**
   * The chunks are copied into the turn's batch now (they may be the app's
   * own buffers, which it may reuse once the write has called back).
   */
  #sendBytes(chunks: Buffer[], callback: (error?: Error | null) => void): void {
    if (this.#gone) {
      callback()
      return
    }
    this.#written = true
    for (const bytes of chunks) {
      this.bytesWritten += bytes.byteLength
      this.#unacked += bytes.byteLength
      this.#send({ t: 'data', id: this.id, bytes })
    }
    if (this.#unacked < this.#window) callback()
    else this.#blocked = () => callback()
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#send({ t: 'end', id: this.id })
    callback()
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Ending both ways is the normal finish; anything else is an abort the client must see.
    if (!this.#gone && !this.writableFinished) this.#send({ t: 'abort', id: this.id })
    this.#send({ t: 'closed', id: this.id })
    this.#gone = true
    this.link.done(this.id)
    callback(error)
  }

  #send(message: ToMain): void {
    if (!this.#gone) this.link.send(message)
  }

  // What libraries call on a net.Socket; a tunnel has no use for them.
  setNoDelay(): this {
    return this
  }
  setKeepAlive(): this {
    return this
  }
  setTimeout(_ms: number, callback?: () => void): this {
    if (callback) this.once('timeout', callback)
    return this
  }
  ref(): this {
    return this
  }
  unref(): this {
    return this
  }
  address(): { address: string; family: string; port: number } {
    return { address: this.localAddress, family: this.localAddress.includes(':') ? 'IPv6' : 'IPv4', port: this.localPort }
  }
}
