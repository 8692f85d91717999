// The Express hello app on node:http, as its users run it, for bench/throughput:
//   node express-http.js <bundleUrl>   (forked, IPC: sends { type: 'ready', url })
import { createServer, type RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'
import { installModuleMeta } from '../../workers/module-meta.js'

const [bundleUrl] = process.argv.slice(2) as [string]
// The bundle's import.meta.url and __dirname read this (workers/module-meta.ts).
installModuleMeta()
const app = ((await import(bundleUrl)) as { default: RequestListener }).default
const server = createServer(app)
server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })
})
const stop = () => server.close(() => process.exit(0))
process.once('SIGTERM', stop)
process.once('disconnect', stop)
