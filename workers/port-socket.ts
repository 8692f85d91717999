// The worker's end of an upgraded connection: a Duplex that reads and writes
// through the connection's MessagePort, with what net.Socket offers that
// WebSocket libraries touch (addresses, setNoDelay, setTimeout…). The client's
// real socket stays in the main thread (src/pool/socket-tunnel.ts).
import { Duplex } from 'node:stream'
import type { MessagePort } from 'node:worker_threads'
import type { ErrorData, FailurePhase } from '../src/pool/protocol.js'
import type { TunnelMessage, UpgradeMessage } from '../src/pool/socket-protocol.js'

export class PortSocket extends Duplex {
  readonly remoteAddress: string
  readonly remotePort: number
  readonly remoteFamily: string
  readonly localAddress: string
  readonly localPort: number
  /** Set on TLS connections, as on a TLSSocket (libraries check it for wss://). */
  readonly encrypted: true | undefined
  readonly #port: MessagePort
  readonly #window: number
  /** Bytes sent to main and not acknowledged. */
  #unacked = 0
  /** A write waiting for acknowledgements. */
  #blocked: (() => void) | undefined
  /** Bytes received that the consumer has not taken yet (push() said stop). */
  #unread = 0
  #written = false
  #gone = false
  bytesWritten = 0
  bytesRead = 0

  constructor(message: UpgradeMessage) {
    // Like a server's net.Socket: when the client ends, so does this side.
    super({ allowHalfOpen: false })
    this.#port = message.port
    this.#window = message.window
    this.remoteAddress = message.remoteAddress
    this.remotePort = message.remotePort
    this.remoteFamily = message.remoteAddress.includes(':') ? 'IPv6' : 'IPv4'
    this.localAddress = message.localAddress
    this.localPort = message.localPort
    this.encrypted = message.encrypted ? true : undefined
    this.#port.on('message', (m: TunnelMessage) => this.#receive(m))
    // Main closed its end: the client left, or hotcell closed the connection.
    this.#port.on('close', () => {
      this.#gone = true
      this.#blocked?.()
      if (!this.destroyed) this.destroy()
    })
  }

  /** Before any byte was written: tell main why the app could not answer; main writes the page. */
  fail(phase: FailurePhase, error: ErrorData): void {
    if (this.#written || this.#gone) return void this.destroy()
    this.#send({ t: 'failed', phase, error })
    this.#gone = true
    this.#port.close()
    this.destroy()
  }

  #receive(message: TunnelMessage): void {
    switch (message.t) {
      case 'data': {
        const bytes = message.bytes
        const chunk = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
        this.bytesRead += chunk.byteLength
        this.#unread += chunk.byteLength
        if (this.push(chunk)) this._read()
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
    }
  }

  override _read(): void {
    if (this.#unread === 0) return
    this.#send({ t: 'ack', n: this.#unread })
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
   * One copy into a buffer of its own, transferred: the chunks may be views
   * of pooled memory or of the app's own buffers, which must stay intact.
   * A frame written as header + payload (corked) leaves as one message.
   */
  #sendBytes(chunks: Buffer[], callback: (error?: Error | null) => void): void {
    if (this.#gone) {
      callback()
      return
    }
    let size = 0
    for (const chunk of chunks) size += chunk.byteLength
    const bytes = new Uint8Array(size)
    let offset = 0
    for (const chunk of chunks) {
      bytes.set(chunk, offset)
      offset += chunk.byteLength
    }
    this.#written = true
    this.bytesWritten += size
    this.#unacked += size
    this.#send({ t: 'data', bytes }, [bytes.buffer])
    if (this.#unacked < this.#window) callback()
    else this.#blocked = () => callback()
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#send({ t: 'end' })
    callback()
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Ending both ways is the normal finish; anything else is an abort the client must see.
    if (!this.#gone && !this.writableFinished) this.#send({ t: 'abort' })
    this.#gone = true
    this.#port.close()
    callback(error)
  }

  #send(message: TunnelMessage, transfer?: ArrayBuffer[]): void {
    if (this.#gone) return
    this.#port.postMessage(message, transfer)
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
