// The server of --https: TLS, HTTP/2 for clients that offer it in ALPN (every
// browser), HTTP/1.1 for the others (curl without --http2, WebSocket upgrades,
// load generators). Imported only with TLS: node:http2 alone costs ~10 ms of
// start-up.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createSecureServer, type Http2SecureServer, type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from 'node:http2'
import type { Socket } from 'node:net'
import { H2Request, H2Response } from './h2-compat.js'

// Not an ESM import of node:http (docs/architecture.md#builtins).
const { Server: Http1Server } = process.getBuiltinModule('node:http')

export interface SecureServerOptions {
  key: string
  cert: string
  /** node:http's limits, applied to the HTTP/1.1 connections. */
  http1: { headersTimeout: number; requestTimeout: number; keepAliveTimeout: number; connectionsCheckingInterval: number }
}

export interface SecureServer {
  server: Http2SecureServer
  /** After close(): idle HTTP/1.1 connections end now; HTTP/2 sessions are told (GOAWAY) and end once their streams did. */
  closeIdle(): void
  /** Every connection, whatever it is doing. */
  closeAll(): void
}

// Streams at once on one HTTP/2 connection (nginx's default). A browser
// loading many modules stays far below; each stream is a request a worker
// may have to answer.
const MAX_CONCURRENT_STREAMS = 128
// A client that connects and never finishes the handshake holds a connection slot.
const HANDSHAKE_TIMEOUT_MS = 10_000

const PLAIN_HTTP_BODY = 'This port speaks HTTPS: use https:// in the address, not http://\n'
const PLAIN_HTTP_ANSWER =
  'HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\n' +
  `content-length: ${Buffer.byteLength(PLAIN_HTTP_BODY)}\r\nconnection: close\r\n\r\n${PLAIN_HTTP_BODY}`

export function createSecureHttpServer(options: SecureServerOptions, handler: (req: IncomingMessage, res: ServerResponse) => void): SecureServer {
  const server = createSecureServer(
    {
      key: options.key,
      cert: options.cert,
      allowHTTP1: true,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      settings: { maxConcurrentStreams: MAX_CONCURRENT_STREAMS },
      Http2ServerRequest: H2Request as unknown as typeof Http2ServerRequest,
      Http2ServerResponse: H2Response as unknown as typeof Http2ServerResponse,
    },
    // The compatibility objects stand in for node:http's (h2-compat.ts).
    handler as unknown as (req: Http2ServerRequest, res: Http2ServerResponse) => void,
  )
  // The HTTP/1.1 side reads node:http's settings off the server object (Node 20 takes none as options).
  Object.assign(server, options.http1, { insecureHTTPParser: false })

  const sessions = new Set<Http2Session>()
  server.on('session', (session: Http2Session) => {
    sessions.add(session)
    session.once('close', () => sessions.delete(session))
  })
  // http:// to this port: OpenSSL reads the request line as a bad record, and
  // the client got an empty reply. It gets a plain-text 400 that says why,
  // written on the TCP socket under the failed handshake.
  server.on('tlsClientError', (error: NodeJS.ErrnoException, tls: { _parent?: Socket }) => {
    const raw = tls._parent
    if (error.code !== 'ERR_SSL_HTTP_REQUEST' || !raw || raw.destroyed || !raw.writable) return
    raw.end(PLAIN_HTTP_ANSWER)
  })
  // The TCP connections under everything, handshakes included; also those the supervisor hands over.
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  return {
    server,
    closeIdle() {
      // Present since Node 18.2 for servers with allowHTTP1; missing from @types/node's Http2SecureServer.
      ;(server as Http2SecureServer & { closeIdleConnections(): void }).closeIdleConnections()
      for (const session of sessions) session.close()
    },
    closeAll() {
      ;(Http1Server.prototype.closeAllConnections as (this: unknown) => void).call(server)
      for (const session of sessions) session.destroy()
      for (const socket of sockets) socket.destroy()
    },
  }
}
