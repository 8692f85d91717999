// For bench/accuracy only: undici's promise API (client.request, a body stream
// per response) instead of dispatch(), to see what the convenience costs.
import { parentPort, workerData } from 'node:worker_threads'
import { Client } from 'undici'
import type { LoadJob, LoadMessage } from '../../src/bench-command/load-protocol.js'
import { LoadRecorder } from '../../src/bench-command/load-recorder.js'

const job = workerData as LoadJob
const post = (message: LoadMessage) => parentPort!.postMessage(message)
const recorder = new LoadRecorder(job.expectStatus, post)
const url = new URL(job.url)
let running = true

async function loop(client: Client): Promise<void> {
  while (running) {
    const sentAt = performance.now()
    try {
      const res = await client.request({ path: url.pathname + url.search, method: job.method, headers: job.headers, body: job.body ?? null, idempotent: true })
      for await (const chunk of res.body) recorder.bytes += (chunk as Buffer).byteLength
      if (running) recorder.response(res.statusCode, performance.now() - sentAt)
    } catch (error) {
      if (!running) return
      if (/TIMEOUT/.test((error as { code?: string }).code ?? '')) recorder.timeouts++
      else recorder.errors++
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
}

const clients = Array.from({ length: job.connections }, () => new Client(url.origin, { pipelining: 1, headersTimeout: 10_000, bodyTimeout: 10_000 }))
for (const client of clients) void loop(client)
setTimeout(() => {
  running = false
  const result = recorder.finish()
  void Promise.allSettled(clients.map((c) => c.destroy())).then(() => post({ type: 'done', result }))
}, job.durationMs)
