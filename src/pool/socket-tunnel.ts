// The main thread's end of one upgraded connection. The client's socket
// stays here; its bytes go to a worker over that worker's socket channel and
// the worker's bytes come back (socket-protocol.ts). The worker does the WebSocket
// framing; this end only follows frame boundaries, so that it can close the
// WebSocket itself when the worker cannot: a reload (1012), a dead worker
// (1011), a client message over the limit (1009), shutdown (1001).
import type { Duplex } from 'node:stream'
import { AnswerHead } from './answer-head.js'
import { RelayedFrames } from './relayed-frames.js'
import type { SocketChannel } from './socket-channel.js'
import type { Connection, ToMain, ToWorker } from './socket-protocol.js'
import type { TunnelEvents } from './tunnel-events.js'
import { TunnelFlow } from './tunnel-flow.js'
import { CLOSE_INTERNAL_ERROR, CLOSE_MESSAGE_TOO_BIG, closeFrame, MessageSize, OPCODE_CLOSE } from './websocket-frames.js'

/** After hotcell's close frame: how long the client has to answer with its own before the connection is cut. */
const CLOSE_WAIT_MS = 2_000
/** A close waits for the worker to finish the frame it is sending, at most this long. */
const BOUNDARY_WAIT_MS = 1_000

type Phase = 'head' | 'websocket' | 'http'

export class Tunnel {
  #phase: Phase = 'head'
  readonly #head = new AnswerHead()
  /** Bytes of an answer written to the client. */
  #written = 0
  /** The worker's frames, as they go to the client. */
  readonly #out = new RelayedFrames()
  /** The client's frames: none goes on to the worker before it is judged. */
  readonly #in = new RelayedFrames()
  readonly #size: MessageSize
  readonly #flow: TunnelFlow
  /** A close hotcell decided on; its frame goes out at the next boundary of the worker's frames. */
  #closing: { code: number; reason: string } | undefined
  /** A close frame went to the client, from the app or from hotcell: nothing more goes out. */
  #closeSent = false
  /** hotcell, not the app, finishes the closing handshake: it ends the connection once the client's close frame came. */
  #hotcellCloses = false
  #appCloseFrame = false
  #clientClosed = false
  /** The worker wrote its last byte ('end'). */
  #workerEnded = false
  /** Detached from the worker: nothing more goes to it or comes from it. */
  #detached = false
  #ended = false
  /** The worker's answer is due (--timeout). */
  #answerTimer: NodeJS.Timeout | undefined
  /** Waiting for the worker's frame boundary, then for the client's close frame. */
  #closeTimer: NodeJS.Timeout | undefined

  constructor(
    readonly socket: Duplex,
    private readonly channel: SocketChannel,
    private readonly id: number,
    connection: Connection,
    readonly events: TunnelEvents,
  ) {
    this.#size = new MessageSize(connection.maxMessage)
    this.#flow = new TunnelFlow(socket, (n) => this.#post({ t: 'ack', id, n }))
    channel.attach(id, { receive: (message) => this.#fromWorker(message), workerGone: () => this.#workerGone() })
    channel.send({ t: 'open', id, ...connection })
    socket.on('data', (chunk: Buffer) => this.#fromClient(chunk))
    socket.on('end', () => {
      if (this.#detached || this.#hotcellCloses) this.socket.end()
      else this.#post({ t: 'end', id: this.id })
    })
    socket.on('error', () => {}) // a reset client; 'close' follows
    socket.on('close', () => this.#finish())
  }

  /** Feed what followed the request head, and answer with `onNoAnswer({ kind: 'timeout' })` if the worker says nothing for `timeoutMs`. */
  start(head: Buffer, timeoutMs: number): void {
    if (timeoutMs !== Infinity) {
      this.#answerTimer = setTimeout(() => {
        if (this.#phase === 'head' && this.#written === 0) this.events.onNoAnswer({ kind: 'timeout' })
      }, timeoutMs)
      this.#answerTimer.unref()
    }
    if (head.byteLength > 0) this.#fromClient(head)
  }

  get threadId(): number {
    return this.channel.threadId
  }

  /** The worker answered 101: the connection is a WebSocket. */
  get open(): boolean {
    return this.#phase === 'websocket'
  }

  /** Answer with hotcell's own complete HTTP response and end the connection (only before the worker answered). */
  respond(bytes: Buffer): void {
    this.#detach()
    if (this.#written > 0 || this.#ended) return void this.socket.destroy()
    clearTimeout(this.#answerTimer)
    this.#phase = 'http'
    this.#written = bytes.byteLength
    this.socket.end(bytes)
  }

  /**
   * Close from hotcell's side: the client gets a close frame with `code` at
   * the next frame boundary of what the worker sends, and the app the same
   * code, as if the client had sent it. An HTTP answer in progress finishes.
   */
  close(code: number, reason: string): void {
    if (this.#closing || this.#ended) return
    this.#closing = { code, reason }
    if (this.#phase === 'websocket') this.#closeAtBoundary()
  }

  #fromClient(chunk: Buffer): void {
    if (this.#ended) return
    const forwarding = !this.#closing && !this.#detached
    let refused = false
    const { bytes, at, stopped } = this.#in.scan(chunk, (header) => {
      if (header.opcode === OPCODE_CLOSE) this.#clientClosed = true
      if (forwarding && !this.#size.accepts(header)) refused = true
      return !refused
    })
    if (forwarding && at > 0) this.#forward(bytes.subarray(0, at))
    if (stopped && refused) {
      this.close(CLOSE_MESSAGE_TOO_BIG, `message larger than ${this.#size.limit} bytes`)
      // The refused frame and what follows are read but go nowhere.
      this.#fromClient(bytes.subarray(at))
      return
    }
    this.#in.hold(bytes, at)
    if (this.#clientClosed && this.#hotcellCloses && this.#closeSent) this.socket.end()
  }

  #forward(bytes: Buffer): void {
    // Cloned, not transferred: a socket's chunk may share its memory.
    this.#post({ t: 'data', id: this.id, bytes })
    if (!this.#flow.sent(bytes.byteLength)) this.socket.pause()
  }

  #fromWorker(message: ToMain): void {
    switch (message.t) {
      case 'data':
        this.#fromWorkerData(Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength))
        return
      case 'ack':
        if (this.#flow.acked(message.n) && !this.#ended) this.socket.resume()
        return
      case 'end':
        this.#workerEnded = true
        if (this.#closeSent && this.#hotcellCloses) return // the client's close frame ends it
        if (this.#phase === 'websocket' && this.#closing && !this.#closeSent) this.#closeAtBoundary()
        else this.socket.end()
        return
      case 'abort':
        this.#workerEnded = true
        this.#detach()
        if (this.#phase === 'websocket' && this.#closing && !this.#closeSent) this.#closeAtBoundary()
        else this.socket.destroy()
        return
      case 'failed':
        this.#workerEnded = true
        this.#detach()
        if (this.#written > 0) this.socket.destroy()
        else this.events.onNoAnswer({ kind: 'failed', phase: message.phase, error: message.error })
        return
      case 'closed':
        // The app's socket is gone, after its end or abort: nothing more comes.
        this.#workerEnded = true
        this.#detach()
        return
    }
  }

  #fromWorkerData(chunk: Buffer): void {
    const n = chunk.byteLength
    if (this.#ended || this.#closeSent) {
      this.#flow.taken(n)
      return
    }
    let bytes: Buffer | undefined = chunk
    if (this.#phase === 'head') {
      bytes = this.#readHead(chunk)
      if (bytes === undefined) {
        this.#flow.taken(n)
        return
      }
    }
    if (this.#phase === 'websocket' && bytes.byteLength > 0) bytes = this.#trackFrames(bytes)
    this.#written += bytes.byteLength
    this.#flow.write(bytes, n)
    if (this.#closing && this.#phase === 'websocket') this.#closeAtBoundary()
  }

  /** Wait for the whole status line and headers; write them, and return what follows. */
  #readHead(chunk: Buffer): Buffer | undefined {
    const read = this.#head.read(chunk)
    if (read === 'too large') this.socket.destroy()
    if (typeof read === 'string') return undefined
    clearTimeout(this.#answerTimer)
    this.#phase = read.status === 101 ? 'websocket' : 'http'
    this.events.onResponse(read.status)
    this.#written += read.head.byteLength
    this.socket.write(read.head)
    return read.rest
  }

  /** Follow the worker's frames; with a close pending, cut at the first boundary (the rest goes nowhere). */
  #trackFrames(chunk: Buffer): Buffer {
    const { bytes, held, at, stopped } = this.#out.scan(
      chunk,
      (header) => {
        if (header.opcode === OPCODE_CLOSE) this.#appCloseFrame = true
        return true
      },
      this.#closing !== undefined,
    )
    if (stopped) return bytes.subarray(held, at)
    this.#out.hold(bytes, at)
    // The app's close frame is out whole: the client answers it, the app ends the connection.
    if (this.#appCloseFrame && this.#out.atBoundary) this.#closeSent = true
    return bytes.subarray(held)
  }

  /** Send hotcell's close frame if the worker's frames are at a boundary; otherwise once they are (or cut the connection). */
  #closeAtBoundary(): void {
    if (this.#ended || !this.#closing) return
    if (this.#closeSent) {
      // The app's close frame is already out; with the worker gone, hotcell finishes the handshake.
      if (this.#detached || this.#workerEnded) this.#finishClosing()
      return
    }
    if (!this.#out.atBoundary) {
      // The worker is mid-frame. Alive, it finishes the frame soon; gone, it never will,
      // and a close frame inside a frame would corrupt the client's message.
      if (this.#detached || this.#workerEnded) return void this.socket.destroy()
      this.#closeTimer ??= setTimeout(() => this.socket.destroy(), BOUNDARY_WAIT_MS)
      return
    }
    const { code, reason } = this.#closing
    this.#closeSent = true
    this.socket.write(closeFrame(code, reason, false))
    this.events.onClosedByHotcell(code, reason)
    if (!this.#detached) {
      // The app sees the same code. Its frame is only whole between two of the client's frames.
      if (this.#in.atBoundary) this.#post({ t: 'data', id: this.id, bytes: closeFrame(code, reason, true) })
      this.#post({ t: 'end', id: this.id })
      this.#detach()
    }
    this.#finishClosing()
  }

  /** hotcell ends the connection once the client's close frame came, or after CLOSE_WAIT_MS. */
  #finishClosing(): void {
    this.#hotcellCloses = true
    clearTimeout(this.#closeTimer)
    this.#closeTimer = setTimeout(() => this.socket.destroy(), CLOSE_WAIT_MS)
    this.#closeTimer.unref()
    if (this.#clientClosed) this.socket.end()
  }

  #post(message: ToWorker): void {
    if (!this.#detached) this.channel.send(message)
  }

  /** Stop talking to the worker: the app's socket is destroyed. The client's bytes are read (and dropped) from now on. */
  #detach(): void {
    if (this.#detached) return
    this.#post({ t: 'close', id: this.id })
    this.#detached = true
    this.channel.detach(this.id)
    if (!this.#ended) this.socket.resume()
  }

  /** The worker's channel closed: unless the app had finished with this connection, the worker died. */
  #workerGone(): void {
    if (this.#ended || this.#detached) return
    this.#detached = true
    if (this.#workerEnded) return
    if (!this.#ended) this.socket.resume()
    if (this.#phase === 'head') {
      if (this.#written === 0) this.events.onNoAnswer(this.#closing ? { kind: 'gone' } : { kind: 'lost' })
      else this.socket.destroy()
      return
    }
    if (this.#phase === 'http') return void this.socket.destroy()
    this.#closing ??= { code: CLOSE_INTERNAL_ERROR, reason: 'the worker serving this WebSocket died' }
    this.#closeAtBoundary()
  }

  #finish(): void {
    if (this.#ended) return
    this.#ended = true
    clearTimeout(this.#answerTimer)
    clearTimeout(this.#closeTimer)
    this.#detach()
    this.events.onEnd()
  }
}
