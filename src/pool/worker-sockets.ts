// The upgraded connections of one generation: which worker takes a new one,
// and closing them all when the generation retires. A connection never holds
// its generation up: retiring closes it (1012) instead of waiting for it.
import type { Duplex } from 'node:stream'
import { MessageChannel, type MessagePort } from 'node:worker_threads'
import type { UpgradeMessage } from './socket-protocol.js'
import { Tunnel, TUNNEL_WINDOW, type TunnelEvents } from './socket-tunnel.js'

/** What the worker is told about a connection, besides its port. */
export type UpgradeRequest = Omit<UpgradeMessage, 'type' | 'id' | 'port' | 'window'>

let nextId = 0

export class WorkerSockets {
  /** Per worker: the port its socket host listens on (workers/socket-host.ts). */
  readonly #hosts = new Map<number, MessagePort>()
  readonly #open = new Set<Tunnel>()
  #closed: { code: number; reason: string } | undefined

  constructor(private readonly isReady: (threadId: number) => boolean) {}

  /** A worker's socket host is up; it goes away with the worker. */
  addHost(threadId: number, port: MessagePort): void {
    this.#hosts.set(threadId, port)
    port.on('close', () => {
      if (this.#hosts.get(threadId) === port) this.#hosts.delete(threadId)
    })
    port.unref()
  }

  /** Open connections. */
  get size(): number {
    return this.#open.size
  }

  /**
   * Carry one upgraded connection to the worker with the fewest, among those
   * that have the app. Undefined when this generation takes no more (it is
   * retiring, or has no worker right now).
   */
  open(request: UpgradeRequest, socket: Duplex, events: TunnelEvents): Tunnel | undefined {
    if (this.#closed) return undefined
    const threadId = this.#pick()
    if (threadId === undefined) return undefined
    const { port1, port2 } = new MessageChannel()
    const tunnel: Tunnel = new Tunnel(socket, port1, threadId, request.maxMessage, {
      ...events,
      onEnd: () => {
        this.#open.delete(tunnel)
        events.onEnd()
      },
    })
    this.#open.add(tunnel)
    const message: UpgradeMessage = { type: 'upgrade', id: ++nextId, ...request, window: TUNNEL_WINDOW, port: port2 }
    this.#hosts.get(threadId)!.postMessage(message, [port2])
    return tunnel
  }

  /** Close every connection with `code` and take no new ones. */
  closeAll(code: number, reason: string): void {
    this.#closed ??= { code, reason }
    for (const tunnel of this.#open) tunnel.close(code, reason)
  }

  #pick(): number | undefined {
    const load = new Map<number, number>()
    for (const tunnel of this.#open) load.set(tunnel.threadId, (load.get(tunnel.threadId) ?? 0) + 1)
    let best: number | undefined
    let bestScore = Infinity
    for (const threadId of this.#hosts.keys()) {
      // A worker still importing the app would make the client wait: last resort.
      const score = (load.get(threadId) ?? 0) + (this.isReady(threadId) ? 0 : 1e6)
      if (score < bestScore) {
        best = threadId
        bestScore = score
      }
    }
    return best
  }
}
