// The floor of hotcell's request path under load, with no hotcell code:
// node:http on the main thread, one raw Worker answering with a string, and
// both directions batched per event-loop turn (setImmediate) as hotcell's
// lane does (src/pool/lane.ts). What `hello-1` in bench/throughput.ts would
// read if hotcell's own per-request work cost nothing.
//   node batched-hop.js   (forked, IPC: sends { type: 'ready', url })
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Worker } from 'node:worker_threads'

const worker = new Worker(
  `const { parentPort } = require('node:worker_threads')
   let out = []
   const flush = () => { const batch = out; out = []; parentPort.postMessage(batch) }
   parentPort.on('message', (batch) => {
     if (out.length === 0) setImmediate(flush)
     for (let i = 0; i < batch.length; i += 4) out.push(batch[i], 200, ['content-type', 'text/plain; charset=utf-8'], 'Hello, world!')
   })`,
  { eval: true },
)
const waiting = new Map<number, ServerResponse>()
worker.on('message', (replies: unknown[]) => {
  for (let i = 0; i < replies.length; i += 4) {
    const res = waiting.get(replies[i] as number)!
    waiting.delete(replies[i] as number)
    const body = replies[i + 3] as string
    res.writeHead(replies[i + 1] as number, [...(replies[i + 2] as string[]), 'content-length', String(Buffer.byteLength(body))])
    res.end(body)
  }
})
let next = 0
let outbox: unknown[] = []
const flush = () => {
  const batch = outbox
  outbox = []
  worker.postMessage(batch)
}
const server = createServer((req, res) => {
  const id = ++next
  waiting.set(id, res)
  if (outbox.length === 0) setImmediate(flush)
  outbox.push(id, req.method, req.url, req.rawHeaders)
})
server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })
})
const stop = () => server.close(() => process.exit(0))
process.once('SIGTERM', stop)
process.once('disconnect', stop)
