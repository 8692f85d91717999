// The handshake and framing of a fetch handler's WebSocketPair, by `ws` — the
// only module that imports it, loaded with the first such WebSocket.
//
// Why `ws`: it is the WebSocket implementation of the Node ecosystem (what
// Express, socket.io and @hono/node-server apps bring themselves), kept to
// RFC 6455 against the Autobahn suite; a framer of our own would repeat it.
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import type { WebSocketEnd } from './websocket-pair.js'

// Headers of the handshake that `ws` writes itself.
const HANDSHAKE = new Set([
  'upgrade',
  'connection',
  'sec-websocket-accept',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
  'content-length',
  'transfer-encoding',
])

/**
 * Finish the handshake for `response` on the connection and connect its pair's
 * server end to it. The app chooses the subprotocol with a
 * `Sec-WebSocket-Protocol` header on the 101 response; other headers (cookies) go out with it.
 */
export function acceptWebSocket(server: WebSocketEnd, response: Response, req: IncomingMessage, socket: Duplex, maxMessage: number): void {
  const chosen = response.headers.get('sec-websocket-protocol') ?? undefined
  const extra: string[] = []
  for (const [name, value] of response.headers) if (!HANDSHAKE.has(name)) extra.push(`${name}: ${value}`)
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: maxMessage,
    perMessageDeflate: false,
    handleProtocols: (offered) => (chosen !== undefined && offered.has(chosen) ? chosen : false),
  })
  wss.on('headers', (headers: string[]) => headers.push(...extra))
  server.url = `ws${socketIsSecure(socket) ? 's' : ''}://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`
  wss.handleUpgrade(req, socket, Buffer.alloc(0), (ws) => server.attach(ws))
}

function socketIsSecure(socket: Duplex): boolean {
  return (socket as { encrypted?: boolean }).encrypted === true
}
