// What the dispatcher, the front gate and live reload use of a request and
// its response. node:http's IncomingMessage and ServerResponse have all of
// it; so do the lean door's own two objects (lean/), which serve the common
// request without node:http's streams.
import type { IncomingHttpHeaders, OutgoingHttpHeader, OutgoingHttpHeaders } from 'node:http'
import type { STALLED } from './request-body.js'

export interface RequestIn {
  readonly method?: string | undefined
  readonly url?: string | undefined
  /** Names and values, alternating, as received. */
  readonly rawHeaders: string[]
  readonly headers: IncomingHttpHeaders
  readonly socket: {
    readonly remoteAddress?: string | undefined
    readonly remotePort?: number | undefined
    readonly localAddress?: string | undefined
    readonly localPort?: number | undefined
  }
  readonly destroyed: boolean
  /** The body read whole by the lean door (null: none; STALLED: it stopped arriving); undefined: read it from the stream. */
  readonly wholeBody?: ArrayBuffer | null | typeof STALLED
  /** performance.now() when the head of a request read whole arrived (0: at dispatch): the request log times from it. */
  readonly arrivedAt?: number
}

export type HeadersOut = OutgoingHttpHeaders | OutgoingHttpHeader[]

export interface ResponseOut {
  readonly headersSent: boolean
  statusCode: number
  readonly destroyed: boolean
  readonly writableFinished: boolean
  writeHead(status: number, reason?: string, headers?: HeadersOut): unknown
  writeHead(status: number, headers?: HeadersOut): unknown
  write(chunk: Uint8Array | string): boolean
  end(body?: Uint8Array | string): unknown
  flushHeaders(): void
  destroy(): unknown
  on(event: 'close' | 'drain', listener: () => void): unknown
  once(event: 'close' | 'drain', listener: () => void): unknown
}
