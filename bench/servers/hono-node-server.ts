// The Hono app on @hono/node-server as its own process, for bench/throughput:
//   node hono-node-server.js <bundleUrl>   (forked, IPC: sends { type: 'ready', url })
// The only module that imports @hono/node-server.
import { serve } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { installModuleMeta } from '../../workers/module-meta.js'

const [bundleUrl] = process.argv.slice(2) as [string]
// The bundle's import.meta.url and __dirname read this (workers/module-meta.ts).
installModuleMeta()
const app = ((await import(bundleUrl)) as { default: { fetch: (request: Request) => Response | Promise<Response> } }).default
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${info.port}` })
})
const stop = () => server.close(() => process.exit(0))
process.once('SIGTERM', stop)
process.once('disconnect', stop)
