// For bench/accuracy only: Node's own HTTP client, one keep-alive socket per
// connection, in the same layout and with the same recorder as hotcell bench's
// generator: what a generator without any dependency would cost.
import { Agent, request } from 'node:http'
import { parentPort, workerData } from 'node:worker_threads'
import type { LoadJob, LoadMessage } from '../../src/bench-command/load-protocol.js'
import { LoadRecorder } from '../../src/bench-command/load-recorder.js'

const job = workerData as LoadJob
const post = (message: LoadMessage) => parentPort!.postMessage(message)
const recorder = new LoadRecorder(job.expectStatus, post)
const url = new URL(job.url)
const agent = new Agent({ keepAlive: true, maxSockets: job.connections })
const headers = Object.fromEntries(Array.from({ length: job.headers.length / 2 }, (_, i) => [job.headers[2 * i]!, job.headers[2 * i + 1]!]))
let running = true

function send(): void {
  if (!running) return
  const sentAt = performance.now()
  const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: job.method, headers, agent, timeout: 10_000 }, (res) => {
    res.on('data', (chunk: Buffer) => (recorder.bytes += chunk.byteLength))
    res.on('end', () => {
      if (!running) return
      recorder.response(res.statusCode!, performance.now() - sentAt)
      send()
    })
  })
  req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })))
  req.on('error', (error: NodeJS.ErrnoException) => {
    if (!running) return
    if (error.code === 'TIMEOUT') recorder.timeouts++
    else recorder.errors++
    setImmediate(send)
  })
  req.end(job.body)
}

for (let i = 0; i < job.connections; i++) send()
setTimeout(() => {
  running = false
  const result = recorder.finish()
  agent.destroy()
  post({ type: 'done', result })
}, job.durationMs)
