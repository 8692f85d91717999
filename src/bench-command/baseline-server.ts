// A child process: the user's handler inline on a plain node:http server, the
// number hotcell's isolation is measured against. It imports the same esbuild
// bundle the workers import and adapts req → Request and Response → res the
// way a minimal adapter does. Usage (fork, with IPC):
//   node baseline-server.js <bundleUrl> <entryLabel> <auto|fetch|node> <http|https>
// With https: node:https with the certificate of hotcell --https (HTTP/1.1,
// what the load generators speak), so that both pay for TLS.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { loadApp, type AppFunction } from '../../workers/app-loader.js'
import { devCertificate } from '../http/tls/dev-certificate.js'

export type BaselineMessage = { type: 'ready'; port: number } | { type: 'failed'; message: string }

const [bundleUrl, entry, style, scheme] = process.argv.slice(2) as [string, string, 'auto' | 'fetch' | 'node', 'http' | 'https']
const send = (message: BaselineMessage) => process.send?.(message)
// The parent going away ends this process, so a killed bench leaves nothing behind.
process.on('disconnect', () => process.exit(0))

// Bind before loading the app: loadApp patches listen() so that entries which
// start their own server are captured, and that would capture ours too.
let fetch: AppFunction | undefined
const listener = (req: IncomingMessage, res: ServerResponse) => void handle(fetch!, req, res)
const server = scheme === 'https' ? createTlsServer(await devCertificate({ host: '127.0.0.1' }), listener) : createServer(listener)
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const app = await loadApp(bundleUrl, entry, style)
if (!app.ok) {
  send({ type: 'failed', message: app.error.message.split('\n')[0] ?? app.error.name })
} else {
  fetch = app.fetch
  send({ type: 'ready', port: (server.address() as AddressInfo).port })
}

const ctx = { waitUntil() {}, passThroughOnException() {} }

let nextId = 0

async function handle(fetch: AppFunction, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const headers = new Headers()
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!)
    const method = req.method ?? 'GET'
    let body: Buffer | undefined
    if (method !== 'GET' && method !== 'HEAD') {
      const chunks: Buffer[] = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      body = Buffer.concat(chunks)
    }
    const request = new Request(`${scheme}://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, { method, headers, body: body ?? null })
    // Node-style handlers read the raw request from the task, as in a worker.
    const task = {
      id: ++nextId,
      method,
      url: request.url,
      headers: req.rawHeaders,
      body: body ? new Uint8Array(body).buffer : null,
      remoteAddress: req.socket.remoteAddress ?? '',
      remotePort: req.socket.remotePort ?? 0,
    }
    const response = (await fetch(request, process.env, ctx, task)) as Response
    const out: string[] = []
    response.headers.forEach((value, name) => {
      if (name !== 'set-cookie') out.push(name, value)
    })
    for (const cookie of response.headers.getSetCookie()) out.push('set-cookie', cookie)
    const data = response.body ? Buffer.from(await response.arrayBuffer()) : undefined
    res.writeHead(response.status, response.statusText || undefined, out)
    res.end(data)
  } catch (error) {
    if (res.headersSent) return void res.destroy()
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
    res.end(`baseline: the handler failed: ${(error as Error)?.message ?? String(error)}\n`)
  }
}
