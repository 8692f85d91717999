// The upgraded connections of one generation: which worker takes a new one,
// and closing them all when the generation retires. A connection never holds
// its generation up: retiring closes it (1012) instead of waiting for it.
import type { Duplex } from 'node:stream'
import type { MessagePort } from 'node:worker_threads'
import { SocketChannel } from './socket-channel.js'
import type { Connection } from './socket-protocol.js'
import { Tunnel } from './socket-tunnel.js'
import type { TunnelEvents } from './tunnel-events.js'
import { TUNNEL_WINDOW } from './tunnel-flow.js'

/** What the worker is told about a connection; the window is the tunnel's. */
export type UpgradeRequest = Omit<Connection, 'window'>

let nextId = 0

export class WorkerSockets {
  /** Per worker: the channel to its socket host (workers/socket-host.ts). */
  readonly #channels = new Map<number, SocketChannel>()
  readonly #open = new Set<Tunnel>()
  #closed: { code: number; reason: string } | undefined
  /** Handshakes waiting for a worker (all of them died, replacements are booting). */
  #waiting: Array<() => void> = []
  /** Workers that were given a connection: a death there may be a message's doing, as a request's can be. */
  readonly #served = new Set<number>()

  constructor(private readonly isReady: (threadId: number) => boolean) {}

  /** A worker's socket host is up; its channel goes away with the worker. */
  addHost(threadId: number, port: MessagePort): void {
    const channel = new SocketChannel(threadId, port)
    this.#channels.set(threadId, channel)
    for (const wake of this.#waiting.splice(0)) wake()
    port.on('close', () => {
      if (this.#channels.get(threadId) === channel) this.#channels.delete(threadId)
    })
  }

  /** Was worker `threadId` given a connection? */
  served(threadId: number): boolean {
    return this.#served.has(threadId)
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
    const channel = this.#pick()
    if (!channel) return undefined
    this.#served.add(channel.threadId)
    const tunnel: Tunnel = new Tunnel(
      socket,
      channel,
      ++nextId,
      { ...request, window: TUNNEL_WINDOW },
      {
        ...events,
        onEnd: () => {
          this.#open.delete(tunnel)
          events.onEnd()
        },
      },
    )
    this.#open.add(tunnel)
    return tunnel
  }

  /**
   * Resolves true once a worker can take a connection (at once if one can),
   * false after `ms` or when the generation retires: a handshake that came
   * while its workers were being replaced waits for them, as a request does.
   */
  whenWorker(ms: number): Promise<boolean> {
    const available = () => !this.#closed && [...this.#channels.values()].some((channel) => !channel.closed)
    if (available() || this.#closed) return Promise.resolve(available())
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer)
        resolve(available())
      }
      const timer = setTimeout(() => {
        this.#waiting = this.#waiting.filter((w) => w !== wake)
        resolve(false)
      }, ms)
      timer.unref()
      this.#waiting.push(wake)
    })
  }

  /** Close every connection with `code` and take no new ones. */
  closeAll(code: number, reason: string): void {
    this.#closed ??= { code, reason }
    for (const tunnel of this.#open) tunnel.close(code, reason)
    for (const wake of this.#waiting.splice(0)) wake()
  }

  #pick(): SocketChannel | undefined {
    let best: SocketChannel | undefined
    let bestScore = Infinity
    for (const channel of this.#channels.values()) {
      if (channel.closed) continue
      // A worker still importing the app would make the client wait: last resort.
      const score = channel.size + (this.isReady(channel.threadId) ? 0 : 1e6)
      if (score < bestScore) {
        best = channel
        bestScore = score
      }
    }
    return best
  }
}
