// The design hotcell did not take, for bench/websocket: the main thread
// terminates the WebSocket (ws does the framing there) and hands each whole
// message to a worker thread, which echoes it back. One postMessage per
// message each way, no flow control: a lower bound on that design's cost.
//   (forked, IPC: { type: 'ready', url })
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Worker } from 'node:worker_threads'
import { WebSocketServer, type WebSocket } from 'ws'

const worker = new Worker(
  `const { parentPort } = require('node:worker_threads')
   parentPort.on('message', (m) => parentPort.postMessage(m))`,
  { eval: true },
)
const sockets = new Map<number, WebSocket>()
let nextId = 0
worker.on('message', (m: { id: number; data: Uint8Array; binary: boolean }) => sockets.get(m.id)?.send(m.data, { binary: m.binary }))

const server = http.createServer((_req, res) => res.end('ws echo'))
new WebSocketServer({ server }).on('connection', (ws) => {
  const id = ++nextId
  sockets.set(id, ws)
  ws.on('close', () => sockets.delete(id))
  ws.on('message', (data: Buffer, binary: boolean) => worker.postMessage({ id, data, binary }))
})
server.listen(0, '127.0.0.1', () => process.send?.({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }))
process.once('disconnect', () => process.exit(0))
