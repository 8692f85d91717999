// The lean door's request: what the dispatcher reads (exchange.ts), without
// IncomingMessage's stream; its body, if any, already read whole.
import type { IncomingHttpHeaders } from 'node:http'
import type { Socket } from 'node:net'
import type { RequestIn } from '../exchange.js'
import type { STALLED } from '../request-body.js'

// Fields node:http keeps the first of (IncomingMessage's matchKnownFields); others are joined.
const FIRST_ONLY = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
])

export class LeanRequest implements RequestIn {
  readonly method: string
  readonly url: string
  readonly rawHeaders: string[]
  readonly socket: Socket
  readonly httpVersionMinor: number
  readonly wholeBody: ArrayBuffer | null | typeof STALLED
  readonly arrivedAt: number
  #headers: IncomingHttpHeaders | undefined

  constructor(method: string, url: string, rawHeaders: string[], minor: number, socket: Socket, body: ArrayBuffer | null | typeof STALLED, arrivedAt: number) {
    this.method = method
    this.url = url
    this.rawHeaders = rawHeaders
    this.httpVersionMinor = minor
    this.socket = socket
    this.wholeBody = body
    this.arrivedAt = arrivedAt
  }

  get destroyed(): boolean {
    return this.socket.destroyed
  }

  /** Built when first read (error pages and live reload look at a few). */
  get headers(): IncomingHttpHeaders {
    this.#headers ??= headersOf(this.rawHeaders)
    return this.#headers
  }
}

function headersOf(raw: string[]): IncomingHttpHeaders {
  const headers: Record<string, string | string[]> = {}
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase()
    const value = raw[i + 1]!
    const seen = headers[name]
    if (name === 'set-cookie') {
      if (seen === undefined) headers[name] = [value]
      else (seen as string[]).push(value)
    } else if (seen === undefined) headers[name] = value
    else if (!FIRST_ONLY.has(name)) headers[name] = `${seen}${name === 'cookie' ? '; ' : ', '}${value}`
  }
  return headers
}
