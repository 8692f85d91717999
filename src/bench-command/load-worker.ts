// Runs in a worker thread so that the load generator never shares the event
// loop of the server it measures. The only module that imports autocannon.
import autocannon from 'autocannon'
import { parentPort, workerData } from 'node:worker_threads'
import type { LoadJob, LoadMessage, RawLoadResult } from './load-protocol.js'

const job = workerData as LoadJob
const post = (message: LoadMessage) => parentPort!.postMessage(message)

// autocannon's own latency histogram keeps whole milliseconds, too coarse for
// a handler answering in 0.3 ms, so every response time is kept here as a float.
let latencies = new Float64Array(1 << 16)
let recorded = 0
let good = 0
let bad = 0
let lastSecond = 0
const perSecond: number[] = []
const statuses: Record<string, number> = {}

const instance = autocannon(
  {
    url: job.url,
    method: job.method as autocannon.Request['method'],
    headers: Object.fromEntries(pairs(job.headers)),
    ...(job.body ? { body: Buffer.from(job.body) } : {}),
    connections: job.connections,
    duration: job.durationMs / 1000,
    timeout: 10,
    // autocannon stops only at a sample tick; a short interval makes -d 1500ms last 1.5 s, not 2 s.
    sampleInt: 100,
  },
  (error, result) => {
    clearInterval(sampler)
    if (error) return post({ type: 'failed', message: error.message })
    // Off the main thread autocannon hands back its unaggregated result, whose counters are plain numbers.
    const r = result as unknown as { duration: number; totalCompletedRequests: number; totalBytes: number; errors: number; timeouts: number }
    const raw: RawLoadResult = {
      durationS: r.duration,
      completed: r.totalCompletedRequests,
      good,
      bad,
      errors: r.errors,
      timeouts: r.timeouts,
      bytes: r.totalBytes,
      statuses,
      perSecond,
      latenciesMs: latencies.slice(0, recorded).sort(),
    }
    post({ type: 'done', result: raw })
  },
)

instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
  statuses[statusCode] = (statuses[statusCode] ?? 0) + 1
  const expected = job.expectStatus === undefined ? statusCode >= 200 && statusCode < 300 : statusCode === job.expectStatus
  if (!expected) return void bad++
  good++
  if (recorded === latencies.length) {
    const bigger = new Float64Array(latencies.length * 2)
    bigger.set(latencies)
    latencies = bigger
  }
  latencies[recorded++] = responseTime
})

const started = performance.now()
const sampler = setInterval(() => {
  perSecond.push(good - lastSecond)
  lastSecond = good
  post({ type: 'tick', elapsedMs: performance.now() - started, perSecond: perSecond.at(-1)! })
}, 1000)

function* pairs(flat: string[]): Generator<[string, string]> {
  for (let i = 0; i < flat.length; i += 2) yield [flat[i]!, flat[i + 1]!]
}
