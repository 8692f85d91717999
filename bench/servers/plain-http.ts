// The reference every request-path figure is a ratio of: plain node:http
// answering `Hello, world!` with one res.end(), as its own process.
//   node plain-http.js   (forked, IPC: sends { type: 'ready', url })
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

const server = createServer((_req, res) => {
  res.setHeader('content-type', 'text/plain; charset=utf-8')
  res.end('Hello, world!')
})
server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })
})
const stop = () => server.close(() => process.exit(0))
process.once('SIGTERM', stop)
process.once('disconnect', stop)
