// How much a Node (req, res) handler costs per request through the adapter
// hotcell uses (workers/node-adapter.ts: Node's IncomingMessage and
// ServerResponse on an in-memory socket that takes the response as written),
// compared with a real http.Server fed an in-memory socket (HTTP written and
// parsed once more). Same thread, sequential, no pool: the adapter only.
//   npm run build && node dist/bench/node-adapter.bench.js [requests]
import { createServer, request, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http'
import { Duplex, Readable } from 'node:stream'
import { createRequire } from 'node:module'
import { nodeToFetch } from '../workers/node-adapter.js'
import { fastParts, installFastResponse } from '../workers/fast-response.js'
import type { RequestTask } from '../src/pool/protocol.js'

const N = Number(process.argv[2] ?? 3000)

const plain = (_req: IncomingMessage, res: ServerResponse) => {
  res.setHeader('content-type', 'application/json')
  res.end('{"hello":"world"}')
}
// Loaded untyped: the project has no @types/express, and needs none elsewhere.
type ExpressApp = RequestListener & { get(path: string, h: (req: unknown, res: { json(v: unknown): void }) => void): void }
const express = createRequire(import.meta.url)('express') as () => ExpressApp
const app = express()
app.get('/', (_req, res) => {
  res.json({ hello: 'world' })
})

const task: RequestTask = {
  id: 1,
  method: 'GET',
  url: 'http://127.0.0.1:3000/?q=1',
  headers: ['host', '127.0.0.1:3000', 'accept', '*/*', 'user-agent', 'bench'],
  body: null,
  remoteAddress: '127.0.0.1',
  remotePort: 50000,
}

// As in a worker: the global Response keeps a string or bytes body as given
// (fast-response.ts), and respond.ts reads it from there without undici.
installFastResponse()
async function viaAdapter(handler: RequestListener): Promise<string> {
  const fetch = nodeToFetch(handler as never)
  const response = await fetch(task, () => {})
  const body = fastParts(response)?.body
  return body == null ? response.text() : typeof body === 'string' ? body : Buffer.from(body as Uint8Array).toString()
}

/** Two cross-connected in-memory sockets (Node 20 has no stream.duplexPair). */
function duplexPair(): [Duplex, Duplex] {
  const sides: Duplex[] = []
  for (let i = 0; i < 2; i++) {
    sides.push(
      new Duplex({
        read() {},
        write(chunk, _encoding, callback) {
          sides[1 - i]!.push(chunk)
          callback()
        },
        final(callback) {
          sides[1 - i]!.push(null)
          callback()
        },
      }),
    )
  }
  return [sides[0]!, sides[1]!]
}

function viaRealServer(handler: RequestListener): () => Promise<string> {
  const server = createServer(handler)
  return () =>
    new Promise((resolve, reject) => {
      const [client, socket] = duplexPair()
      Object.assign(socket, { remoteAddress: task.remoteAddress, remotePort: task.remotePort })
      server.emit('connection', socket)
      const req = request(
        { path: '/?q=1', headers: { host: '127.0.0.1:3000', accept: '*/*', 'user-agent': 'bench' }, createConnection: () => client as never },
        (res) => {
          // Like the adapter's path, end in a web Response read to the end.
          const headers = new Headers()
          for (let i = 0; i < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!)
          const response = new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, { status: res.statusCode ?? 200, headers })
          response.text().then((text) => {
            client.destroy()
            socket.destroy()
            resolve(text)
          }, reject)
        },
      )
      req.on('error', reject)
      req.end()
    })
}

async function measure(name: string, run: () => Promise<string>): Promise<void> {
  for (let i = 0; i < 300; i++) await run()
  const started = process.hrtime.bigint()
  const cpu = process.cpuUsage()
  for (let i = 0; i < N; i++) {
    const text = await run()
    if (!text.includes('world')) throw new Error(`${name}: unexpected body ${text}`)
  }
  const used = process.cpuUsage(cpu)
  const wall = Number(process.hrtime.bigint() - started) / 1000 / N
  // CPU time is the steadier figure on a machine shared with other work.
  const cpuUs = (used.user + used.system) / N
  console.log(`${name.padEnd(48)} cpu ${cpuUs.toFixed(1).padStart(7)} µs/request   wall ${wall.toFixed(1).padStart(7)} µs/request`)
}

await measure('plain handler, real http.Server + memory socket', viaRealServer(plain))
await measure('Express app, real http.Server + memory socket', viaRealServer(app))
await measure("plain handler, hotcell's adapter", () => viaAdapter(plain))
await measure("Express app, hotcell's adapter", () => viaAdapter(app))
