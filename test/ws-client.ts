// A WebSocket client for tests: the `ws` library over a real socket, with a
// deadline on every wait.
import { WebSocket, type ClientOptions } from 'ws'
import { withDeadline } from './helpers.js'

export interface Message {
  text?: string
  bytes?: Buffer
}

export interface Client {
  readonly ws: WebSocket
  /** The next message not read yet. */
  next(ms?: number): Promise<Message>
  /** The next text message. */
  text(ms?: number): Promise<string>
  /** Resolves when the connection closed, with the code and reason the client saw. */
  closed(ms?: number): Promise<{ code: number; reason: string }>
}

/** Connect to `url` (http:// is turned into ws://); rejects with the HTTP status if the server refused. */
export async function connect(url: string, options: ClientOptions & { protocols?: string[] } = {}): Promise<Client> {
  const { protocols, ...rest } = options
  const ws = new WebSocket(url.replace(/^http/, 'ws'), protocols, { handshakeTimeout: 10_000, ...rest })
  const queue: Message[] = []
  const waiting: Array<(message: Message) => void> = []
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const message = isBinary ? { bytes: data } : { text: data.toString() }
    const take = waiting.shift()
    if (take) take(message)
    else queue.push(message)
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })))
  await withDeadline(
    new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('unexpected-response', (_req, res) => {
        res.resume()
        reject(new HandshakeRefused(res.statusCode ?? 0))
      })
      ws.once('error', reject)
    }),
    15_000,
    `WebSocket connection to ${url}`,
  )
  const next = (ms = 10_000) =>
    withDeadline(
      new Promise<Message>((resolve) => {
        const queued = queue.shift()
        if (queued) resolve(queued)
        else waiting.push(resolve)
      }),
      ms,
      `a message on ${url}`,
    )
  return {
    ws,
    next,
    async text(ms) {
      const message = await next(ms)
      if (message.text === undefined) throw new Error(`expected a text message, got ${message.bytes?.byteLength} binary bytes`)
      return message.text
    },
    closed: (ms = 10_000) => withDeadline(closed, ms, `the close of ${url}`),
  }
}

export class HandshakeRefused extends Error {
  constructor(readonly status: number) {
    super(`the server answered the WebSocket handshake with ${status}`)
  }
}

/** The HTTP status a refused handshake got (fails if the server accepted it). */
export async function refusedWith(url: string, options: ClientOptions = {}): Promise<number> {
  try {
    const client = await connect(url, options)
    client.ws.terminate()
  } catch (error) {
    if (error instanceof HandshakeRefused) return error.status
    throw error
  }
  throw new Error(`the WebSocket handshake to ${url} was accepted`)
}
