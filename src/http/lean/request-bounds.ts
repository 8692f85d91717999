// Where a request ends, from its head and its bytes, for the lean door's
// hand-over to node:http (lean-connection.ts): the header block ends at its
// blank line, which llhttp's strict mode only accepts as CRLF CRLF, and the
// body is its declared Content-Length.
const CR = 13
const LF = 10
const HEAD_END = Buffer.from('\r\n\r\n')

/**
 * The declared body length (0 without one), or -1 for a body the lean door
 * leaves to node:http: chunked, or behind `Expect: 100-continue`. llhttp has
 * already refused a Content-Length that is not one plain number.
 */
export function bodyLength(headers: string[]): number {
  let length = 0
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!
    if (name.length !== 14 && name.length !== 17 && name.length !== 6) continue
    const lower = name.toLowerCase()
    if (lower === 'transfer-encoding' || lower === 'expect') return -1
    if (lower === 'content-length') length = Number(headers[i + 1])
  }
  return Number.isSafeInteger(length) && length >= 0 ? length : -1
}

/** Where the head of the request at the start of `bytes` ends: after leading blank lines, at its CRLF CRLF. */
export function headEnd(bytes: Buffer): number {
  let start = 0
  while (start < bytes.length && (bytes[start] === CR || bytes[start] === LF)) start++
  const end = bytes.indexOf(HEAD_END, start)
  return end < 0 ? bytes.length : end + HEAD_END.length
}
