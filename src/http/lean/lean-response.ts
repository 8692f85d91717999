// The lean door's response: what the dispatcher, the gate and pipeStream use
// of a ServerResponse (exchange.ts), written straight to the socket. A body
// given whole goes out with its head in one write, as node:http does.
import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import type { HeadersOut, ResponseOut } from '../exchange.js'
import { responseHead, type Head, type HeadContext } from './response-head.js'

/** What a response tells its connection. */
export interface ResponseOwner {
  /** The response ended (it was all handed to the socket); `last`: the connection closes after it. */
  finished(response: LeanResponse, last: boolean): void
}

const CRLF = '\r\n'

export class LeanResponse extends EventEmitter implements ResponseOut {
  statusCode = 200
  readonly #socket: Socket
  readonly #context: HeadContext
  readonly #owner: ResponseOwner
  #head: Head | undefined
  /** The head is on the socket. */
  #headSent = false
  #ended = false
  #destroyed = false
  #closed = false

  constructor(socket: Socket, context: HeadContext, owner: ResponseOwner) {
    super()
    this.#socket = socket
    this.#context = context
    this.#owner = owner
  }

  get headersSent(): boolean {
    return this.#head !== undefined
  }

  get destroyed(): boolean {
    return this.#destroyed
  }

  get writableFinished(): boolean {
    return this.#ended
  }

  writeHead(status: number, reason?: string | HeadersOut, headers?: HeadersOut): this {
    if (this.#head) throw Object.assign(new Error('Cannot write headers after they are sent to the client'), { code: 'ERR_HTTP_HEADERS_SENT' })
    const text = typeof reason === 'string' ? reason : undefined
    this.#head = responseHead(this.#context, status, text, typeof reason === 'string' ? headers : (reason ?? headers))
    this.statusCode = this.#head.statusCode
    return this
  }

  flushHeaders(): void {
    this.#head ??= responseHead(this.#context, this.statusCode, undefined, undefined)
    this.#sendHead()
  }

  write(chunk: Uint8Array | string): boolean {
    if (this.#ended || this.#destroyed) return false
    this.#head ??= responseHead(this.#context, this.statusCode, undefined, undefined)
    return this.#write(chunk)
  }

  #write(chunk: Uint8Array | string): boolean {
    const head = this.#head!
    if (!head.hasBody) {
      this.#sendHead()
      return true
    }
    const length = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength
    if (length === 0) {
      this.#sendHead()
      return true
    }
    const socket = this.#socket
    socket.cork()
    this.#sendHead()
    if (head.chunked) socket.write(`${length.toString(16)}${CRLF}`, 'latin1')
    let ok = socket.write(chunk)
    if (head.chunked) ok = socket.write(CRLF, 'latin1')
    socket.uncork()
    return ok
  }

  /** `written`: called once the socket is done with `body`'s bytes (sent, or never to be): they may change after that, not before. */
  end(body?: Uint8Array | string, written?: () => void): this {
    if (this.#ended || this.#destroyed) {
      written?.()
      return this
    }
    const socket = this.#socket
    if (!this.#head) {
      const length = body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength
      this.#head = responseHead(this.#context, this.statusCode, undefined, undefined, length)
    }
    const head = this.#head
    this.#ended = true
    const sendBody = body !== undefined && head.hasBody && (typeof body === 'string' ? body.length > 0 : body.byteLength > 0)
    if (!this.#headSent && typeof body === 'string' && !head.chunked) {
      // node:http sends a string body with its head as one string, in the body's encoding (UTF-8).
      this.#headSent = true
      socket.write(sendBody ? head.text + body : head.text, written)
    } else {
      socket.cork()
      this.#sendHead()
      // The socket calls back once it wrote a chunk, or dropped it (destroyed): in order, the last one after the body.
      if (sendBody && head.chunked) {
        this.#write(body!)
        socket.write(`0${CRLF}${CRLF}`, 'latin1', written)
      } else if (sendBody) socket.write(body!, written)
      else {
        if (head.chunked) socket.write(`0${CRLF}${CRLF}`, 'latin1')
        written?.()
      }
      socket.uncork()
    }
    // After the listeners of the moment have seen the end, as with node:http's 'finish' then 'close'.
    process.nextTick(() => {
      this.#emitClose()
      this.#owner.finished(this, head.last)
    })
    return this
  }

  destroy(): this {
    if (!this.#destroyed) {
      this.#destroyed = true
      this.#socket.destroy()
    }
    return this
  }

  /** The socket closed: a response not ended by then was cut off. */
  socketClosed(): void {
    if (!this.#ended) this.#destroyed = true
    this.#emitClose()
  }

  #sendHead(): void {
    if (this.#headSent) return
    this.#headSent = true
    this.#socket.write(this.#head!.text, 'latin1')
  }

  #emitClose(): void {
    if (this.#closed) return
    this.#closed = true
    this.emit('close')
  }
}
