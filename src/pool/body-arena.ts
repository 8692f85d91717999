// A worker's body arena: shared memory the worker encodes a complete
// response body into, so that the reply names where it is instead of
// carrying it. A body carried in the reply is copied twice on the way
// (serialized by the worker, deserialized here) before node:http copies it
// a third time to the socket; a 64 KiB string cost ~23 µs of CPU per message
// in the two copies, against ~2 µs for the worker to encode it into the arena
// (docs/benchmarks.md, "Larger bodies").
//
// How it is laid out and announced: arena-layout.ts (the worker's side of it
// is workers/body-arena.ts).
import { ARENA_SLOT, type ArenaMessage } from './arena-layout.js'

export function isArenaMessage(message: unknown): message is ArenaMessage {
  return typeof message === 'object' && message !== null && 'arena' in message
}

/** The main thread's side of one worker's arena. */
export class ArenaReader {
  readonly #bytes: Buffer
  readonly #slots: Int32Array

  constructor(message: ArenaMessage) {
    this.#bytes = Buffer.from(message.arena)
    this.#slots = new Int32Array(message.slots)
  }

  /** The body whose run begins at slot `first`: the caller must release it, once. */
  lend(first: number): LentBody {
    const length = Atomics.load(this.#slots, first)
    const at = first * ARENA_SLOT
    return new LentBody(this.#bytes.subarray(at, at + length), this.#slots, first)
  }
}

/** A response body that lives in a worker's arena until released. */
export class LentBody {
  #slots: Int32Array | undefined
  /** Given to a response (lent-reply.ts), which releases it when its socket is done: dropBody() leaves it alone. */
  sent = false

  constructor(
    /** A view of the arena, not a copy: valid until release(). */
    readonly bytes: Buffer,
    slots: Int32Array,
    readonly first: number,
  ) {
    this.#slots = slots
  }

  /** The bytes are no longer needed (the socket took them, or they are not sent): the worker may reuse the run. Once is enough; more do nothing. */
  readonly release = (): void => {
    const slots = this.#slots
    if (!slots) return
    this.#slots = undefined
    const end = this.first + Math.max(1, Math.ceil(this.bytes.byteLength / ARENA_SLOT))
    for (let slot = end - 1; slot >= this.first; slot--) Atomics.store(slots, slot, 0)
  }
}

/** Give back the arena slots of a result nobody will write (its client left, its request timed out, answering it threw first). */
export function dropBody(result: unknown): void {
  const body = (result as { body?: unknown } | undefined)?.body
  if (body instanceof LentBody && !body.sent) body.release()
}
