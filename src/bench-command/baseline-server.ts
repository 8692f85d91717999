// A child process: the user's handler inline on a plain node:http server, the
// number hotcell's isolation is measured against. It imports the same esbuild
// bundle the workers import. A Node-style handler gets node:http's own req and
// res from this server, as when the user runs it without hotcell: passed
// through hotcell's in-memory req/res (node-exchange.ts), which exists only to
// carry a response across the thread hop, a hello handler did half the req/s
// of plain node:http and hotcell looked 0.9x where it is 0.4x. A fetch handler
// is adapted req -> Request and Response -> res the way a good in-process
// adapter does (@hono/node-server, srvx): the handler gets a Request that
// builds undici's object only when something needs it, `new Response(string |
// bytes)` builds no stream, and such a body is written with one writeHead()
// and one end(). A naive adapter (a native Request and Response per request)
// cost more than the thread hop on Node 20, which made isolation look free.
// Usage (fork, with IPC):
//   node baseline-server.js <bundleUrl> <entryLabel> <auto|fetch|node> <http|https>
// With https: node:https with the certificate of hotcell --https (HTTP/1.1,
// what the load generators speak), so that both pay for TLS.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ReadableStreamDefaultReader, ReadableStreamReadResult } from 'node:stream/web'
import { loadApp } from '../../workers/app-loader.js'
import type { AppFunction, ServerRequest } from '../../workers/loaded-app.js'
import type { NodeHandler } from '../../workers/node-adapter.js'
import { installFastResponse, isResponse } from '../../workers/fast-response.js'
import { watchFetchGlobals } from '../../workers/fetch-api.js'
import { installLazyRequest, LazyRequest } from '../../workers/lazy-request.js'
import { givenResponse } from '../../workers/respond.js'
import type { RequestTask } from '../pool/protocol.js'
import { devCertificate } from '../http/tls/dev-certificate.js'

// Not ESM imports of node:http and node:https (docs/architecture.md#builtins).
const { createServer } = process.getBuiltinModule('node:http')
const { createServer: createTlsServer } = process.getBuiltinModule('node:https')

export type BaselineMessage = { type: 'ready'; port: number } | { type: 'failed'; message: string } | { type: 'abandoned'; arrivals: number[] }
/** From the bench: which requests did clients leave unanswered since the last ask (hotcell's own count: http/abandoned-requests.ts). */
export type BaselineQuery = { type: 'abandoned?' }

const [bundleUrl, entry, style, scheme] = process.argv.slice(2) as [string, string, 'auto' | 'fetch' | 'node', 'http' | 'https']
const send = (message: BaselineMessage) => process.send?.(message)
// The parent going away ends this process, so a killed bench leaves nothing behind.
process.on('disconnect', () => process.exit(0))

// Before the bundle: the handler's Request and Response are these, as in a worker.
installFastResponse()
installLazyRequest()
watchFetchGlobals()

/** A Node handler with the `this` Node's server would give it (the app's own server, when it called listen()). */
type App = { fetch: AppFunction } | { node: NodeHandler; self: unknown }

// Bind before loading the app: loadApp patches listen() so that entries which
// start their own server are captured, and that would capture ours too.
let app: App | undefined
// As hotcell's dispatch notes them: the bench counts requests still unanswered when a run ended.
let abandoned: number[] = []
process.on('message', (message: BaselineQuery) => {
  if (message.type !== 'abandoned?') return
  send({ type: 'abandoned', arrivals: abandoned })
  abandoned = []
})
const listener = (req: IncomingMessage, res: ServerResponse) => {
  const arrivedAt = Date.now()
  res.on('close', () => {
    if (!res.writableFinished) abandoned.push(arrivedAt)
  })
  if ('node' in app!) runNode(app, req, res)
  else handle(app!.fetch, req, res)
}
const server = scheme === 'https' ? createTlsServer(await devCertificate({ host: '127.0.0.1' }), listener) : createServer(listener)
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const loaded = await loadApp(bundleUrl, entry, style)
if (!loaded.ok) {
  send({ type: 'failed', message: loaded.error.message.split('\n')[0] ?? loaded.error.name })
} else {
  app = loaded.handler ? { node: loaded.handler, self: loaded.server ?? server } : { fetch: loaded.fetch }
  send({ type: 'ready', port: (server.address() as AddressInfo).port })
}

const env = process.env as Record<string, string | undefined>
const ctx = { waitUntil() {}, passThroughOnException() {} }
// A fetch handler never looks at the task: only hotcell's Node adapter reads it.
const NO_TASK = undefined as unknown as RequestTask

/**
 * As node:http runs its 'request' listener, except that a throw or a rejected
 * promise fails this request instead of the process: a server that died
 * mid-run would be measured as failed requests.
 */
function runNode(app: { node: NodeHandler; self: unknown }, req: IncomingMessage, res: ServerResponse): void {
  let result: unknown
  try {
    result = app.node.call(app.self, req, res)
  } catch (error) {
    failed(res, error)
    return
  }
  if (typeof (result as { then?: unknown } | undefined)?.then === 'function')
    (result as Promise<unknown>).then(undefined, (error: unknown) => failed(res, error))
}

function handle(fetch: AppFunction, req: IncomingMessage, res: ServerResponse): void {
  const method = req.method ?? 'GET'
  if (method === 'GET' || method === 'HEAD') {
    run(fetch, req, res, method, null)
    return
  }
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    const body = Buffer.concat(chunks)
    run(fetch, req, res, method, body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer)
  })
  req.on('error', () => res.destroy())
}

function run(fetch: AppFunction, req: IncomingMessage, res: ServerResponse, method: string, body: ArrayBuffer | null): void {
  const url = `${scheme}://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`
  let result: unknown
  try {
    const ip = req.socket.remoteAddress ?? ''
    result = fetch(new LazyRequest({ method, url, headers: req.rawHeaders, body, ip }) as unknown as ServerRequest, env, ctx, NO_TASK)
  } catch (error) {
    failed(res, error)
    return
  }
  if (result instanceof Promise)
    result.then(
      (response: unknown) => write(res, response),
      (error: unknown) => failed(res, error),
    )
  else write(res, result)
}

function write(res: ServerResponse, response: unknown): void {
  if (!isResponse(response)) {
    failed(res, new TypeError('the handler did not return a Response'))
    return
  }
  let given: ReturnType<typeof givenResponse>
  try {
    given = givenResponse(response)
  } catch (error) {
    failed(res, error)
    return
  }
  if (given) {
    const body = given.body === null || typeof given.body === 'string' ? given.body : Buffer.from(given.body)
    const headers = given.headers
    // As hotcell's main thread does: a length, not chunked encoding.
    if (body !== null && !hasLength(headers)) headers.push('content-length', String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength))
    res.writeHead(given.status, given.statusText || undefined, headers)
    // A string goes out with the head, in one write.
    res.end(body ?? undefined)
    return
  }
  void writeNative(res, response).catch((error: unknown) => failed(res, error))
}

/**
 * Any other Response, as hotcell's worker reads it: what the body has ready
 * now is drained without waiting (then it goes out whole, with a length), a
 * body still being produced is streamed, waiting for the socket to drain.
 */
async function writeNative(res: ServerResponse, response: Response): Promise<void> {
  const headers: string[] = []
  for (const [name, value] of response.headers) headers.push(name, value)
  if (!response.body) {
    res.writeHead(response.status, response.statusText || undefined, headers)
    return void res.end()
  }
  const reader = response.body.getReader() as unknown as ReadableStreamDefaultReader<Uint8Array>
  const early: Uint8Array[] = []
  let size = 0
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined
  for (;;) {
    const read = reader.read()
    const result: ReadableStreamReadResult<Uint8Array> | typeof NOT_YET = await Promise.race([read, Promise.resolve().then((): typeof NOT_YET => NOT_YET)])
    if (result === NOT_YET) {
      pending = read
      break
    }
    if (result.done) {
      const body = Buffer.concat(early)
      if (!hasLength(headers)) headers.push('content-length', String(body.byteLength))
      res.writeHead(response.status, response.statusText || undefined, headers)
      return void res.end(body)
    }
    early.push(result.value)
    size += result.value.byteLength
    // hotcell streams what is bigger than this (respond.ts): so does the baseline.
    if (size > 64 * 1024) break
  }
  res.writeHead(response.status, response.statusText || undefined, headers)
  res.once('close', () => void reader.cancel().catch(() => {}))
  for (const chunk of early) res.write(chunk)
  for (;;) {
    const { done, value } = await (pending ?? reader.read())
    pending = undefined
    if (done) return void res.end()
    if (res.destroyed) return
    if (!res.write(value)) await new Promise((resolve) => res.once('drain', resolve))
  }
}

const NOT_YET: unique symbol = Symbol('not yet')

function failed(res: ServerResponse, error: unknown): void {
  if (res.headersSent) return void res.destroy()
  res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
  res.end(`baseline: the handler failed: ${(error as Error)?.message ?? String(error)}\n`)
}

function hasLength(flat: string[]): boolean {
  for (let i = 0; i < flat.length; i += 2) if (flat[i]!.toLowerCase() === 'content-length') return true
  return false
}
