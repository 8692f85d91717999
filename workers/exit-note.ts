// process.exit() in a worker ends its thread at once: a message posted on the
// way out is not sure to arrive. So where it was called is written into memory
// the main thread shares (handed over with the lane, lane.ts), and read there
// when the worker's exit is handled: the 502 names the .ts line.
import { EXIT_NOTE_BYTES } from '../src/pool/protocol.js'

export const exitNote = new SharedArrayBuffer(EXIT_NOTE_BYTES)

let installed = false

/** Record the stack of every process.exit() call in this thread. Idempotent. */
export function recordExits(): void {
  if (installed) return
  installed = true
  const exit = process.exit.bind(process)
  const recorded = (code?: number | string | null): never => {
    // From the caller on (this function's own frame left out), mapped to the .ts source: the worker has source maps on.
    const holder: { stack?: string } = {}
    Error.captureStackTrace(holder, recorded)
    const bytes = new TextEncoder().encode(holder.stack ?? '').subarray(0, EXIT_NOTE_BYTES - 4)
    new Uint8Array(exitNote, 4).set(bytes)
    Atomics.store(new Int32Array(exitNote, 0, 1), 0, bytes.length)
    return exit(code)
  }
  process.exit = recorded as typeof process.exit
}
