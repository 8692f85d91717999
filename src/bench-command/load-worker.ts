// Runs in a worker thread so that the load generator never shares the event
// loop of the server it measures. The only module that imports autocannon.
import autocannon from 'autocannon'
import { parentPort, workerData } from 'node:worker_threads'
import type { LoadJob, LoadMessage } from './load-protocol.js'
import { LoadRecorder } from './load-recorder.js'

const job = workerData as LoadJob
const post = (message: LoadMessage) => parentPort!.postMessage(message)
const recorder = new LoadRecorder(job.expectStatus, post)
const pairs = Array.from({ length: job.headers.length / 2 }, (_, i) => [job.headers[2 * i]!, job.headers[2 * i + 1]!])

const instance = autocannon(
  {
    url: job.url,
    method: job.method as autocannon.Request['method'],
    headers: Object.fromEntries(pairs),
    ...(job.body ? { body: Buffer.from(job.body) } : {}),
    connections: job.connections,
    duration: job.durationMs / 1000,
    timeout: 10,
    // autocannon stops only at a sample tick; a short interval makes -d 1500ms last 1.5 s, not 2 s.
    sampleInt: 100,
  },
  (error, result) => {
    if (error) return post({ type: 'failed', message: error.message })
    // Off the main thread autocannon hands back its unaggregated result, whose counters are plain numbers.
    const r = result as unknown as { duration: number; totalBytes: number; errors: number; timeouts: number }
    recorder.errors = r.errors
    recorder.timeouts = r.timeouts
    recorder.bytes = r.totalBytes
    post({ type: 'done', result: recorder.finish(r.duration) })
  },
)
// autocannon's own latency histogram keeps whole milliseconds, too coarse for
// a handler answering in 0.3 ms: the recorder keeps every response time as a float.
instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => recorder.response(statusCode, responseTime))
