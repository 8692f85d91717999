// A response head as node:http's ServerResponse writes it (writeHead and
// _storeHeader in Node 20 and 24): the same validation and errors, the same
// header order, and the same Date, Connection, Keep-Alive, Content-Length and
// Transfer-Encoding decisions. test/lean-door.test.ts compares the bytes with
// node:http's for each case.
import type { OutgoingHttpHeader, OutgoingHttpHeaders } from 'node:http'
import type { HeadersOut } from '../exchange.js'

// Not an ESM import of node:http (docs/architecture.md#builtins).
const { STATUS_CODES, validateHeaderName, validateHeaderValue } = process.getBuiltinModule('node:http')

/** What the request decides about its response. */
export interface HeadContext {
  /** llhttp's verdict for the request (HTTP/1.1 unless it said close; HTTP/1.0 only with keep-alive). */
  keepAlive: boolean
  /** HTTP/1.1; for HTTP/1.0, only when it sent `TE: chunked`. */
  chunkedByDefault: boolean
  head: boolean
  keepAliveTimeoutMs: number
}

export interface Head {
  text: string
  statusCode: number
  /** The body is sent (not HEAD, 204, 304 or 1xx). */
  hasBody: boolean
  /** The body is framed as chunks. */
  chunked: boolean
  /** The connection ends after this response. */
  last: boolean
}

const CLOSE = /(?:^|\W)close(?:$|\W)/i
/** A Transfer-Encoding or TE value that names chunked (node:http's chunkExpression). */
export const CHUNKED = /(?:^|\W)chunked(?:$|\W)/i
// Node's checkInvalidHeaderChar.
const INVALID_HEADER_CHAR = /[^\t\x20-\x7e\x80-\xff]/

// Node's utcDate(): one string per second.
let date: string | undefined
function utcDate(): string {
  if (date === undefined) {
    const now = new Date()
    date = now.toUTCString()
    setTimeout(() => {
      date = undefined
    }, 1000 - now.getMilliseconds()).unref()
  }
  return date
}

function codedError<T extends Error>(error: T, code: string): T {
  return Object.assign(error, { code })
}

/** The head for `writeHead(status, reason, headers)`; throws what node:http throws for the same arguments. */
export function responseHead(
  context: HeadContext,
  status: number,
  reason: string | undefined,
  headers: HeadersOut | undefined,
  /** end(body) without writeHead: node:http then knows the length. */
  implicitLength?: number,
): Head {
  const code = status | 0
  if (code < 100 || code > 999) throw codedError(new RangeError(`Invalid status code: ${status}`), 'ERR_HTTP_INVALID_STATUS_CODE')
  const message = reason ?? (STATUS_CODES[code] || 'unknown')
  if (INVALID_HEADER_CHAR.test(message)) throw codedError(new TypeError('Invalid character in statusMessage'), 'ERR_INVALID_CHAR')
  const state = {
    text: `HTTP/1.1 ${code} ${message}\r\n`,
    connection: false,
    contentLength: false,
    lengthValue: 0,
    te: false,
    chunked: false,
    date: false,
    trailer: false,
    last: false,
    keepAlive: context.keepAlive,
    defaultKeepAlive: true,
  }
  if (Array.isArray(headers) && Array.isArray(headers[0])) {
    for (const pair of headers as unknown as OutgoingHttpHeader[][]) processHeader(state, String(pair[0]), pair[1])
  } else if (Array.isArray(headers)) {
    if (headers.length % 2 !== 0) throw codedError(new TypeError(`The argument 'headers' is invalid. Received ${String(headers)}`), 'ERR_INVALID_ARG_VALUE')
    for (let i = 0; i < headers.length; i += 2) processHeader(state, headers[i] as string, headers[i + 1])
  } else if (headers) {
    for (const name of Object.keys(headers)) processHeader(state, name, (headers as OutgoingHttpHeaders)[name])
  }
  const hasBody = !(context.head || code === 204 || code === 304 || code < 200)
  let text = state.text
  if (!state.date) text += `Date: ${utcDate()}\r\n`
  let { chunked, last } = state
  if (chunked && (code === 204 || code === 304)) {
    chunked = false
    state.keepAlive = false
  }
  if (!state.connection) {
    if (state.keepAlive && (state.contentLength || context.chunkedByDefault)) {
      text += 'Connection: keep-alive\r\n'
      if (context.keepAliveTimeoutMs && state.defaultKeepAlive) text += `Keep-Alive: timeout=${Math.floor(context.keepAliveTimeoutMs / 1000)}\r\n`
    } else {
      last = true
      text += 'Connection: close\r\n'
    }
  }
  if (!state.contentLength && !state.te) {
    if (!hasBody) chunked = false
    else if (!context.chunkedByDefault) last = true
    else if (implicitLength !== undefined) text += `Content-Length: ${implicitLength}\r\n`
    else {
      text += 'Transfer-Encoding: chunked\r\n'
      chunked = true
    }
  }
  if (!chunked && state.trailer) throw codedError(new Error('Trailers are invalid with this transfer encoding'), 'ERR_HTTP_TRAILER_INVALID')
  return { text: `${text}\r\n`, statusCode: code, hasBody, chunked, last }
}

type State = {
  text: string
  connection: boolean
  contentLength: boolean
  lengthValue: number
  te: boolean
  chunked: boolean
  date: boolean
  trailer: boolean
  last: boolean
  keepAlive: boolean
  defaultKeepAlive: boolean
}

function processHeader(state: State, name: string, value: OutgoingHttpHeader | undefined): void {
  validateHeaderName(name)
  let shown: OutgoingHttpHeader | undefined = value
  // Node encodes it as Latin-1 once a length is known (nodejs/node#46528), which it reads back as UTF-8.
  if (state.lengthValue && name.length === 19 && name.toLowerCase() === 'content-disposition') {
    shown = Array.isArray(value) ? value.map(latin1AsUtf8) : latin1AsUtf8(String(value))
  }
  if (Array.isArray(shown)) {
    if (shown.length < 2 || name.toLowerCase() !== 'cookie') {
      for (const one of shown) storeHeader(state, name, one)
      return
    }
    shown = shown.join('; ')
  }
  storeHeader(state, name, shown)
}

function latin1AsUtf8(value: string): string {
  return Buffer.from(value, 'latin1').toString()
}

function storeHeader(state: State, name: string, value: string | number | undefined): void {
  // Throws for undefined, as node:http does.
  validateHeaderValue(name, value as string)
  state.text += `${name}: ${value}\r\n`
  if (name.length < 4 || name.length > 17) return
  switch (name.toLowerCase()) {
    case 'connection':
      state.connection = true
      if (CLOSE.test(String(value))) state.last = true
      else state.keepAlive = true
      break
    case 'transfer-encoding':
      state.te = true
      if (CHUNKED.test(String(value))) state.chunked = true
      break
    case 'content-length':
      state.contentLength = true
      state.lengthValue = Number(value)
      break
    case 'date':
      state.date = true
      break
    case 'trailer':
      state.trailer = true
      break
    case 'keep-alive':
      state.defaultKeepAlive = false
      break
  }
}
