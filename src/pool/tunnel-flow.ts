// Flow control of one tunnelled connection, both ways. The client's bytes go
// to the worker until a window of them is unacknowledged, and the client's
// socket pauses until the worker acknowledges some; the worker's bytes are
// acknowledged once the client's socket took them, which is how a slow
// client slows the app down.
import type { Duplex } from 'node:stream'

/**
 * Bytes each side may send before the other acknowledges some. A MiB keeps
 * a fast stream going between two turns of the other thread, and bounds
 * what a slow reader makes the process hold per connection.
 */
export const TUNNEL_WINDOW = 1024 * 1024
/** Acknowledgements go out per this many bytes taken, not per message: most messages then need none. */
const ACK_EVERY = TUNNEL_WINDOW / 4

export class TunnelFlow {
  /** Bytes sent to the worker and not acknowledged yet. */
  #toWorker = 0
  /** Bytes from the worker written to a socket that has not drained yet. */
  #owed = 0
  #draining = false
  /** Bytes from the worker the socket took, not acknowledged yet. */
  #taken = 0

  constructor(
    private readonly socket: Duplex,
    /** Tell the worker the client took `n` more of its bytes. */
    private readonly sendAck: (n: number) => void,
  ) {}

  /** `n` of the client's bytes went to the worker: false once the window is full (pause the client). */
  sent(n: number): boolean {
    this.#toWorker += n
    return this.#toWorker < TUNNEL_WINDOW
  }

  /** The worker took `n` of the client's bytes: true while the window has room (the client may go on). */
  acked(n: number): boolean {
    this.#toWorker -= n
    return this.#toWorker < TUNNEL_WINDOW
  }

  /** Write what `n` bytes from the worker came to; they are acknowledged once the socket took them. */
  write(bytes: Buffer, n: number): void {
    if (bytes.byteLength === 0 || this.socket.write(bytes)) {
      this.taken(n)
      return
    }
    this.#owed += n
    if (this.#draining) return
    this.#draining = true
    this.socket.once('drain', () => {
      this.#draining = false
      const owed = this.#owed
      this.#owed = 0
      this.taken(owed)
    })
  }

  /** `n` bytes from the worker are done with (written, or dropped). */
  taken(n: number): void {
    this.#taken += n
    if (this.#taken < ACK_EVERY) return
    this.sendAck(this.#taken)
    this.#taken = 0
  }
}
