// One connection read by the lean door: Node's own HTTP parser (llhttp,
// strict, as node:http runs it) driven from the socket's 'data', and for each
// request with no body or a small one of a declared length, a LeanRequest
// (its body read whole) and a LeanResponse handed to the request listener: no
// IncomingMessage, no ServerResponse, no stream per request. Any other
// request (chunked, Expect, an upgrade, a larger body, a target the lean
// objects cannot serve) hands the connection to node:http for the rest of its
// life, from that request's first byte. Where each request before it ended is
// known without the parser's help: at its header block's blank line, which
// llhttp's strict mode requires as CRLF CRLF, plus its Content-Length.
import type { Socket } from 'node:net'
import { onClientError } from '../client-error.js'
import type { RequestIn, ResponseOut } from '../exchange.js'
import { createRequestParser, HTTPParser, methods, type Parser } from './http-parser.js'
import { STALLED } from '../request-body.js'
import { LeanRequest } from './lean-request.js'
import { LeanResponse, type ResponseOwner } from './lean-response.js'
import { bodyLength, headEnd } from './request-bounds.js'
import { CHUNKED } from './response-head.js'

/** What a connection needs from its door. */
export interface DoorSide {
  listener: (req: RequestIn, res: ResponseOut) => void
  /** Whether the lean objects can serve this request target (not /__hotcell/, say). */
  takes(url: string): boolean
  /** The largest body read here; larger ones go to node:http (which also answers those over the limit). */
  maxBody: number
  /** node:http's own 'connection' listener: the connection continues there. */
  handOff(socket: Socket): void
  keepAliveTimeoutMs: number
  dropped(connection: LeanConnection): void
}

export class LeanConnection implements ResponseOwner {
  readonly socket: Socket
  readonly #door: DoorSide
  readonly #parser: Parser
  /**
   * Bytes from the first request not yet complete to the last byte received;
   * empty between requests. Kept as received, joined only when needed: a
   * body sent a byte at a time must not be copied once per byte.
   */
  #unread: Buffer[] = []
  /** Requests begun and not complete (0, or 1 while a request's bytes arrive). */
  #open = 0
  /** The body lengths of the requests completed by the parser in this chunk. */
  #completed: number[] = []
  #parserClosed = false
  /** Set at the first request the lean objects do not serve: nothing after it is ours. */
  #handingOff = false
  #active: LeanResponse | undefined
  #waiting: [LeanRequest, LeanResponse][] = []
  #closing = false
  // The request being parsed.
  #headers: string[] = []
  #url = ''
  #request: { method: string; url: string; headers: string[]; minor: number; keepAlive: boolean; length: number; headAt: number } | undefined
  /** Its body, as it arrives. */
  #body: Uint8Array | undefined
  #bodyAt = 0
  /** Sweeps (lean-door.ts) since the last response, since the first byte of a request still arriving, or since its body's last byte. */
  idleSweeps = 0

  constructor(socket: Socket, door: DoorSide) {
    this.socket = socket
    this.#door = door
    const parser = createRequestParser()
    parser[HTTPParser.kOnMessageBegin] = () => {
      if (!this.#handingOff) this.#open++
    }
    // Only with more than 32 header fields, or a header block split across reads.
    parser[HTTPParser.kOnHeaders] = (headers: string[], url: string) => {
      if (this.#handingOff) return
      this.#headers.push(...headers)
      this.#url += url
    }
    parser[HTTPParser.kOnHeadersComplete] = this.#onHeaders.bind(this)
    parser[HTTPParser.kOnBody] = (chunk: Buffer) => {
      if (this.#handingOff || !this.#body) return
      this.#body.set(chunk, this.#bodyAt)
      this.#bodyAt += chunk.byteLength
    }
    parser[HTTPParser.kOnMessageComplete] = this.#onComplete.bind(this)
    this.#parser = parser
    socket.on('data', this.#onData)
    socket.on('end', this.#onEnd)
    socket.on('error', this.#onError)
    socket.on('close', this.#onClose)
    socket.on('drain', this.#onDrain)
  }

  /** No request in flight. */
  get idle(): boolean {
    return this.#active === undefined
  }

  /** Partly received request bytes are waiting for the rest. */
  get partial(): boolean {
    return this.#unread.length > 0 && this.#active === undefined
  }

  /** The request waited for has its head, and its body is arriving (the body's idle deadline, not headersTimeout). */
  get inBody(): boolean {
    return this.#request !== undefined
  }

  #onHeaders(
    _major: number,
    minor: number,
    headers: string[] | undefined,
    method: number,
    url: string | undefined,
    _status: unknown,
    _message: unknown,
    upgrade: boolean,
    keepAlive: boolean,
  ): number {
    if (this.#handingOff) return 0
    const all = headers && this.#headers.length === 0 ? headers : [...this.#headers, ...(headers ?? [])]
    const target = this.#url + (url ?? '')
    this.#headers = []
    this.#url = ''
    const length = upgrade ? -1 : bodyLength(all)
    if (length < 0 || length > this.#door.maxBody || !this.#door.takes(target)) {
      this.#handingOff = true
      return 0
    }
    // Only a request with a body has time between its head and its dispatch.
    this.#request = { method: methods[method]!, url: target, headers: all, minor, keepAlive, length, headAt: length > 0 ? performance.now() : 0 }
    // Its exact size, declared and at most maxBody: what the worker gets, transferred, not copied.
    if (length > 0) this.#body = new Uint8Array(length)
    this.#bodyAt = 0
    return 0
  }

  #onComplete(): void {
    if (this.#handingOff) return
    this.#open--
    const { method, url, headers, minor, keepAlive, length, headAt } = this.#request!
    this.#completed.push(length)
    this.#request = undefined
    // As readBody: no body is null, not an empty one.
    const body = this.#body ? (this.#body.buffer as ArrayBuffer) : null
    this.#body = undefined
    const req = new LeanRequest(method, url, headers, minor, this.socket, body, headAt)
    const res = new LeanResponse(
      this.socket,
      {
        keepAlive,
        chunkedByDefault: minor >= 1 || CHUNKED.test(String(req.headers.te ?? '')),
        head: method === 'HEAD',
        keepAliveTimeoutMs: this.#door.keepAliveTimeoutMs,
      },
      this,
    )
    if (this.#active || this.#closing) this.#waiting.push([req, res])
    else this.#start(req, res)
  }

  #start(req: LeanRequest, res: LeanResponse): void {
    this.#active = res
    try {
      this.#door.listener(req, res)
    } catch {
      // The dispatcher never throws; if it did, this connection cannot know where its response stands.
      this.socket.destroy()
    }
  }

  readonly #onData = (chunk: Buffer): void => {
    // The headers timeout counts from a request's first byte, the keep-alive one from the last response.
    if (this.#unread.length === 0) this.idleSweeps = 0
    if (this.#completed.length > 0) this.#completed = []
    const result = this.#parser.execute(chunk)
    if (result instanceof Error && !this.#handingOff) {
      this.#stopReading(false)
      return void onClientError(result as NodeJS.ErrnoException, this.socket)
    }
    // What the next reader (a later chunk, or node:http) must see: from the first request not complete.
    if (this.#open === 0 && !this.#handingOff) {
      if (this.#unread.length > 0) this.#unread = []
      return
    }
    // Body bytes: the idle deadline counts from the last of them. Past the return above: a request read in one chunk never gets here.
    if (this.#request !== undefined) this.idleSweeps = 0
    this.#unread.push(chunk)
    if (this.#completed.length > 0) {
      // Requests ended inside what is kept (pipelining): cut them off the front.
      let bytes = Buffer.concat(this.#unread)
      for (const length of this.#completed) bytes = bytes.subarray(headEnd(bytes) + length)
      this.#unread = [bytes]
    }
    if (this.#handingOff) {
      this.socket.pause()
      // Not from inside the socket's read: node:http takes the socket's handle over for its parser.
      process.nextTick(() => this.#handOffWhenIdle())
    }
  }

  readonly #onEnd = (): void => {
    // As node:http without allowHalfOpen: a request cut short is a client error; a client gone is not answered.
    const result = this.#parser.finish()
    if (result instanceof Error) return void onClientError(result as NodeJS.ErrnoException, this.socket)
    this.#closing = true
    if (this.socket.writable) this.socket.end()
  }

  readonly #onError = (): void => {
    this.socket.destroy()
  }

  readonly #onClose = (): void => {
    this.#closeParser()
    const active = this.#active
    this.#active = undefined
    active?.socketClosed()
    // Never started: nobody ran them, nobody waits.
    this.#waiting = []
    this.#door.dropped(this)
  }

  readonly #onDrain = (): void => {
    this.#active?.emit('drain')
  }

  /** From LeanResponse, once it has ended. */
  finished(response: LeanResponse, last: boolean): void {
    if (response !== this.#active) return
    this.#active = undefined
    this.idleSweeps = 0
    if (last || this.#closing) {
      this.#waiting = []
      this.#stopReading(false)
      this.socket.destroySoon()
      return
    }
    const next = this.#waiting.shift()
    if (next) this.#start(next[0], next[1])
    else if (this.#handingOff) this.#handOffWhenIdle()
  }

  /** Close now if no request is in flight (shutdown, or idle past the keep-alive timeout). */
  closeIfIdle(): void {
    if (this.#active === undefined) this.socket.destroy()
  }

  /**
   * A request's head took too long (408 with no body, as node:http answers),
   * or its body stopped arriving: that request goes to the listener marked
   * STALLED, which answers 408 and logs it as node:http's path does (dispatch.ts).
   */
  timedOut(): void {
    const request = this.#request
    this.#stopReading(false)
    if (!request) return void onClientError(Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), this.socket)
    // Already answered (a half-close cut the body short: #onEnd) or gone: nobody reads a 408.
    if (!this.socket.writable) return void this.socket.destroy()
    this.#request = undefined
    this.#body = undefined
    const { method, url, headers, minor, headAt } = request
    const req = new LeanRequest(method, url, headers, minor, this.socket, STALLED, headAt)
    // The rest of the body may still come: the connection closes after the answer.
    const context = {
      keepAlive: false,
      chunkedByDefault: minor >= 1 || CHUNKED.test(String(req.headers.te ?? '')),
      head: method === 'HEAD',
      keepAliveTimeoutMs: this.#door.keepAliveTimeoutMs,
    }
    this.#start(req, new LeanResponse(this.socket, context, this))
  }

  #handOffWhenIdle(): void {
    if (this.#active || this.socket.destroyed) return
    const socket = this.socket
    this.#stopReading(true)
    if (this.#unread.length > 0) socket.unshift(Buffer.concat(this.#unread))
    this.#unread = []
    this.#door.dropped(this)
    this.#door.handOff(socket)
    socket.resume()
  }

  /** This connection reads no more; with `handOff`, nothing of it stays on the socket. */
  #stopReading(handOff: boolean): void {
    const socket = this.socket
    socket.removeListener('data', this.#onData)
    socket.removeListener('end', this.#onEnd)
    this.#closeParser()
    if (!handOff) return
    socket.removeListener('error', this.#onError)
    socket.removeListener('close', this.#onClose)
    socket.removeListener('drain', this.#onDrain)
  }

  #closeParser(): void {
    if (this.#parserClosed) return
    this.#parserClosed = true
    this.#parser.close()
  }
}
