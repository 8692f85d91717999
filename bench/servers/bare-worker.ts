// A bare thread hop, no hotcell code: node:http on the main thread posts
// each request to one raw Worker, which answers with a string; the main
// thread ends the response with it. What a request hop costs at the least.
//   node bare-worker.js   (forked, IPC: sends { type: 'ready', url })
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Worker } from 'node:worker_threads'

const worker = new Worker(
  `const { parentPort } = require('node:worker_threads')
   parentPort.on('message', (m) => parentPort.postMessage([m[0], 'Hello, world!']))`,
  { eval: true },
)
const waiting = new Map<number, ServerResponse>()
let next = 0
worker.on('message', ([id, body]: [number, string]) => {
  const res = waiting.get(id)!
  waiting.delete(id)
  res.setHeader('content-type', 'text/plain; charset=utf-8')
  res.end(body)
})
const server = createServer((req, res) => {
  const id = ++next
  waiting.set(id, res)
  worker.postMessage([id, req.method, req.url])
})
server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })
})
const stop = () => server.close(() => process.exit(0))
process.once('SIGTERM', stop)
process.once('disconnect', stop)
