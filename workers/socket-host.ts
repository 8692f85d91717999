// The worker's end of its socket channel (src/pool/socket-channel.ts): one
// port for every upgraded connection (WebSocket) of this worker, opened at
// boot so that main knows where to send them. The code that serves them,
// socket-connections.ts, is loaded with the first: most apps never open one,
// and a worker boots without it.
import type { SocketHostMessage } from '../src/pool/socket-protocol.js'
import type { FetchContext, LoadedApp } from './loaded-app.js'
import type { Batch } from './socket-batch.js'
const { MessageChannel, parentPort, threadId } = process.getBuiltinModule('node:worker_threads')

export interface SocketHostOptions {
  /** The app, once imported. */
  app(): Promise<LoadedApp>
  env: Record<string, string | undefined>
  context: FetchContext
}

/** Open this worker's socket host and tell main where it is. */
export function startSocketHost(options: SocketHostOptions): void {
  const { port1: port, port2 } = new MessageChannel()
  let take: ((batch: Batch) => void) | undefined
  // Batches that come while the module loads wait, in order.
  const early: Batch[] = []
  port.on('message', (batch: Batch) => {
    if (take) return take(batch)
    early.push(batch)
    if (early.length > 1) return
    import('./socket-connections.js').then(
      (connections) => {
        take = connections.serveConnections(port, options)
        for (const waiting of early.splice(0)) take(waiting)
      },
      (error: unknown) => console.error(`hotcell: WebSockets cannot be served in this worker: ${(error as Error)?.stack ?? String(error)}`),
    )
  })
  // It must not keep an otherwise finished worker alive.
  port.unref()
  const hello: SocketHostMessage = { type: 'hotcell:socket-host', threadId, port: port2 }
  parentPort!.postMessage(hello, [port2])
}
