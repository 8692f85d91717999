// The wire format of the socket channel, both ways (src/pool/socket-channel.ts,
// socket-host.ts): one turn's messages as four numbers each in a
// Float64Array, every message's bytes end to end in one ArrayBuffer, and the
// rare structured payloads (a connection's request, an error) in a list.
// Both buffers are transferred: a message costs a few numbers, not a cloned
// object and a cloned buffer of its own.
import type { ToMain, ToWorker } from '../src/pool/socket-protocol.js'

type Message = ToMain | ToWorker

const KINDS = ['open', 'data', 'ack', 'end', 'close', 'abort', 'failed', 'closed'] as const satisfies readonly Message['t'][]
const CODES = new Map<Message['t'], number>(KINDS.map((kind, code) => [kind, code]))
const FIRST_CAPACITY = 4096

export interface Batch {
  /** Per message: kind, connection id, then (data) offset and length in `bytes`, (ack) n, (open, failed) the index in `extra`. */
  ops: Float64Array
  bytes: ArrayBuffer | null
  extra: object[] | null
}

export class BatchWriter<M extends Message> {
  #ops: number[] = []
  #bytes: Uint8Array | undefined
  #size = 0
  #extra: object[] = []

  get empty(): boolean {
    return this.#ops.length === 0
  }

  /** Queue `message`; its bytes are copied now, so the caller may reuse them. */
  add(message: M): void {
    const code = CODES.get(message.t)!
    if (message.t === 'data') {
      const bytes = message.bytes
      const offset = this.#reserve(bytes.byteLength)
      this.#bytes!.set(bytes, offset)
      this.#size += bytes.byteLength
      // Bytes right after the same connection's last ones extend that message:
      // a frame written as header then payload reaches the socket in one write.
      const last = this.#ops.length - 4
      if (last >= 0 && this.#ops[last] === code && this.#ops[last + 1] === message.id && this.#ops[last + 2]! + this.#ops[last + 3]! === offset) {
        this.#ops[last + 3]! += bytes.byteLength
      } else this.#ops.push(code, message.id, offset, bytes.byteLength)
    } else if (message.t === 'ack') this.#ops.push(code, message.id, message.n, 0)
    else if (message.t === 'open' || message.t === 'failed') {
      const { t: _t, id, ...payload } = message
      this.#ops.push(code, id, this.#extra.length, 0)
      this.#extra.push(payload)
    } else this.#ops.push(code, message.id, 0, 0)
  }

  /** Where the next `n` bytes go, growing the buffer (doubling) if they do not fit. */
  #reserve(n: number): number {
    const capacity = this.#bytes?.byteLength ?? 0
    if (this.#size + n > capacity) {
      const grown = new Uint8Array(Math.max(FIRST_CAPACITY, capacity * 2, this.#size + n))
      if (this.#bytes) grown.set(this.#bytes.subarray(0, this.#size))
      this.#bytes = grown
    }
    return this.#size
  }

  /** The batch and what to transfer with it; the writer starts empty again. */
  take(): { batch: Batch; transfer: ArrayBuffer[] } {
    const ops = Float64Array.from(this.#ops)
    const bytes = this.#size > 0 ? (this.#bytes!.buffer as ArrayBuffer) : null
    const batch: Batch = { ops, bytes, extra: this.#extra.length > 0 ? this.#extra : null }
    this.#ops = []
    this.#extra = []
    this.#size = 0
    // A transferred buffer is gone from here; one that was not used is kept.
    if (bytes) this.#bytes = undefined
    return { batch, transfer: bytes ? [ops.buffer, bytes] : [ops.buffer] }
  }
}

/** Each message of `batch`, in order. Data messages are views of the batch's one buffer. */
export function readBatch<M extends Message>(batch: Batch, each: (message: M) => void): void {
  const { ops, bytes, extra } = batch
  for (let i = 0; i < ops.length; i += 4) {
    const t = KINDS[ops[i]!]!
    const id = ops[i + 1]!
    if (t === 'data') each({ t, id, bytes: new Uint8Array(bytes!, ops[i + 2]!, ops[i + 3]!) } as M)
    else if (t === 'ack') each({ t, id, n: ops[i + 2]! } as M)
    else if (t === 'open' || t === 'failed') each({ t, id, ...extra![ops[i + 2]!] } as M)
    else each({ t, id } as M)
  }
}
