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
// Response layered over ServerResponse on a null socket: 113-146 µs of CPU
// per request for a plain handler, this 42-43 (bench/node-adapter.bench.ts).
import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import type { RequestTask } from '../src/pool/protocol.js'
import { kHeadersCount, kNeedDrain } from './node-internals.js'
import { parseHead, type SentHead, storeHeaderUnframed } from './sent-head.js'
const { EventEmitter } = process.getBuiltinModule('node:events')
const { IncomingMessage, ServerResponse } = process.getBuiltinModule('node:http')
type IncomingMessage = import('node:http').IncomingMessage
type ServerResponse = import('node:http').ServerResponse
const { getDefaultHighWaterMark } = process.getBuiltinModule('node:stream')

/** What the adapter hears from one exchange. */
export interface ExchangeEvents {
  /** The head went out: the first write, flushHeaders() or end(). */
  head(head: SentHead): void
  /** The socket was destroyed (res.destroy(), or the client left): nothing more comes. */
  destroyed(error: Error | undefined): void
}

const HIGH_WATER_MARK = getDefaultHighWaterMark(false)

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
   * (res.end('...'), the usual case), else bytes; null when nothing is waiting.
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

  /** res finished. An end with nothing left to write sends nothing here: a waiting read must still hear it. */
  markEnded(): void {
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
  /** hotcell's --timeout governs a request; a handler's own socket timeout never fires. */
  setTimeout(): this {
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

function closeResponse(res: ServerResponse & { _closed?: boolean }): void {
  if (res._closed) return
  res.destroyed = true
  res._closed = true
  res.emit('close')
}
