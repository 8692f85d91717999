// The bytes a load generator read from its sockets: whole responses (status
// line, headers, chunk framing, body), which is what wrk reports as transfer.
// Counting what the HTTP parser hands on would give the bodies only, and the
// head cannot be rebuilt exactly from parsed headers. bytesRead is kept by
// Node for every socket anyway, so nothing is counted per request; on a TLS
// socket it is the decrypted bytes, as wrk counts after SSL_read.
import type { Socket } from 'node:net'

export class SocketBytes {
  readonly #open = new Set<Socket>()
  #closed = 0

  /** Count what `socket` reads from now until it closes (a connection made again after an error is a new socket). */
  watch(socket: Socket): void {
    this.#open.add(socket)
    socket.once('close', () => {
      this.#open.delete(socket)
      this.#closed += socket.bytesRead
    })
  }

  /** Bytes read so far, by sockets open or closed. */
  total(): number {
    let bytes = this.#closed
    for (const socket of this.#open) bytes += socket.bytesRead
    return bytes
  }
}
