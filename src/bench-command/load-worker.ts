// Runs in a worker thread so that the load generator never shares the event
// loop of the server it measures. The only module that imports undici (the
// Node team's HTTP client, the code under Node's own fetch; one package, no
// dependencies).
//
// One undici Client per connection, one request in flight on each (no
// pipelining, like wrk): when a response ends, the next request goes out on
// the same connection. dispatch() with a handler object is undici's lowest
// layer: no promise, stream or body object per request. On a 2-core machine
// the generator's CPU is taken from the server it measures, and measured
// there (docs/benchmarks.md) client.request() cost 1.2× and node:http's
// client 1.5–2× the CPU per request of dispatch(), which matched autocannon's.
import { parentPort, workerData } from 'node:worker_threads'
import { buildConnector, Client, type Dispatcher } from 'undici'
import type { LoadJob, LoadMessage } from './load-protocol.js'
import { LoadRecorder } from './load-recorder.js'
import { SocketBytes } from './socket-bytes.js'

const job = workerData as LoadJob
const post = (message: LoadMessage) => parentPort!.postMessage(message)
const url = new URL(job.url)
const TIMEOUT_MS = 10_000
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])
const request: Dispatcher.DispatchOptions = {
  path: url.pathname + url.search,
  method: job.method,
  headers: job.headers,
  body: job.body ?? null,
  // A bench repeats the request whatever its method: never hold it back as non-idempotent.
  idempotent: true,
  blocking: false,
}
// Transfer is counted on the sockets, as wrk counts it: whole responses, not only their bodies.
const socketBytes = new SocketBytes()
// HTTP/1.1 (undici offers h2 only when asked). The server is one `hotcell bench` started, with the
// self-signed certificate of --https: like wrk, the load does not verify it. Given a connector of
// its own, undici no longer applies connectTimeout: the connector takes it.
const connector = buildConnector({ rejectUnauthorized: false, timeout: TIMEOUT_MS })
const options: Client.Options = {
  pipelining: 1,
  headersTimeout: TIMEOUT_MS,
  bodyTimeout: TIMEOUT_MS,
  connect: (connectOptions, callback) =>
    connector(connectOptions, (...args) => {
      if (args[1]) socketBytes.watch(args[1])
      callback(...args)
    }),
}

const recorder = new LoadRecorder(job.expectStatus, post)
let running = true

class Connection implements Dispatcher.DispatchHandler {
  readonly client = new Client(url.origin, options)
  #sentAt = 0
  #status = 0

  send(): void {
    if (!running) return
    this.#sentAt = performance.now()
    this.client.dispatch(request, this)
  }

  // Its presence tells undici that this handler speaks the current (controller) interface.
  onRequestStart(): void {}

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.#status = statusCode
  }

  onResponseEnd(): void {
    if (!running) return
    recorder.response(this.#status, performance.now() - this.#sentAt)
    this.send()
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (!running) return
    if (TIMEOUT_CODES.has((error as { code?: string }).code ?? '')) recorder.timeouts++
    else recorder.errors++
    // A refused or reset connection fails at once: retry on the next turn of the event loop, not in a tight loop.
    setImmediate(() => this.send())
  }
}

const connections = Array.from({ length: job.connections }, () => new Connection())
for (const connection of connections) connection.send()

setTimeout(() => {
  running = false
  recorder.bytes = socketBytes.total()
  const result = recorder.finish()
  // Requests still in flight at the deadline are not counted (as wrk does); the caller drains the server.
  void Promise.allSettled(connections.map((c) => c.client.destroy())).then(() => post({ type: 'done', result }))
}, job.durationMs)
