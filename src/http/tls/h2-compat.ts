// Node's HTTP/2 compatibility objects, made to behave like the HTTP/1.1 ones
// the rest of hotcell (and the worker's handler) was written against. Passed
// to createSecureServer as its request and response classes, so nothing
// outside this server changes. The differences they absorb:
// - an HTTP/2 request carries its Host as the :authority pseudo-header, and
//   rawHeaders starts with :method, :path, :scheme, :authority (names no
//   `Headers` object accepts);
// - connection-specific headers (Connection, Keep-Alive, Transfer-Encoding,
//   Upgrade) are forbidden in HTTP/2 responses, and HTTP/2 has no status
//   text: Node drops both with a process warning;
// - `Connection: close` is how hotcell stops a client from sending the rest
//   of a body it refused (413); over HTTP/2 that is a reset of the stream
//   (RST_STREAM NO_ERROR after the response, which HTTP/2 allows for
//   a request whose rest the server does not need), or the client
//   waits forever on a full flow-control window;
// - hotcell cuts a response it cannot finish (the body stream failed, the
//   worker died, a retiring generation's grace ended) with destroy(), which
//   over HTTP/1.1 closes the socket, so the client sees a truncated body.
//   Node's Http2Stream destroyed without an error ends the stream with
//   END_STREAM, which a client reads as a complete body: destroy() resets it
//   (RST_STREAM INTERNAL_ERROR) instead.
import { constants, Http2ServerRequest, Http2ServerResponse } from 'node:http2'
import type { OutgoingHttpHeaders } from 'node:http'

const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade'])

export class H2Request extends Http2ServerRequest {
  #rawHeaders: string[] | undefined

  constructor(...args: ConstructorParameters<typeof Http2ServerRequest>) {
    super(...args)
    const headers = this.headers
    const authority = headers[':authority']
    if (headers.host === undefined && typeof authority === 'string') headers.host = authority
  }

  /** The request's own headers, Host first (from :authority), without the pseudo-headers. */
  get requestRawHeaders(): string[] {
    if (this.#rawHeaders) return this.#rawHeaders
    const raw = (Object.getOwnPropertyDescriptor(Http2ServerRequest.prototype, 'rawHeaders')!.get as () => string[]).call(this)
    const out: string[] = []
    let authority: string | undefined
    let host: string | undefined
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!
      if (name.startsWith(':')) {
        if (name === ':authority') authority = raw[i + 1]
        continue
      }
      if (name.toLowerCase() === 'host') host = raw[i + 1]
      out.push(name, raw[i + 1]!)
    }
    // Both, and different: two Host headers, which the Host guard refuses: HTTP/2 calls such a request malformed.
    if (authority !== undefined && authority !== host) out.unshift('host', authority)
    this.#rawHeaders = out
    return out
  }
}
// An accessor over a property that @types/node declares as a plain field.
Object.defineProperty(H2Request.prototype, 'rawHeaders', {
  get(this: H2Request) {
    return this.requestRawHeaders
  },
  configurable: true,
})

type HeadersArgument = OutgoingHttpHeaders | readonly (string | string[])[] | readonly [string, string][] | undefined

export class H2Response extends Http2ServerResponse {
  /** A `Connection: close` was asked for: end the request's stream with the response. */
  #closeAfter = false

  override writeHead(statusCode: number, statusMessageOrHeaders?: string | HeadersArgument, maybeHeaders?: HeadersArgument): this {
    const headers = typeof statusMessageOrHeaders === 'string' ? maybeHeaders : (statusMessageOrHeaders ?? maybeHeaders)
    return super.writeHead(statusCode, this.#withoutConnectionHeaders(headers) as OutgoingHttpHeaders)
  }

  override setHeader(name: string, value: number | string | readonly string[]): void {
    if (!this.#isConnectionHeader(name, value)) super.setHeader(name, value)
  }

  override appendHeader(name: string, value: string | string[]): void {
    if (!this.#isConnectionHeader(name, value)) super.appendHeader(name, value)
  }

  override end(...args: unknown[]): this {
    ;(super.end as (...args: unknown[]) => this)(...args)
    // Waits for the response to be written before it resets (Node sends RST_STREAM NO_ERROR after 'finish').
    if (this.#closeAfter && !this.stream.closed) this.stream.close(constants.NGHTTP2_NO_ERROR)
    return this
  }

  override destroy(error?: Error): this {
    // Once the stream closed, the response was complete or the client reset it: nothing left to cut.
    if (!this.stream.closed) this.stream.close(constants.NGHTTP2_INTERNAL_ERROR)
    else super.destroy(error)
    return this
  }

  #isConnectionHeader(name: string, value: unknown): boolean {
    const lower = name.toLowerCase()
    if (!CONNECTION_SPECIFIC.has(lower)) return false
    if (lower === 'connection' && /\bclose\b/i.test(String(value))) this.#closeAfter = true
    return true
  }

  #withoutConnectionHeaders(headers: HeadersArgument): HeadersArgument {
    if (headers === undefined) return undefined
    if (!Array.isArray(headers)) {
      const out: OutgoingHttpHeaders = {}
      for (const [name, value] of Object.entries(headers as OutgoingHttpHeaders)) if (!this.#isConnectionHeader(name, value)) out[name] = value
      return out
    }
    if (headers.length > 0 && Array.isArray(headers[0]))
      return (headers as [string, string][]).filter(([name, value]) => !this.#isConnectionHeader(name, value))
    const out: (string | string[])[] = []
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i] as string
      if (!this.#isConnectionHeader(name, headers[i + 1])) out.push(name, headers[i + 1]!)
    }
    return out
  }
}
// HTTP/2 has no status text; Node's getter warns on every read.
Object.defineProperty(H2Response.prototype, 'statusMessage', { get: () => '', set: () => {}, configurable: true })
