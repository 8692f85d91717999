// One request of a Node `(req, res)` handler: Node's own IncomingMessage and
// ServerResponse on a socket that is not one. The socket takes what
// ServerResponse would send over the wire (the head Node serialized, then the
// body bytes) and hands it to the adapter instead (node-adapter.ts).
//
// Why Node's own classes rather than look-alikes: Express, Koa, Fastify and
// connect re-parent or extend exactly these prototypes, and every method and
// getter a handler calls (setHeader, writeHead with arrays, appendHeader,
// flushHeaders, writableEnded, req.headers by Node's duplicate rules…) is
// then Node's own code. light-my-request did the same through a mock
// Response that ServerResponse was layered under; it cost ~200 µs per
// request in a worker, this ~25 (bench/node-adapter.bench.ts).
import { EventEmitter } from 'node:events'
import { IncomingMessage, type Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { getDefaultHighWaterMark } from 'node:stream'
import type { RequestTask } from '../src/pool/protocol.js'

/** The response as the handler sent it: head parsed back from Node's own serialization. */
export interface SentHead {
  status: number
  statusText: string
  headers: [string, string][]
}

/** What the adapter hears from one exchange. */
export interface ExchangeEvents {
  /** The head went out: the first write, flushHeaders() or end(). */
  head(head: SentHead): void
  /** The socket was destroyed (res.destroy(), or the client left): nothing more comes. */
  destroyed(error: Error | undefined): void
}

// Hop-by-hop: the main thread's own ServerResponse sets these for its connection.
// Node adds `Connection: close` here, since the body is never chunked (below).
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade'])
const HIGH_WATER_MARK = getDefaultHighWaterMark(false)
// Two of Node's private fields a real server sets from inside http:
// - how many rawHeaders entries the parser filled, which Node's lazy
//   req.headers getter reads (without it, req.headers is {});
// - ServerResponse's "a write returned false", cleared when the socket drains
//   (socketOnDrain).
// Found by name on a scratch pair; if a Node version renames them, req.headers
// is built eagerly by Node's own rules and 'drain' is still emitted.
const scratch = new IncomingMessage(null as never)
const privateSymbol = (object: object, name: string) => Object.getOwnPropertySymbols(object).find((symbol) => symbol.description === name)
const kHeadersCount = privateSymbol(scratch, 'kHeadersCount')
const scratchResponse = new ServerResponse(scratch)
const kNeedDrain = privateSymbol(scratchResponse, 'kNeedDrain')
// res's own header map ({ lowercased: [name, value] }), as _storeHeader may receive it.
const kOutHeaders = privateSymbol(scratchResponse, 'kOutHeaders')

/**
 * The socket a handler's req and res see. It answers what apps ask of a
 * socket (remote address and port, encrypted, setTimeout, setNoDelay…) and
 * buffers what ServerResponse writes until the adapter reads it.
 */
export class ExchangeSocket extends EventEmitter {
  readonly remoteAddress: string
  readonly remotePort: number
  readonly remoteFamily: 'IPv4' | 'IPv6'
  /** What Express's req.protocol, Koa's ctx.protocol and Fastify's request.protocol read. */
  readonly encrypted: boolean | undefined
  readonly server: Server | undefined
  // on-finished (Express's body parsers, Koa) takes an unreadable socket for a request already read.
  readable = true
  writable = true
  destroyed = false
  readonly writableHighWaterMark = HIGH_WATER_MARK
  // res.end() resets it to uncork fully; corking means nothing in memory.
  readonly _writableState = { corked: 0 }
  readonly writableCorked = 0
  /** Set by ServerResponse.assignSocket; cleared by detachSocket. */
  _httpMessage: ServerResponse | null = null
  private chunks: (Buffer | string)[] = []
  private size = 0
  private headSent = false
  private finished = false
  private waiter: (() => void) | undefined

  constructor(
    task: RequestTask,
    server: Server | undefined,
    private readonly events: ExchangeEvents,
  ) {
    super()
    this.remoteAddress = task.remoteAddress
    this.remotePort = task.remotePort
    this.remoteFamily = task.remoteAddress.includes(':') ? 'IPv6' : 'IPv4'
    this.encrypted = task.url.startsWith('https:') ? true : undefined
    this.server = server
  }

  get writableLength(): number {
    return this.size
  }

  /** Where ServerResponse sends the serialized head and the body. */
  write(data: string | Uint8Array, encoding?: BufferEncoding | (() => void), callback?: () => void): boolean {
    if (typeof encoding === 'function') [callback, encoding] = [encoding, undefined]
    if (callback) process.nextTick(callback)
    if (this.destroyed) return false
    const res = this._httpMessage as (ServerResponse & { _header: string | null }) | null
    if (!this.headSent) {
      // Before the head: 100 Continue, 102 or 103 Early Hints (writeContinue,
      // writeEarlyHints). The main thread answers Expect itself; hints are dropped.
      if (!res || typeof res._header !== 'string' || typeof data !== 'string' || !data.startsWith(res._header)) return true
      this.headSent = true
      this.events.head(parseHead(res._header))
      data = data.slice(res._header.length)
    }
    if (data.length) {
      this.chunks.push(
        typeof data === 'string' ? (encoding && encoding !== 'utf8' && encoding !== 'utf-8' ? Buffer.from(data, encoding) : data) : Buffer.from(data),
      )
      this.size += data.length
    }
    this.wake()
    return this.size < HIGH_WATER_MARK
  }

  /**
   * What was written and not yet taken: a string when it is one UTF-8 string
   * (res.end('…'), the usual case), else bytes; null when nothing is waiting.
   */
  take(): Buffer | string | null {
    const { chunks } = this
    if (!chunks.length) return null
    this.chunks = []
    this.size = 0
    const res = this._httpMessage as (ServerResponse & Record<symbol, boolean>) | null
    // A write returned false: let the handler write again, as a real server
    // does on the socket's 'drain' (on a later tick, so not inside this read).
    if (res && kNeedDrain && res[kNeedDrain] && !res.finished) {
      res[kNeedDrain] = false
      process.nextTick(() => res.emit('drain'))
    }
    if (chunks.length === 1) return chunks[0]!
    return Buffer.concat(chunks.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk)))
  }

  /** res finished: everything it wrote is waiting in take() or was taken. */
  get ended(): boolean {
    return this.finished
  }

  markEnded(): void {
    this.finished = true
    this.wake()
  }

  /** Resolves at the next write, end or destroy. */
  changed(): Promise<void> {
    return new Promise((resolve) => {
      this.waiter = resolve
    })
  }

  private wake(): void {
    const waiter = this.waiter
    this.waiter = undefined
    waiter?.()
  }

  destroy(error?: Error): this {
    if (this.destroyed) return this
    this.destroyed = true
    this.readable = false
    this.writable = false
    this.chunks = []
    this.size = 0
    this.events.destroyed(error)
    this.wake()
    // A real socket closes on a later tick; ServerResponse hears it (onServerResponseClose) and emits its own 'close'.
    process.nextTick(() => this.emit('close', error !== undefined))
    return this
  }

  destroySoon(): void {
    this.destroy()
  }
  end(): this {
    return this.destroy()
  }
  setTimeout(_ms: number, callback?: () => void): this {
    // hotcell's --timeout governs a request; a handler's own socket timeout never fires.
    void callback
    return this
  }
  setNoDelay(): this {
    return this
  }
  setKeepAlive(): this {
    return this
  }
  ref(): this {
    return this
  }
  unref(): this {
    return this
  }
  cork(): void {}
  uncork(): void {}
  pause(): this {
    return this
  }
  resume(): this {
    return this
  }
  address(): Record<string, never> {
    return {}
  }
}

/** req and res for `task`, as a Node server would give them to its 'request' listener. */
export function exchange(task: RequestTask, target: string, socket: ExchangeSocket): { req: IncomingMessage; res: ServerResponse } {
  const req = new IncomingMessage(socket as unknown as Socket)
  req.method = task.method
  req.url = target
  req.httpVersion = '1.1'
  req.httpVersionMajor = 1
  req.httpVersionMinor = 1
  req.rawHeaders = task.headers
  // Node's own getter builds req.headers from rawHeaders on first read, by its duplicate rules.
  if (kHeadersCount) (req as unknown as Record<symbol, number>)[kHeadersCount] = task.headers.length
  else req.headers = nodeHeaders(req, task.headers)
  req.complete = true
  if (task.body) req.push(Buffer.from(task.body))
  req.push(null)
  const res = new ServerResponse(req)
  // Node's server links them (v15.7+).
  ;(req as { res?: ServerResponse }).res = res
  // Never chunked: the bytes go to the main thread as they are, and its own
  // ServerResponse frames them. An own property, so that it outlives
  // Express's re-parenting of res.
  res.useChunkedEncodingByDefault = false
  ;(res as unknown as { _storeHeader: typeof storeHeaderUnframed })._storeHeader = storeHeaderUnframed
  res.sendDate = false
  res.assignSocket(socket as unknown as Socket)
  res.once('finish', () => {
    socket.markEnded()
    // What a Node server does when a response finishes (resOnFinish): drain an
    // unread body so req ends and closes, free the socket, close res.
    const state = req as IncomingMessage & { _consuming: boolean; _readableState: { resumeScheduled: boolean }; _dump(): void }
    if (!state._consuming && !state._readableState.resumeScheduled) state._dump()
    res.detachSocket(socket as unknown as Socket)
    process.nextTick(closeResponse, res)
  })
  return { req, res }
}

function nodeHeaders(req: IncomingMessage, flat: string[]): IncomingMessage['headers'] {
  const headers: IncomingMessage['headers'] = {}
  const add = (req as unknown as { _addHeaderLine(name: string, value: string, into: object): void })._addHeaderLine
  for (let i = 0; i < flat.length; i += 2) add.call(req, flat[i]!, flat[i + 1]!, headers)
  return headers
}

const nodeStoreHeader = (ServerResponse.prototype as unknown as { _storeHeader: (firstLine: string, headers: unknown) => void })._storeHeader
// Framing the main thread's own response decides: an app's Transfer-Encoding
// (a proxied upstream's headers, a hand-set `chunked`) would make Node frame
// the body in chunks, and a Trailer header demands chunks. Trailers are not
// relayed; addTrailers() is then a no-op, as on a response Node does not chunk.
const FRAMING = new Set(['transfer-encoding', 'trailer'])

/** ServerResponse's own _storeHeader, given the headers without the framing ones. */
function storeHeaderUnframed(this: ServerResponse, firstLine: string, headers: unknown): void {
  const own = kOutHeaders !== undefined && headers === (this as unknown as Record<symbol, unknown>)[kOutHeaders]
  nodeStoreHeader.call(this, firstLine, withoutFraming(headers, own))
}

/** The headers _storeHeader receives (res's own map, writeHead's object, a flat array or pairs), framing ones left out. */
function withoutFraming(headers: unknown, own: boolean): unknown {
  if (!headers || typeof headers !== 'object') return headers
  if (Array.isArray(headers)) {
    if (headers.length && Array.isArray(headers[0])) return (headers as [string, unknown][]).filter(([name]) => !FRAMING.has(String(name).toLowerCase()))
    const kept: unknown[] = []
    for (let i = 0; i < headers.length; i += 2) if (!FRAMING.has(String(headers[i]).toLowerCase())) kept.push(headers[i], headers[i + 1])
    return kept
  }
  const names = Object.keys(headers)
  if (!names.some((name) => FRAMING.has(name.toLowerCase()))) return headers
  // A copy of res's own map becomes a plain { name: value } object, which goes through the same checks.
  const copy: Record<string, unknown> = {}
  for (const name of names) {
    if (FRAMING.has(name.toLowerCase())) continue
    const value = (headers as Record<string, unknown>)[name]
    if (own) copy[(value as [string, unknown])[0]] = (value as [string, unknown])[1]
    else copy[name] = value
  }
  return copy
}

function closeResponse(res: ServerResponse & { _closed?: boolean }): void {
  if (res._closed) return
  res.destroyed = true
  res._closed = true
  res.emit('close')
}

/** 'HTTP/1.1 200 OK\r\nName: value\r\n…\r\n\r\n' → status and header pairs, names lower-cased, hop-by-hop ones left out. */
function parseHead(head: string): SentHead {
  const lines = head.split('\r\n')
  const status = lines[0]!
  const headers: [string, string][] = []
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!
    const colon = line.indexOf(': ')
    if (colon === -1) continue
    const name = line.slice(0, colon).toLowerCase()
    if (!HOP_BY_HOP.has(name)) headers.push([name, line.slice(colon + 2)])
  }
  return { status: Number(status.slice(9, 12)), statusText: status.slice(13), headers }
}
