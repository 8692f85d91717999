// One direction of a WebSocket the main thread relays: where its frames
// begin and end across chunks. The start of a header split between two
// chunks is held until the rest of it comes, so that its frame is judged
// whole and no byte of it goes on before.
import { type FrameHeader, FrameScanner } from './websocket-frames.js'

export interface RelayedScan {
  /** The bytes held from before, then the chunk: `at` and `held` count into these. */
  bytes: Buffer
  /** How many of `bytes` were held from before. */
  held: number
  /** As FrameScanner.scan's. */
  at: number
  stopped: boolean
}

export class RelayedFrames {
  readonly #scanner = new FrameScanner()
  /** Bytes that start a header not complete yet. */
  #held: Buffer | undefined

  /** Between two frames, and no header begun. */
  get atBoundary(): boolean {
    return this.#scanner.atBoundary && this.#held === undefined
  }

  /** Walk `chunk` behind the bytes held from before (FrameScanner.scan). They are held no longer: `hold` keeps what is left. */
  scan(chunk: Buffer, onHeader: (header: FrameHeader) => boolean, stopAtBoundary = false): RelayedScan {
    const held = this.#held?.byteLength ?? 0
    const bytes = this.#held ? Buffer.concat([this.#held, chunk]) : chunk
    this.#held = undefined
    const { at, stopped } = this.#scanner.scan(bytes, onHeader, stopAtBoundary)
    return { bytes, held, at, stopped }
  }

  /** Keep the bytes from `at` on (the start of a header) for the next scan. */
  hold(bytes: Buffer, at: number): void {
    if (at < bytes.byteLength) this.#held = Buffer.from(bytes.subarray(at))
  }
}
