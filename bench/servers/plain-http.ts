// The reference every request-path figure is a ratio of: plain node:http
// answering `Hello, world!` with one res.end(), as its own process. GET
// /size/<n> answers n bytes instead, as bench/apps/sized.ts does.
//   node plain-http.js   (forked, IPC: sends { type: 'ready', url })
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

const sized = new Map<string, string>()
const server = createServer((req, res) => {
  res.setHeader('content-type', 'text/plain; charset=utf-8')
  if (req.url === '/') return void res.end('Hello, world!')
  let body = sized.get(req.url!)
  if (body === undefined) {
    body = 'x'.repeat(Number(req.url!.slice('/size/'.length)) || 0)
    sized.set(req.url!, body)
  }
  res.end(body)
})
server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })
})
const stop = () => server.close(() => process.exit(0))
process.once('SIGTERM', stop)
process.once('disconnect', stop)
