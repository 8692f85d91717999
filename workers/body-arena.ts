// The worker's side of its body arena (src/pool/body-arena.ts says why and
// how it is shared): this thread takes slots, the main thread gives them back.
import { ARENA_MAX, ARENA_MIN, ARENA_SLOT, ARENA_SLOTS, type ArenaMessage } from '../src/pool/arena-layout.js'

let bytes: Uint8Array | undefined
let slots: Int32Array | undefined
const encoder = new TextEncoder()

/**
 * Put a complete body in the arena and return its first slot; undefined when
 * it is not worth it (small) or does not fit (large, or the arena is full):
 * then it goes in the reply as before. `announce` gets the arena when it is
 * created, before any reply names a slot of it.
 */
export function lend(body: string | Uint8Array, announce: (message: ArenaMessage) => void): number | undefined {
  const size = typeof body === 'string' ? body.length : body.byteLength
  if (size < ARENA_MIN || size > ARENA_MAX) return undefined
  if (!bytes) {
    const message: ArenaMessage = { arena: new SharedArrayBuffer(ARENA_SLOT * ARENA_SLOTS), slots: new SharedArrayBuffer(4 * ARENA_SLOTS) }
    bytes = new Uint8Array(message.arena)
    slots = new Int32Array(message.slots)
    announce(message)
  }
  if (typeof body !== 'string') {
    const first = take(size)
    if (first === undefined) return undefined
    bytes.set(body, first * ARENA_SLOT)
    Atomics.store(slots!, first, size)
    return first
  }
  // A string's UTF-8 length is its length when it is ASCII, as most large
  // bodies are; otherwise the encoding overflows, and is done again at the
  // exact length.
  let first = take(size)
  if (first === undefined) return undefined
  let { read, written } = encoder.encodeInto(body, bytes.subarray(first * ARENA_SLOT, (first + runOf(size)) * ARENA_SLOT))
  if (read < body.length) {
    give(first, size)
    const exact = Buffer.byteLength(body)
    first = exact > ARENA_MAX ? undefined : take(exact)
    if (first === undefined) return undefined
    ;({ read, written } = encoder.encodeInto(body, bytes.subarray(first * ARENA_SLOT, first * ARENA_SLOT + exact)))
    if (read < body.length) {
      give(first, exact)
      return undefined
    }
  }
  Atomics.store(slots!, first, written)
  return first
}

const runOf = (size: number) => Math.max(1, Math.ceil(size / ARENA_SLOT))

/** The first of `size` bytes' worth of free slots, now taken; the lowest such run, so that a quiet server touches few pages. */
function take(size: number): number | undefined {
  const run = runOf(size)
  const states = slots!
  let free = 0
  for (let slot = 0; slot < ARENA_SLOTS; slot++) {
    if (Atomics.load(states, slot) !== 0) {
      free = 0
      continue
    }
    if (++free < run) continue
    const first = slot - run + 1
    for (let taken = first; taken <= slot; taken++) Atomics.store(states, taken, -1)
    return first
  }
  return undefined
}

function give(first: number, size: number): void {
  for (let slot = first + runOf(size) - 1; slot >= first; slot--) Atomics.store(slots!, slot, 0)
}
