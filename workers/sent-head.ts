// The head of a Node handler's response, both ways: ServerResponse serializes
// it without the headers that would frame the body (the main thread's own
// response frames it), and the adapter reads status and headers back from
// that serialization, exactly as Node would have sent them.
import { kOutHeaders } from './node-internals.js'
const { ServerResponse } = process.getBuiltinModule('node:http')
type ServerResponse = import('node:http').ServerResponse

/** The response as the handler sent it: head parsed back from Node's own serialization. */
export interface SentHead {
  status: number
  statusText: string
  headers: [string, string][]
}

// Hop-by-hop: the main thread's own ServerResponse sets these for its connection.
// Node adds `Connection: close` here, since the body is never chunked.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade'])

const nodeStoreHeader = (ServerResponse.prototype as unknown as { _storeHeader: (firstLine: string, headers: unknown) => void })._storeHeader
// Framing the main thread's own response decides: an app's Transfer-Encoding
// (a proxied upstream's headers, a hand-set `chunked`) would make Node frame
// the body in chunks, and a Trailer header demands chunks. Trailers are not
// relayed; addTrailers() is then a no-op, as on a response Node does not chunk.
const FRAMING = new Set(['transfer-encoding', 'trailer'])

/** ServerResponse's own _storeHeader, given the headers without the framing ones. */
export function storeHeaderUnframed(this: ServerResponse, firstLine: string, headers: unknown): void {
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
  // Without the symbol, res's own map cannot be told from writeHead's object: leave objects as they are.
  if (!own && kOutHeaders === undefined) return headers
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

/** 'HTTP/1.1 200 OK\r\nName: value\r\n…\r\n\r\n' → status and header pairs, names lower-cased, hop-by-hop ones left out. */
export function parseHead(head: string): SentHead {
  const lines = head.split('\r\n')
  const status = lines[0]!
  const headers: [string, string][] = []
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!
    const colon = line.indexOf(': ')
    if (colon === -1) continue
    const name = line.slice(0, colon).toLowerCase()
    if (!HOP_BY_HOP.has(name)) headers.push([name, byteString(line.slice(colon + 2))])
  }
  return { status: Number(status.slice(9, 12)), statusText: status.slice(13), headers }
}

// Node's own serialization can hold characters past U+00FF: it turns a
// Content-Disposition value into a Buffer and back when Content-Length is
// known (nodejs/node#46528), so 'é' becomes U+FFFD, which node:http then
// sends as UTF-8. A header value must be a byte string to be sent again:
// such a value goes as its UTF-8 bytes, not as a 500.
const BEYOND_LATIN1 = /[\u0100-\uffff]/

function byteString(value: string): string {
  return BEYOND_LATIN1.test(value) ? Buffer.from(value, 'utf8').toString('latin1') : value
}
