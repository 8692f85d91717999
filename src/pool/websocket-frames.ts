// The little of RFC 6455 the main thread needs to relay a WebSocket it does
// not terminate: where frames begin and end (a close frame may only go in
// between two frames), how large a client's message is, and how to write a
// close frame. Payloads are never read, unmasked or copied here.

export const OPCODE_CONTINUATION = 0x0
export const OPCODE_TEXT = 0x1
export const OPCODE_BINARY = 0x2
export const OPCODE_CLOSE = 0x8

export const CLOSE_GOING_AWAY = 1001
export const CLOSE_MESSAGE_TOO_BIG = 1009
export const CLOSE_INTERNAL_ERROR = 1011
export const CLOSE_SERVICE_RESTART = 1012

export interface FrameHeader {
  fin: boolean
  opcode: number
  /** Payload bytes; Infinity when the 64-bit length is beyond what a Number holds exactly. */
  length: number
  headerLength: number
}

export interface ScanResult {
  /** Bytes from the start of the chunk walked past: whole frames, or payload of the current one. */
  at: number
  /** The walk stopped early (at a boundary, or before a header `onHeader` refused). */
  stopped: boolean
}

/**
 * Follows one direction of a WebSocket byte stream. A header split across
 * chunks is not kept here: `scan` reports where it starts (`at` short of the
 * chunk's end) and the caller passes those bytes again, in front of the next chunk.
 */
export class FrameScanner {
  /** Payload bytes of the current frame still to come. */
  #need = 0

  /** Between two frames. (With a header's first bytes held by the caller, that is still true: none of it was scanned.) */
  get atBoundary(): boolean {
    return this.#need === 0
  }

  /**
   * Walk `chunk`. `onHeader` sees every complete header and may refuse it:
   * the walk then stops before that header. With `stopAtBoundary` the walk
   * stops at the first point between two frames (possibly position 0).
   */
  scan(chunk: Uint8Array, onHeader?: (header: FrameHeader) => boolean, stopAtBoundary = false): ScanResult {
    let pos = 0
    while (pos < chunk.byteLength) {
      if (this.#need > 0) {
        const take = Math.min(this.#need, chunk.byteLength - pos)
        pos += take
        this.#need -= take
        continue
      }
      if (stopAtBoundary) return { at: pos, stopped: true }
      const header = parseHeader(chunk, pos)
      if (!header) return { at: pos, stopped: false }
      if (onHeader && !onHeader(header)) return { at: pos, stopped: true }
      pos += header.headerLength
      this.#need = header.length
    }
    return { at: pos, stopped: stopAtBoundary && this.#need === 0 }
  }
}

/** The header starting at `pos`, or undefined while it is incomplete. */
export function parseHeader(chunk: Uint8Array, pos: number): FrameHeader | undefined {
  const available = chunk.byteLength - pos
  if (available < 2) return undefined
  const first = chunk[pos]!
  const second = chunk[pos + 1]!
  const short = second & 0x7f
  const extended = short === 126 ? 2 : short === 127 ? 8 : 0
  const headerLength = 2 + extended + (second & 0x80 ? 4 : 0)
  if (available < headerLength) return undefined
  let length = short
  if (short === 126) length = (chunk[pos + 2]! << 8) | chunk[pos + 3]!
  else if (short === 127) {
    const view = new DataView(chunk.buffer, chunk.byteOffset + pos + 2, 8)
    const big = view.getBigUint64(0)
    length = big > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(big)
  }
  return { fin: (first & 0x80) !== 0, opcode: first & 0x0f, length, headerLength }
}

/**
 * Counts the size of the client's current message across its fragments,
 * and says when it goes over `limit`.
 */
export class MessageSize {
  #size = 0
  constructor(readonly limit: number) {}

  /** False when this frame makes its message larger than the limit. Control frames do not count. */
  accepts(header: FrameHeader): boolean {
    if (header.opcode >= 0x8) return true
    this.#size = header.opcode === OPCODE_CONTINUATION ? this.#size + header.length : header.length
    return this.#size <= this.limit
  }
}

/**
 * A close frame. `masked` for frames that pose as the client's (every
 * client-to-server frame is masked); the reason is cut to the 123 bytes a
 * control frame leaves for it.
 */
export function closeFrame(code: number, reason: string, masked: boolean): Buffer {
  let text = Buffer.from(reason)
  if (text.byteLength > 123) text = text.subarray(0, lastCharBoundary(text, 123))
  const payload = Buffer.allocUnsafe(2 + text.byteLength)
  payload.writeUInt16BE(code, 0)
  text.copy(payload, 2)
  const head = Buffer.from([0x80 | OPCODE_CLOSE, (masked ? 0x80 : 0) | payload.byteLength])
  if (!masked) return Buffer.concat([head, payload])
  const mask = Buffer.from([0x5a, 0x3c, 0xa5, 0xc3].map((b) => b ^ Math.floor(Math.random() * 256)))
  for (let i = 0; i < payload.byteLength; i++) payload[i]! ^= mask[i % 4]!
  return Buffer.concat([head, mask, payload])
}

/** The largest length ≤ `max` that does not split a UTF-8 character. */
function lastCharBoundary(bytes: Buffer, max: number): number {
  let end = max
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--
  return end
}
