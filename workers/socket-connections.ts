// The connections of one worker (socket-host.ts loads this module with the
// first one). The app gets each the way it expects:
// - a server it started (listen() captured) with an 'upgrade' listener gets
//   'upgrade' with a socket-like Duplex, as from Node's server: the `ws`
//   library, socket.io, @hono/node-server's WebSocket helper work unchanged
//   (which server, when there are several or a default export too:
//   captured-servers.ts);
// - otherwise the handler answers the request: a fetch handler may return
//   Workers' 101 Response with a WebSocketPair; any other answer is sent as
//   HTTP and the connection closes (Node does the same with no 'upgrade' listener).
import type { IncomingMessage } from 'node:http'
import type { MessagePort } from 'node:worker_threads'
import { CLIENT_LEFT_REASON, type RequestTask } from '../src/pool/protocol.js'
import type { Connection, ToMain, ToWorker } from '../src/pool/socket-protocol.js'
import { describe, toErrorData } from './error-data.js'
import { BatchWriter, readBatch, type Batch } from './socket-batch.js'
import type { LoadedApp, ServerRequest } from './loaded-app.js'
import type { SocketHostOptions } from './socket-host.js'
import { TunnelSocket, type SocketLink } from './tunnel-socket.js'
import { writeResponse } from './raw-response.js'
import { takeWebSocket } from './websocket-pair.js'
import { upgradeServer } from './captured-servers.js'

// Not an ESM import of node:http (docs/architecture.md#builtins).
const { IncomingMessage: NodeIncomingMessage } = process.getBuiltinModule('node:http')

/** Serve the connections main sends on `port`; returns what takes each batch. */
export function serveConnections(port: MessagePort, options: SocketHostOptions): (batch: Batch) => void {
  const sockets = new Map<number, TunnelSocket>()
  // What the sockets send in one turn leaves as one message (as on main's side).
  const outbox = new BatchWriter<ToMain>()
  let scheduled = false
  const flush = () => {
    scheduled = false
    if (outbox.empty) return
    const { batch, transfer } = outbox.take()
    port.postMessage(batch, transfer)
  }
  const link: SocketLink = {
    send(message) {
      outbox.add(message)
      if (!scheduled) {
        scheduled = true
        setImmediate(flush)
      }
    },
    done: (id) => sockets.delete(id),
  }
  return (batch) =>
    readBatch<ToWorker>(batch, (message) => {
      if (message.t !== 'open') return sockets.get(message.id)?.receive(message)
      const socket = new TunnelSocket(message.id, message, link)
      sockets.set(message.id, socket)
      accept(socket, message, options).catch((error: unknown) => {
        console.error(`hotcell: an upgrade failed inside hotcell: ${(error as Error)?.stack ?? String(error)}`)
        socket.destroy()
      })
    })
}

async function accept(socket: TunnelSocket, message: Connection & { id: number }, options: SocketHostOptions): Promise<void> {
  const loaded = await options.app()
  if (!loaded.ok) return socket.fail(loaded.phase, loaded.error)
  const req = upgradeRequest(message, socket)
  const server = upgradeServer(loaded.server)
  if (server) {
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
async function answer(
  message: Connection & { id: number },
  req: IncomingMessage,
  socket: TunnelSocket,
  loaded: Extract<LoadedApp, { ok: true }>,
  options: SocketHostOptions,
): Promise<void> {
  const abort = new AbortController()
  socket.once('close', () => abort.abort(new DOMException(CLIENT_LEFT_REASON.message, CLIENT_LEFT_REASON.name)))
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
    // A native Request (an upgrade has no body to read lazily), with the client's address as a fetch handler's has it.
    const request = Object.defineProperty(new Request(message.url, { method: message.method, headers, signal: abort.signal }), 'ip', {
      value: message.remoteAddress,
      enumerable: true,
    }) as ServerRequest
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
function upgradeRequest(message: Connection, socket: TunnelSocket): IncomingMessage {
  const req = new NodeIncomingMessage(socket as never)
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
