// The request a handler gets: a Request that builds undici's object only
// when something needs it. Most handlers read the method, the URL and maybe a
// header or the body as text or JSON; those are answered from the request as
// it came from the main thread. Anything else (the body as a stream, clone(),
// formData(), cache/mode/…) builds the native Request once, from the same
// parts, and is answered by it. On Node 20 a native Request with its
// AbortSignal cost more than the thread hop on a hello handler.
//
// Its prototype chain ends in Request.prototype, so `instanceof Request` holds.
// undici reads private state from a Request passed to `new Request(request)`
// or `fetch(request)`, which this object does not have: the worker's global
// `Request` and `fetch` are wrapped to pass the native object instead (as
// srvx's patchGlobalRequest does for the constructor).

import { fetchApiLoaded, forwardToNative, lazyGlobal, named, nativeClass } from './fetch-api.js'

// undici is loaded only when something needs it (fetch-api.ts): building
// the native Request, reading the headers, or the global Request itself.
const nativeFetch = globalThis.fetch

/** The request as it came from the main thread. */
export interface RequestParts {
  method: string
  /** Absolute. */
  url: string
  /** Flat `[name, value, …]`, as received. */
  headers: string[]
  body: ArrayBuffer | null
  /** The client's address, as the socket has it. */
  ip: string
}

const PARTS = Symbol('hotcell.requestParts')
const NATIVE = Symbol('hotcell.nativeRequest')
const HEADERS = Symbol('hotcell.headers')
const CONTROLLER = Symbol('hotcell.abortController')
const ABORTED = Symbol('hotcell.abortReason')
const USED = Symbol('hotcell.bodyUsed')
const ON_ABORT = Symbol('hotcell.onAbort')

const decoder = new TextDecoder()
const unusable = () => new TypeError('Body is unusable: Body has already been read')

export class LazyRequest {
  declare [PARTS]: RequestParts
  declare [NATIVE]: Request | undefined
  declare [HEADERS]: Headers | undefined
  declare [CONTROLLER]: AbortController | undefined
  declare [ABORTED]: unknown
  declare [USED]: boolean
  declare [ON_ABORT]: ((reason: unknown) => void) | undefined

  constructor(parts: RequestParts) {
    // A GET or HEAD body reaches Node (req, res) handlers (node-adapter.ts),
    // which read it as node:http gives it; a fetch Request cannot have one.
    this[PARTS] = parts.body && (parts.method === 'GET' || parts.method === 'HEAD') ? { ...parts, body: null } : parts
    this[NATIVE] = undefined
    this[HEADERS] = undefined
    this[CONTROLLER] = undefined
    this[ABORTED] = undefined
    this[USED] = false
    this[ON_ABORT] = undefined
  }

  get method(): string {
    return this[PARTS].method
  }

  get url(): string {
    return this[PARTS].url
  }

  /** The client's address (not a member of the fetch standard: srvx's and h3's name for it). */
  get ip(): string {
    return this[PARTS].ip
  }

  get headers(): Headers {
    const made = this[NATIVE]
    if (made) return made.headers
    let headers = this[HEADERS]
    if (!headers) {
      headers = new Headers()
      const flat = this[PARTS].headers
      for (let i = 0; i < flat.length; i += 2) headers.append(flat[i]!, flat[i + 1]!)
      this[HEADERS] = headers
    }
    return headers
  }

  get signal(): AbortSignal {
    return controller(this).signal
  }

  get bodyUsed(): boolean {
    return this[USED] || (this[NATIVE]?.bodyUsed ?? false)
  }

  get body(): ReadableStream<Uint8Array> | null {
    return materialize(this).body as ReadableStream<Uint8Array> | null
  }

  text(): Promise<string> {
    const bytes = take(this)
    if (bytes instanceof Promise) return bytes.then((b) => decoder.decode(b))
    return Promise.resolve(decoder.decode(bytes))
  }

  json(): Promise<unknown> {
    return this.text().then(JSON.parse)
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = take(this)
    if (bytes instanceof Promise) return bytes
    // A copy: the handler may change the bytes it got.
    return Promise.resolve(bytes.slice(0))
  }

  clone(): Request {
    if (this[USED]) throw unusable()
    return materialize(this).clone()
  }
}

/** The body as bytes for text()/json()/arrayBuffer(), marking it used; the native request's, once there is one. */
function take(request: LazyRequest): ArrayBuffer | Promise<ArrayBuffer> {
  const made = request[NATIVE]
  if (made) return made.arrayBuffer()
  const body = request[PARTS].body
  // A request without a body (GET) has nothing to use up, as natively.
  if (!body) return new ArrayBuffer(0)
  if (request[USED]) return Promise.reject(unusable())
  request[USED] = true
  return body
}

function controller(request: LazyRequest): AbortController {
  let made = request[CONTROLLER]
  if (!made) {
    made = new AbortController()
    if (request[ABORTED] !== undefined) made.abort(request[ABORTED])
    request[CONTROLLER] = made
  }
  return made
}

/** The native Request for `request`, built now if it was not yet. */
export function materialize(request: LazyRequest): Request {
  let made = request[NATIVE]
  if (!made) {
    const { method, url, body } = request[PARTS]
    const init: RequestInit & { duplex?: 'half' } = { method, headers: request.headers, signal: controller(request).signal }
    // A body already read through text()/json()/arrayBuffer() is gone; bodyUsed stays true.
    if (body && !request[USED]) {
      init.body = body
      init.duplex = 'half'
    }
    made = new (nativeClass('Request'))(url, init)
    request[NATIVE] = made
    request[HEADERS] = undefined
  }
  return made
}

/** The client went away, or the request ran out of time: abort `signal`, now or when it is first read. */
export function abortRequest(request: LazyRequest, reason: unknown): void {
  if (request[ABORTED] !== undefined) return
  request[ABORTED] = reason
  request[CONTROLLER]?.abort(reason)
  request[ON_ABORT]?.(reason)
}

/**
 * Call `listener` once if the request ends early, as `abortRequest` aborts
 * its signal, without making the signal: for the Node adapter, which needs
 * to know on every request, an AbortController per request (and the
 * listeners streams add to it) was ~10 % of the worker's time (Node 20).
 * One listener per request; a request that is not a LazyRequest is watched
 * through its signal.
 */
export function whenAborted(request: Request, listener: (reason: unknown) => void): void {
  if (!isLazy(request)) {
    const signal = request.signal
    if (signal.aborted) queueMicrotask(() => listener(signal.reason))
    else signal.addEventListener('abort', () => listener(signal.reason), { once: true })
    return
  }
  if (request[ABORTED] !== undefined) {
    const reason = request[ABORTED]
    queueMicrotask(() => listener(reason))
  } else request[ON_ABORT] = listener
}

/** Whether `request.signal` was ever read (then it must be aborted when the request ends early). */
export function signalRead(request: LazyRequest): boolean {
  return request[CONTROLLER] !== undefined
}

const isLazy = (value: unknown): value is LazyRequest => typeof value === 'object' && value !== null && PARTS in value

Object.defineProperty(LazyRequest.prototype, Symbol.for('nodejs.util.inspect.custom'), {
  value(this: LazyRequest, depth: number, options: object, inspect: (value: unknown, options: object) => string) {
    return `Request ${inspect({ method: this.method, url: this.url, headers: this.headers }, { ...options, depth: depth - 1 })}`
  },
})
Object.defineProperty(LazyRequest.prototype, Symbol.toStringTag, { value: 'Request', configurable: true })
// Every other member of Request goes to the native one.
forwardToNative(
  LazyRequest,
  [
    'destination',
    'referrer',
    'referrerPolicy',
    'mode',
    'credentials',
    'cache',
    'redirect',
    'integrity',
    'keepalive',
    'isReloadNavigation',
    'isHistoryNavigation',
    'duplex',
    'blob',
    'formData',
    'bytes',
    'attribute',
  ],
  {
    native: 'Request',
    target: (self) => materialize(self as LazyRequest),
    guard: (self, key) => ((self as LazyRequest)[USED] && (key === 'blob' || key === 'formData' || key === 'bytes') ? Promise.reject(unusable()) : undefined),
  },
)

/**
 * The global `Request` for user code: the native class, except that a lazy
 * request given to it is replaced by its native object, and that a lazy
 * request is `instanceof Request`. Made on first read of the global.
 */
function hotcellRequestClass(): typeof Request {
  const NativeRequest = nativeClass('Request')
  class HotcellRequest extends NativeRequest {
    constructor(input: ConstructorParameters<typeof Request>[0], init?: RequestInit) {
      super(isLazy(input) ? lazyInput(input, init) : input, init)
    }

    static override [Symbol.hasInstance](value: unknown): boolean {
      // biome-ignore lint/complexity/noThisInStatic: `instanceof Sub` calls this with the subclass as `this`
      if (this !== HotcellRequest) return typeof this === 'function' && Object.prototype.isPrototypeOf.call(this.prototype, value as object)
      return isLazy(value) || value instanceof NativeRequest
    }
  }
  return named(HotcellRequest, 'Request')
}

/** `new Request(used)` throws unless a new body replaces the used one, as natively. */
function lazyInput(input: LazyRequest, init: RequestInit | undefined): Request {
  if (input[USED] && init?.body == null) throw new TypeError('Cannot construct a Request with a Request object that has already been used.')
  return materialize(input)
}

function hotcellFetch(input: ConstructorParameters<typeof Request>[0], init?: RequestInit): Promise<Response> {
  if (isLazy(input)) {
    if (input[USED] && init?.body == null) return Promise.reject(new TypeError('Cannot construct a Request with a Request object that has already been used.'))
    return fetched(nativeFetch(materialize(input), init))
  }
  return fetched(nativeFetch(input, init))
}

/** Node's fetch loads undici without reading the globals. */
function fetched(response: Promise<Response>): Promise<Response> {
  fetchApiLoaded()
  return response
}

/** Make lazy requests work wherever user code passes a Request on. */
export function installLazyRequest(): void {
  lazyGlobal('Request', hotcellRequestClass)
  Object.defineProperty(globalThis, 'fetch', { value: named(hotcellFetch, 'fetch'), writable: true, configurable: true, enumerable: true })
  // `request.constructor.name` reads 'Request', as natively.
  named(LazyRequest, 'Request')
}
