// Cloudflare Workers' WebSocket API for fetch handlers: `new WebSocketPair()`,
// `server.accept()`, and `new Response(null, { status: 101, webSocket: client })`
// (what Hono's Workers `upgradeWebSocket` returns). The handshake and the
// framing are done in websocket-accept.ts.
import type { WebSocket as WsSocket } from 'ws'

const CONNECTING = 0
const OPEN = 1
const CLOSING = 2
const CLOSED = 3

/** client end → server end, for pairs whose client has not been returned yet. */
const peers = new WeakMap<WebSocketEnd, WebSocketEnd>()
/** 101 responses → the client end they carry. */
const upgrades = new WeakMap<object, WebSocketEnd>()
const clientEnds = new WeakSet<WebSocketEnd>()
// Node 22+ has them as globals; Node 20 does not.
const globals = globalThis as { CloseEvent?: typeof CloseEventShim; ErrorEvent?: typeof ErrorEventShim }

class CloseEventShim extends Event {
  readonly code: number
  readonly reason: string
  readonly wasClean: boolean
  constructor(type: string, init: { code: number; reason: string; wasClean: boolean }) {
    super(type)
    this.code = init.code
    this.reason = init.reason
    this.wasClean = init.wasClean
  }
}

class ErrorEventShim extends Event {
  readonly error: unknown
  readonly message: string
  constructor(type: string, init: { error: unknown; message: string }) {
    super(type)
    this.error = init.error
    this.message = init.message
  }
}

type EventHandler = ((event: Event) => void) | null

/** One end of a WebSocketPair. The server end is the app's; the client end goes into the 101 Response. */
export class WebSocketEnd extends EventTarget {
  static readonly CONNECTING = CONNECTING
  static readonly OPEN = OPEN
  static readonly CLOSING = CLOSING
  static readonly CLOSED = CLOSED
  readonly CONNECTING = CONNECTING
  readonly OPEN = OPEN
  readonly CLOSING = CLOSING
  readonly CLOSED = CLOSED
  /** Binary messages arrive as ArrayBuffer, as on Workers. */
  binaryType: 'arraybuffer' = 'arraybuffer'
  url: string | null = null
  onmessage: EventHandler = null
  onclose: EventHandler = null
  onerror: EventHandler = null
  onopen: EventHandler = null
  #ws: WsSocket | undefined
  #accepted = false
  #closeCalled = false
  #closed = false
  /** Events before accept(): Workers hold them until the app accepts. */
  #held: Event[] = []
  /** Sends and a close issued before the handshake finished. */
  #pending: Array<(ws: WsSocket) => void> = []

  get readyState(): number {
    if (this.#closed) return CLOSED
    if (this.#ws) return this.#ws.readyState
    return this.#closeCalled ? CLOSING : this.#accepted ? OPEN : CONNECTING
  }

  get protocol(): string {
    return this.#ws?.protocol ?? ''
  }

  get extensions(): string {
    return this.#ws?.extensions ?? ''
  }

  /** Start receiving events (Workers require it before the app can use the socket). */
  accept(): void {
    if (this.#accepted) throw new TypeError('accept() was already called on this WebSocket.')
    if (clientEnds.has(this))
      throw new TypeError('accept() belongs to the server end of a WebSocketPair (pair[1]); the client end (pair[0]) goes into the 101 Response.')
    this.#accepted = true
    const held = this.#held
    this.#held = []
    queueMicrotask(() => {
      for (const event of held) this.#dispatch(event)
    })
  }

  send(message: string | ArrayBuffer | ArrayBufferView): void {
    if (!this.#accepted) throw new TypeError('You must call accept() on this WebSocket before sending messages.')
    if (this.#closeCalled || this.#closed) throw new TypeError("Can't call WebSocket send() after close().")
    const data =
      typeof message === 'string'
        ? message
        : ArrayBuffer.isView(message)
          ? Buffer.from(message.buffer, message.byteOffset, message.byteLength)
          : Buffer.from(message)
    if (this.#ws) this.#ws.send(data)
    else this.#pending.push((ws) => ws.send(data))
  }

  close(code?: number, reason?: string): void {
    if (this.#closeCalled || this.#closed) return
    this.#closeCalled = true
    if (this.#ws) this.#ws.close(code, reason)
    else this.#pending.push((ws) => ws.close(code, reason))
  }

  /** The handshake is done: the app's end now talks to this `ws` socket. */
  attach(ws: WsSocket): void {
    this.#ws = ws
    ws.binaryType = 'arraybuffer'
    ws.on('message', (data: ArrayBuffer, isBinary: boolean) => {
      this.#emit(new MessageEvent('message', { data: isBinary ? data : new TextDecoder().decode(data) }))
    })
    ws.on('close', (code: number, reason: Buffer) => {
      this.#closed = true
      const init = { code, reason: reason.toString(), wasClean: code !== 1006 }
      this.#emit(new (globals.CloseEvent ?? CloseEventShim)('close', init))
    })
    ws.on('error', (error: Error) => {
      const init = { error, message: error.message }
      this.#emit(new (globals.ErrorEvent ?? ErrorEventShim)('error', init))
    })
    for (const run of this.#pending.splice(0)) run(ws)
  }

  #emit(event: Event): void {
    if (this.#accepted) this.#dispatch(event)
    else this.#held.push(event)
  }

  #dispatch(event: Event): void {
    const handler = (this as unknown as Record<string, EventHandler>)[`on${event.type}`]
    handler?.call(this, event)
    this.dispatchEvent(event)
  }
}

/** `new WebSocketPair()`: `[client, server]` as properties 0 and 1. */
export class WebSocketPair {
  readonly 0: WebSocketEnd
  readonly 1: WebSocketEnd
  constructor() {
    allow101()
    const client = new WebSocketEnd()
    const server = new WebSocketEnd()
    clientEnds.add(client)
    peers.set(client, server)
    this[0] = client
    this[1] = server
  }
}

/** Make `WebSocketPair` a global, as on Workers. Call before the bundle is imported. */
export function installWebSocketPair(): void {
  if ('WebSocketPair' in globalThis) return
  Object.defineProperty(globalThis, 'WebSocketPair', { value: WebSocketPair, writable: true, configurable: true })
}

let allowed = false

/**
 * Let `new Response(null, { status: 101, webSocket })` through, as Workers
 * do (undici allows only 200–599). Installed by the first WebSocketPair, so
 * that apps without one construct their Responses exactly as before. Wraps
 * whatever `Response` is global then, and keeps `instanceof` working for
 * every Response.
 */
function allow101(): void {
  if (allowed) return
  allowed = true
  const Current = globalThis.Response
  const allowing: typeof Response = new Proxy(Current, {
    // `x instanceof Response` asks the wrapped class, which may answer for
    // more than its prototype (the runtime's FastResponse accepts native
    // Responses); a subclass of Response keeps the ordinary check.
    get(target, key, receiver) {
      if (key === Symbol.hasInstance && receiver === allowing) return (value: unknown) => value instanceof target
      return Reflect.get(target, key, receiver) as unknown
    },
    construct(target, args: unknown[], newTarget) {
      const init = args[1] as (ResponseInit & { webSocket?: unknown }) | undefined
      if (init == null || (init.status !== 101 && init.webSocket == null)) return Reflect.construct(target, args, newTarget) as object
      const client = init.webSocket
      if (init.status !== 101 || !(client instanceof WebSocketEnd) || !peers.has(client)) {
        throw new RangeError(
          'A Response with status 101 needs the client end of a WebSocketPair, and only it: new Response(null, { status: 101, webSocket: pair[0] }).',
        )
      }
      const response = Reflect.construct(target, [null, { headers: init.headers, statusText: init.statusText }], newTarget) as object
      Object.defineProperties(response, {
        status: { value: 101 },
        ok: { value: false },
        statusText: { value: init.statusText || 'Switching Protocols' },
        webSocket: { value: client, enumerable: true },
      })
      upgrades.set(response, client)
      return response
    },
  })
  globalThis.Response = allowing
}

/**
 * The server end of the pair whose client end `response` carries, if it is
 * a 101 WebSocket response. Each pair connects once.
 */
export function takeWebSocket(response: unknown): WebSocketEnd | undefined {
  if (typeof response !== 'object' || response === null) return undefined
  const client = upgrades.get(response)
  const server = client && peers.get(client)
  if (client) peers.delete(client)
  return server
}
