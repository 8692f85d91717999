// Upgraded connections (WebSockets) in the worker. Main sends each one here
// with a port of its own (src/pool/worker-sockets.ts); the app gets it the
// way it expects:
// - a server it started (listen() captured) with an 'upgrade' listener gets
//   'upgrade' with a socket-like Duplex, as from Node's server: the `ws`
//   library, socket.io, @hono/node-server's WebSocket helper work unchanged;
// - otherwise the handler answers the request: a fetch handler may return
//   Workers' 101 Response with a WebSocketPair; any other answer is sent as
//   HTTP and the connection closes (Node does the same with no 'upgrade' listener).
import { IncomingMessage } from 'node:http'
import { MessageChannel, parentPort, threadId } from 'node:worker_threads'
import type { RequestTask } from '../src/pool/protocol.js'
import type { SocketHostMessage, UpgradeMessage } from '../src/pool/socket-protocol.js'
import type { FetchContext, LoadedApp } from './app-loader.js'
import { describe, toErrorData } from './error-data.js'
import { PortSocket } from './port-socket.js'
import { writeResponse } from './raw-response.js'
import { takeWebSocket } from './websocket-pair.js'

export interface SocketHostOptions {
  /** The app, once imported. */
  app(): Promise<LoadedApp>
  env: Record<string, string | undefined>
  context: FetchContext
}

/** Open this worker's socket host and tell main where it is. */
export function startSocketHost(options: SocketHostOptions): void {
  const { port1, port2 } = new MessageChannel()
  port1.on('message', (message: UpgradeMessage) => {
    accept(message, options).catch((error: unknown) => {
      console.error(`hotcell: an upgrade failed inside hotcell: ${(error as Error)?.stack ?? String(error)}`)
    })
  })
  // It must not keep an otherwise finished worker alive.
  port1.unref()
  const hello: SocketHostMessage = { type: 'hotcell:socket-host', threadId, port: port2 }
  parentPort!.postMessage(hello, [port2])
}

async function accept(message: UpgradeMessage, options: SocketHostOptions): Promise<void> {
  const socket = new PortSocket(message)
  const loaded = await options.app()
  if (!loaded.ok) return socket.fail(loaded.phase, loaded.error)
  const req = upgradeRequest(message, socket)
  const server = loaded.server
  if (server && server.listenerCount('upgrade') > 0) {
    try {
      server.emit('upgrade', req, socket, Buffer.alloc(0))
    } catch (error) {
      socket.fail('handler', toErrorData(error))
    }
    return
  }
  await answer(message, req, socket, loaded, options)
}

/** Run the handler on the upgrade request; a WebSocketPair response opens the WebSocket. */
async function answer(message: UpgradeMessage, req: IncomingMessage, socket: PortSocket, loaded: Extract<LoadedApp, { ok: true }>, options: SocketHostOptions): Promise<void> {
  const abort = new AbortController()
  socket.once('close', () => abort.abort(new DOMException('The client disconnected', 'AbortError')))
  const headers = new Headers()
  for (let i = 0; i < message.headers.length; i += 2) headers.append(message.headers[i]!, message.headers[i + 1]!)
  const task: RequestTask = {
    id: -message.id,
    method: message.method,
    url: message.url,
    headers: message.headers,
    body: null,
    remoteAddress: message.remoteAddress,
    remotePort: message.remotePort,
  }
  let result: unknown
  try {
    const request = new Request(message.url, { method: message.method, headers, signal: abort.signal })
    result = await loaded.fetch(request, options.env, options.context, task)
  } catch (error) {
    return socket.fail('handler', toErrorData(error))
  }
  const end = takeWebSocket(result)
  if (end) {
    const { acceptWebSocket } = await import('./websocket-accept.js')
    return acceptWebSocket(end, result as Response, req, socket, message.maxMessage)
  }
  if (!(result instanceof Response)) {
    return socket.fail('result', {
      name: 'TypeError',
      message: `The handler returned ${describe(result)} for a WebSocket upgrade; expected a Response (a 101 with a WebSocketPair to accept it, any other to refuse it).`,
    })
  }
  await writeResponse(socket, result)
}

/** The request as Node's server hands it to 'upgrade' listeners: head parsed, no body. */
function upgradeRequest(message: UpgradeMessage, socket: PortSocket): IncomingMessage {
  const req = new IncomingMessage(socket as never)
  req.method = message.method
  req.url = message.target
  req.httpVersion = '1.1'
  req.httpVersionMajor = 1
  req.httpVersionMinor = 1
  // Node's own header folding (duplicates joined, set-cookie as a list), as its parser does.
  ;(req as unknown as { _addHeaderLines(headers: string[], n: number): void })._addHeaderLines(message.headers, message.headers.length)
  ;(req as { upgrade?: boolean }).upgrade = true
  req.complete = true
  req.push(null)
  return req
}
