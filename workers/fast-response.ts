// A Response that does not build undici's object until something needs it.
// On Node 20 every native `new Response("hi")` creates a ReadableStream for
// its body and makes it transferable, which cost more than the thread hop
// itself on a hello handler. This class keeps status, headers and a string
// or bytes body as given; the runtime reads them directly (respond.ts) and
// the native Response is built on first use of anything else (body, text(),
// clone()…), from the same arguments. Installed as the worker's global
// `Response`, the way @hono/node-server does; a native Response (from
// `fetch()`) is still `instanceof Response`.

type HeadersInit = ConstructorParameters<typeof Headers>[0]
const NativeResponse = globalThis.Response
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304])
// What undici gives a string body that has no content-type of its own.
const TEXT_TYPE = 'text/plain;charset=UTF-8'

type Body = string | Uint8Array | ArrayBuffer | null

/** What respond.ts reads from a FastResponse that was never materialized. */
export interface FastParts {
  status: number
  statusText: string
  /** As given in `init.headers`, or the Headers object if one was made. */
  headers: HeadersInit | undefined
  body: Body
}

const PARTS = Symbol('hotcell.responseParts')
const NATIVE = Symbol('hotcell.nativeResponse')

interface Internals {
  [PARTS]?: FastParts
  [NATIVE]?: Response
}

function isFastBody(body: unknown): body is Body {
  return body == null || typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer
}

export class FastResponse {
  declare [PARTS]?: FastParts
  declare [NATIVE]?: Response

  constructor(body?: ConstructorParameters<typeof Response>[0], init?: ResponseInit) {
    if (isFastBody(body)) {
      const status = init?.status ?? 200
      // The checks the native constructor makes, with its messages.
      if (!Number.isInteger(status) || status < 200 || status > 599) {
        throw new RangeError(`init["status"] must be in the range of 200 to 599, inclusive.`)
      }
      if (body != null && NULL_BODY_STATUS.has(status)) throw new TypeError('Response constructor: Invalid response status code ' + status)
      this[PARTS] = { status, statusText: init?.statusText === undefined ? '' : String(init.statusText), headers: init?.headers, body: body ?? null }
    } else {
      this[NATIVE] = new NativeResponse(body, init)
    }
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    // Subclasses of Response keep the ordinary prototype check.
    // biome-ignore lint/complexity/noThisInStatic: `instanceof Sub` calls this with the subclass as `this`
    if (this !== FastResponse) return typeof this === 'function' && Object.prototype.isPrototypeOf.call(this.prototype, value as object)
    return value instanceof NativeResponse
  }

  static json(data: unknown, init?: ResponseInit): Response {
    const body = JSON.stringify(data)
    if (body === undefined) throw new TypeError('Value is not JSON serializable')
    const headers = new Headers(init?.headers)
    if (!headers.has('content-type')) headers.set('content-type', 'application/json')
    return new FastResponse(body, { ...init, headers }) as unknown as Response
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
    if (!(parts.headers instanceof Headers)) {
      const headers = new Headers(parts.headers)
      if (typeof parts.body === 'string' && !headers.has('content-type')) headers.set('content-type', TEXT_TYPE)
      parts.headers = headers
    }
    return parts.headers
  }
}

/** The native Response, built now from the same arguments if it was not yet. */
function native(response: Internals): Response {
  let made = response[NATIVE]
  if (!made) {
    const parts = response[PARTS]!
    made = new NativeResponse(parts.body, { status: parts.status, statusText: parts.statusText, headers: parts.headers })
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

// Everything else a Response has goes to the native one.
for (const key of Reflect.ownKeys(NativeResponse.prototype)) {
  if (key === 'constructor' || key in FastResponse.prototype) continue
  const descriptor = Object.getOwnPropertyDescriptor(NativeResponse.prototype, key)!
  if (typeof descriptor.value === 'function') {
    const method = descriptor.value as (...args: unknown[]) => unknown
    Object.defineProperty(FastResponse.prototype, key, {
      value: function (this: Internals, ...args: unknown[]) {
        return method.apply(native(this), args)
      },
      writable: true,
      configurable: true,
    })
  } else if (descriptor.get) {
    const get = descriptor.get
    Object.defineProperty(FastResponse.prototype, key, {
      get(this: Internals) {
        return get.call(native(this))
      },
      configurable: true,
    })
  }
}
Object.setPrototypeOf(FastResponse.prototype, NativeResponse.prototype)
Object.setPrototypeOf(FastResponse, NativeResponse)

/** Make `FastResponse` the global `Response` of this worker. */
export function installFastResponse(): void {
  Object.defineProperty(globalThis, 'Response', { value: FastResponse, writable: true, configurable: true, enumerable: false })
}
