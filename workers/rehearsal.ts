// Warm-up of a standby's request path, before any bundle arrives.
import type { RequestTask } from '../src/pool/protocol.js'
import { rehearseLoad } from './app-loader.js'
import type { LoadedApp, Style } from './loaded-app.js'
import { whenAborted } from './lazy-request.js'
import { rehearseListen } from './listen-capture.js'
import type { NodeHandler } from './node-adapter.js'

// A fresh isolate runs our request path cold (interpreted, no inline caches):
// the first request of a new generation spent ~4.6 ms in the worker, ~2.5 ms
// once the path had been rehearsed. The stand-in handler is ours: the user's
// must never run for a request nobody made.
const REHEARSALS = 20
const STAND_IN: Extract<LoadedApp, { ok: true }> = {
  ok: true,
  fetch: (request) => new Response(`rehearsal ${new URL(request.url).pathname}`, { headers: { 'content-type': 'text/plain' } }),
}

/** Runs one request through the runtime's path with `standIn` as the app, calling `done` at its end. */
export type ServeOne = (task: RequestTask, standIn: Extract<LoadedApp, { ok: true }>, done: () => void) => void

/**
 * Rehearse the request path (`nodeAdapter`: the Node adapter's too) with
 * stand-in handlers, then the load's path after the import, unless the bundle
 * has come meanwhile (`loading`).
 */
export async function rehearse(serve: ServeOne, nodeAdapter: boolean, style: Style, loading: () => boolean): Promise<void> {
  // A Node-style app's requests go through the Node adapter: its first request
  // in a fresh worker took 4.5-8 ms, the third under 1 ms.
  const standIns = nodeAdapter ? [STAND_IN, await nodeStandIn()] : [STAND_IN]
  // Each stand-in as a load would find it, with the wrappers the load puts
  // around a handler, which the requests then run too.
  const found = await rehearseLoad(
    standIns.map((s) => s.server ?? { fetch: s.fetch }),
    style,
    loading,
  )
  for (const [n, standIn] of standIns.entries()) {
    const app = found[n]?.ok ? found[n] : standIn
    for (let i = 1; i <= REHEARSALS; i++) {
      const body = i % 2 ? null : new TextEncoder().encode('rehearsal').buffer
      const task: RequestTask = {
        id: -i,
        method: body ? 'POST' : 'GET',
        url: `http://localhost/__hotcell/rehearsal?i=${i}`,
        headers: ['host', 'localhost', 'accept', '*/*'],
        body,
        remoteAddress: '127.0.0.1',
        remotePort: 0,
      }
      await new Promise<void>((resolve) => serve(task, app, () => resolve()))
    }
    // It never bound: closing ends the connection-checking timer its 'listening' started.
    standIn.server?.close()
  }
}

// Shaped like an app that starts its own server (`createServer(h).listen()`,
// Express's app.listen()): in a fresh isolate, node:http's Server
// constructor and the captured listen() ran cold inside the bundle's import,
// ~0.6 ms of each reload of such an app (CPU profile of the workers, Node 20).
async function nodeStandIn(): Promise<Extract<LoadedApp, { ok: true }>> {
  const { nodeToFetch } = await import('./node-adapter.js')
  const server = process.getBuiltinModule('node:http').createServer((_req, res) => res.end('rehearsal'))
  rehearseListen(server)
  const handle = nodeToFetch(server.listeners('request')[0] as NodeHandler, server)
  return { ok: true, node: true, server, fetch: (request, _env, _ctx, task) => handle(task, (listener) => whenAborted(request, listener)) }
}
