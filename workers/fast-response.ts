// A Response that does not build undici's object until something needs it.
// On Node 20 every native `new Response("hi")` creates a ReadableStream for
// its body and makes it transferable, which cost more than the thread hop
// itself on a hello handler. This class keeps status, headers and a string
// or bytes body as given; the runtime reads them directly (respond.ts) and
// the native Response is built on first use of anything else (body, text(),
// clone()…), from the same arguments. Installed as the worker's global
// `Response`, the way @hono/node-server does; a native Response (from
// `fetch()`) is still `instanceof Response`. Nothing here loads undici
// before something needs the native Response (fetch-api.ts).
import { defineGlobal, forwardToNative, isFetchApiLoaded, named, nativeClass, taggedAs } from './fetch-api.js'
import { hasName, headerList, toHeaders } from './header-list.js'
import { copyBytes } from './byte-copy.js'

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304])
// What undici gives a string body that has no content-type of its own.
const TEXT_TYPE = 'text/plain;charset=UTF-8'
const JSON_TYPE = 'application/json'

type Body = string | Uint8Array | ArrayBuffer | null

/** What respond.ts reads from a FastResponse that was never materialized. */
export interface FastParts {
  status: number
  statusText: string
  /** `init.headers` copied and checked at construction (header-list.ts), with the content-type a string body implies. */
  headers: string[]
  /** The response's own Headers once `headers` was read: from then on, what is sent. */
  own?: Headers
  /** A string as given; bytes copied at construction, as Node copies them. */
  body: string | Uint8Array | null
}

const PARTS = Symbol('hotcell.responseParts')
const NATIVE = Symbol('hotcell.nativeResponse')

interface Internals {
  [PARTS]?: FastParts
  [NATIVE]?: Response
}

// A status line's reason phrase (RFC 9110): tab, visible ASCII, obs-text.
const REASON_PHRASE = /^[\t\x20-\x7e\x80-\xff]*$/

/** WebIDL's unsigned short, as `init.status` is read: '201' and 201.7 are 201. */
function unsignedShort(value: unknown): number {
  const n = Math.trunc(Number(value))
  return Number.isFinite(n) ? ((n % 65536) + 65536) % 65536 : 0
}

function isFastBody(body: unknown): body is Body {
  return body == null || typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer
}

// Set for the one construction that follows: the content-type of a string
// body (Response.json's), and bytes to keep without a copy (the node
// adapter's: Node's own res.end(buffer) does not copy them either). Reset as
// each construction begins.
let stringType = TEXT_TYPE
let ownBytes = false

/** `new Response(body, init)` keeping bytes as they are: the node adapter's, taken from its socket. */
export function responseOfOwnBytes(body: string | Uint8Array | null, init: ResponseInit): Response {
  ownBytes = true
  return new FastResponse(body, init) as unknown as Response
}

export class FastResponse {
  declare [PARTS]?: FastParts
  declare [NATIVE]?: Response

  constructor(body?: ConstructorParameters<typeof Response>[0], init?: ResponseInit) {
    const type = stringType
    const adopt = ownBytes
    stringType = TEXT_TYPE
    ownBytes = false
    if (isFastBody(body)) {
      // The conversions and checks the native constructor makes, with its messages.
      const status = init?.status === undefined ? 200 : unsignedShort(init.status)
      if (status < 200 || status > 599) throw new RangeError(`init["status"] must be in the range of 200 to 599, inclusive.`)
      const statusText = init?.statusText === undefined ? '' : String(init.statusText)
      if (!REASON_PHRASE.test(statusText)) throw new TypeError('Invalid statusText')
      const headers = init?.headers === undefined ? [] : headerList(init.headers)
      if (body != null && NULL_BODY_STATUS.has(status)) throw new TypeError('Response constructor: Invalid response status code ' + status)
      if (typeof body === 'string') {
        if (!hasName(headers, 'content-type')) headers.push('content-type', type)
        this[PARTS] = { status, statusText, headers, body }
      } else {
        const bytes = body == null ? null : adopt && body instanceof Uint8Array ? body : copyBytes(body)
        this[PARTS] = { status, statusText, headers, body: bytes }
      }
    } else {
      this[NATIVE] = new (nativeClass('Response'))(body, init)
    }
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    // Subclasses of Response keep the ordinary prototype check.
    // biome-ignore lint/complexity/noThisInStatic: `instanceof Sub` calls this with the subclass as `this`
    if (this !== FastResponse) return typeof this === 'function' && Object.prototype.isPrototypeOf.call(this.prototype, value as object)
    return isResponse(value)
  }

  static json(data: unknown, init?: ResponseInit): Response {
    const body = JSON.stringify(data)
    if (body === undefined) throw new TypeError('Value is not JSON serializable')
    stringType = JSON_TYPE
    return new FastResponse(body, init) as unknown as Response
  }

  static error(): Response {
    return nativeClass('Response').error()
  }

  static redirect(url: string | URL, status?: number): Response {
    return nativeClass('Response').redirect(url, status as 302)
  }

  get status(): number {
    return this[PARTS]?.status ?? native(this).status
  }

  get ok(): boolean {
    const status = this.status
    return status >= 200 && status <= 299
  }

  get statusText(): string {
    return this[PARTS]?.statusText ?? native(this).statusText
  }

  get headers(): Headers {
    const parts = this[PARTS]
    if (!parts) return native(this).headers
    parts.own ??= toHeaders(parts.headers)
    return parts.own
  }
}

/** The native Response, built now from the same arguments if it was not yet. */
function native(response: Internals): Response {
  let made = response[NATIVE]
  if (!made) {
    const parts = response[PARTS]!
    const headers = parts.own ?? toHeaders(parts.headers)
    made = new (nativeClass('Response'))(parts.body, { status: parts.status, statusText: parts.statusText, headers })
    response[NATIVE] = made
    response[PARTS] = undefined
  }
  return made
}

/** The parts of a response never materialized, or undefined: read it as a native Response. */
export function fastParts(response: object): FastParts | undefined {
  return (response as Internals)[PARTS]
}

/** The native Response behind `response` (itself when it is one). */
export function nativeResponse(response: Response): Response {
  return (response as Internals)[PARTS] !== undefined || (response as Internals)[NATIVE] ? native(response as Internals) : response
}

/** A Response of either kind, without loading undici to ask about anything else. */
export function isResponse(value: unknown): value is Response {
  if (typeof value !== 'object' || value === null) return false
  if (PARTS in value || NATIVE in value) return true
  return (isFetchApiLoaded() || taggedAs(value, 'Response')) && value instanceof nativeClass('Response')
}

Object.defineProperty(FastResponse.prototype, Symbol.toStringTag, { value: 'Response', configurable: true })
// Everything else a Response has goes to the native one.
forwardToNative(
  FastResponse,
  [
    'type',
    'url',
    'redirected',
    'body',
    'bodyUsed',
    'clone',
    'blob',
    'arrayBuffer',
    'text',
    'json',
    'formData',
    'bytes',
    Symbol.for('nodejs.util.inspect.custom'),
  ],
  { native: 'Response', target: (self) => native(self as Internals), statics: true },
)

/** Make `FastResponse` the global `Response` of this worker. */
export function installFastResponse(): void {
  defineGlobal('Response', { value: named(FastResponse, 'Response'), writable: true, configurable: true, enumerable: false })
}
