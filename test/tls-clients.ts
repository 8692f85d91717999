// Clients for the HTTPS tests: node:https (HTTP/1.1) and node:http2, both
// verifying the server's certificate against the one given as `ca`, both with
// a deadline.
import { connect, type ClientHttp2Session, type IncomingHttpHeaders as H2Headers } from 'node:http2'
import { request as httpsRequest } from 'node:https'
import type { PeerCertificate, TLSSocket } from 'node:tls'
import { waitFor, withDeadline } from './helpers.js'

export interface TlsReply {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  /** The certificate the server presented. */
  peer: PeerCertificate
  /** 'h2' or 'http/1.1' (false: no ALPN). */
  alpn: string | false
}

export interface RequestOptions {
  method?: string
  headers?: Record<string, string>
  body?: string | Buffer
  timeoutMs?: number
}

/** HTTP/1.1 over TLS, on a fresh connection. */
export function h1(url: string, ca: string, options: RequestOptions = {}): Promise<TlsReply> {
  const { method = 'GET', headers = {}, body, timeoutMs = 10_000 } = options
  const done = new Promise<TlsReply>((resolve, reject) => {
    // ALPN as a browser that has no HTTP/2 would send it (node:https sends none by default).
    const req = httpsRequest(url, { method, headers, ca, agent: false, ...{ ALPNProtocols: ['http/1.1'] } }, (res) => {
      const socket = res.socket as TLSSocket
      const peer = socket.getPeerCertificate()
      const alpn = socket.alpnProtocol ?? false
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (text += chunk))
      res.on('error', reject)
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, peer, alpn }))
    })
    req.on('error', reject)
    req.end(body)
  })
  return withDeadline(done, timeoutMs, `HTTP/1.1 ${method} ${url}`)
}

export interface H2Reply extends Omit<TlsReply, 'peer' | 'alpn'> {
  /** The server reset the stream before the client had sent all of its body. */
  reset: boolean
}

export interface H2Client {
  session: ClientHttp2Session
  /** One request on the session. `body` undefined sends none (END_STREAM with the headers); a body is sent without Content-Length unless `headers` has one. */
  request(path: string, options?: RequestOptions & { authority?: string }): Promise<H2Reply>
  /** A response read piece by piece: `next()` resolves with each chunk as it arrives. */
  stream(path: string): Promise<{ status: number; headers: H2Headers; next(): Promise<string | undefined>; close(): void }>
  peer(): PeerCertificate
  close(): Promise<void>
}

/** An HTTP/2 session (ALPN h2) to `origin`. */
export async function h2(origin: string, ca: string): Promise<H2Client> {
  const session = connect(origin, { ca })
  await withDeadline(
    new Promise<void>((resolve, reject) => {
      session.once('connect', () => resolve())
      session.once('error', reject)
    }),
    10_000,
    `HTTP/2 connect ${origin}`,
  )
  session.on('error', () => {})
  return {
    session,
    request(path, options = {}) {
      const { method = 'GET', headers = {}, body, timeoutMs = 10_000, authority } = options
      const done = new Promise<H2Reply>((resolve, reject) => {
        const stream = session.request(
          { ':method': method, ':path': path, ...(authority ? { ':authority': authority } : {}), ...headers },
          { endStream: body === undefined },
        )
        let status = 0
        let responseHeaders: H2Headers = {}
        let text = ''
        stream.setEncoding('utf8')
        stream.on('response', (h) => {
          status = Number(h[':status'])
          responseHeaders = h
        })
        stream.on('data', (chunk: string) => (text += chunk))
        stream.on('error', reject)
        const settle = (reset: boolean) =>
          status ? resolve({ status, headers: responseHeaders, text, reset }) : reject(new Error(`stream closed without a response (code ${stream.rstCode})`))
        stream.on('end', () => {
          if (stream.writableFinished) return settle(false)
          // The response ended while this side still sends its body: the server must reset the stream
          // (RST_STREAM), or the client waits forever on flow control. Node's client marks it closed, without an event.
          waitFor(() => stream.closed, 5_000, 'the server resets the stream of a body it refused').then(() => {
            settle(true)
            stream.destroy()
          }, reject)
        })
        // Newer Node clients do close a reset stream: its body was then not all sent.
        stream.on('close', () => settle(!stream.writableFinished))
        if (body !== undefined) stream.end(body)
      })
      return withDeadline(done, timeoutMs, `HTTP/2 ${method} ${path}`)
    },
    async stream(path) {
      const stream = session.request({ ':path': path })
      const chunks: string[] = []
      const waiting: ((chunk: string | undefined) => void)[] = []
      let ended = false
      stream.setEncoding('utf8')
      stream.on('data', (chunk: string) => (waiting.length ? waiting.shift()!(chunk) : chunks.push(chunk)))
      const end = () => {
        ended = true
        for (const wake of waiting.splice(0)) wake(undefined)
      }
      stream.on('end', end)
      stream.on('close', end)
      const headers = await withDeadline(new Promise<H2Headers>((resolve) => stream.once('response', resolve)), 10_000, `HTTP/2 response head of ${path}`)
      return {
        status: Number(headers[':status']),
        headers,
        next: () =>
          withDeadline(
            chunks.length || ended ? Promise.resolve(chunks.shift()) : new Promise<string | undefined>((resolve) => waiting.push(resolve)),
            10_000,
            `a chunk of ${path}`,
          ),
        close: () => stream.close(),
      }
    },
    peer: () => (session.socket as TLSSocket).getPeerCertificate(),
    close: () => withDeadline(new Promise<void>((resolve) => session.close(resolve)), 10_000, 'HTTP/2 session close'),
  }
}
