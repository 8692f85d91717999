// Main's end of one worker's socket-host port: every connection of that
// worker shares it. What the tunnels send in one turn leaves as one
// postMessage (each message costs the receiving thread a wake-up, whatever
// its size); what arrives is handed to each connection's tunnel.
import type { MessagePort } from 'node:worker_threads'
import { BatchWriter, readBatch, type Batch } from '../../workers/socket-batch.js'
import type { ToMain, ToWorker } from './socket-protocol.js'

/** What a connection's tunnel gets from the channel. */
export interface ChannelPeer {
  receive(message: ToMain): void
  /** The worker is gone (it died, or its generation ended): the port closed. */
  workerGone(): void
}

export class SocketChannel {
  readonly #peers = new Map<number, ChannelPeer>()
  readonly #outbox = new BatchWriter<ToWorker>()
  #scheduled = false
  #closed = false

  constructor(
    readonly threadId: number,
    private readonly port: MessagePort,
  ) {
    port.on('message', (batch: Batch) => readBatch<ToMain>(batch, (message) => this.#peers.get(message.id)?.receive(message)))
    port.on('close', () => {
      this.#closed = true
      const peers = [...this.#peers.values()]
      this.#peers.clear()
      for (const peer of peers) peer.workerGone()
    })
    // The server's sockets keep the process alive, not this port.
    port.unref()
  }

  get closed(): boolean {
    return this.#closed
  }

  /** Connections on this worker. */
  get size(): number {
    return this.#peers.size
  }

  attach(id: number, peer: ChannelPeer): void {
    this.#peers.set(id, peer)
  }

  detach(id: number): void {
    this.#peers.delete(id)
  }

  /** Queue `message` for this turn's batch (its bytes are copied now). */
  send(message: ToWorker): void {
    if (this.#closed) return
    this.#outbox.add(message)
    if (this.#scheduled) return
    this.#scheduled = true
    // After this turn's socket reads (poll phase), before the loop waits again.
    setImmediate(this.#flush)
  }

  readonly #flush = (): void => {
    this.#scheduled = false
    if (this.#closed || this.#outbox.empty) return
    const { batch, transfer } = this.#outbox.take()
    try {
      this.port.postMessage(batch, transfer)
    } catch {
      // The port closed meanwhile: its 'close' tells the tunnels.
    }
  }
}
