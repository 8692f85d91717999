// The body arena's layout, shared by the worker that fills it
// (workers/body-arena.ts) and the main thread that reads it (body-arena.ts).
// Constants and types only: the worker imports this file.
//
// The arena is cut into fixed slots; a body takes a run of them. Only the
// worker takes slots (workers/body-arena.ts), only the main thread gives them
// back, once the socket is done with the bytes (src/http/lent-reply.ts): a
// slot's state is the body's length in its first slot, -1 in the others of
// its run, 0 when free. A slot the main thread still has is never written:
// the worker sees it taken and sends the body the old way instead. Each
// worker has its own arena, created with its first such body; a dead
// worker's arena lives on only as long as writes of its bodies do.

/** Bytes per slot. */
export const ARENA_SLOT = 8 * 1024
/** Slots per arena: 2 MiB, touched from the first slot up, as concurrency needs. */
export const ARENA_SLOTS = 256
/** Smaller bodies still travel in the reply: their copies cost less than a write of their own. */
export const ARENA_MIN = 8 * 1024
/** Larger bodies go the old way (transferred): one of them must not take half the arena from the others. */
export const ARENA_MAX = 1024 * 1024

/** Worker → main on the lane, once, before the first reply that names a slot of it. */
export interface ArenaMessage {
  arena: SharedArrayBuffer
  slots: SharedArrayBuffer
}
