// What each server the entry listen()ed gets. hotcell serves one address, and
// an entry may start more than one server, or start one and export a handler
// too: an Express app exported for supertest and started in the same file, a
// fetch export beside `new WebSocketServer({ port })` (ws's standalone mode
// listens a server of its own), an app server and an admin server.
// - Requests go to one handler: the default export, else the first server
//   listen()ed (app-loader.ts).
// - WebSocket upgrades go to that server if it listens for 'upgrade', else to
//   the first listen()ed server that does, else to the handler (a fetch
//   handler's WebSocketPair).
// - Every other server gets nothing, and the terminal says so, with how to
//   serve it: never a line that says a server is served when it is not.
import type { Server } from 'node:http'
import type { ListenNote, WorkerMessage } from '../src/pool/protocol.js'
import { afterListen, capturedServers, type CapturedListen } from './listen-capture.js'
import type { NodeHandler } from './node-adapter.js'
const { parentPort } = process.getBuiltinModule('node:worker_threads')

/** What the load found serving the requests. */
export interface Served {
  /** The server whose request handler is served: the first listen()ed, or an exported http.Server or Fastify instance. */
  server?: Server | undefined
  /** The Node handler served, when it is one (an exported Express app, Koa's callback()). */
  handler?: NodeHandler | undefined
}

/** The server an upgrade goes to now: `served` if it listens for 'upgrade', else the first listen()ed one that does. */
export function upgradeServer(served: Server | undefined): Server | undefined {
  if (served && served.listenerCount('upgrade') > 0) return served
  for (const { server } of capturedServers()) if (server.listenerCount('upgrade') > 0) return server
  return undefined
}

/**
 * Tell main what each listen()ed server gets: those started so far, and those
 * the app starts later. `afterReady`: a reload's, told once the worker has
 * said it is ready and answered the requests waiting for it: the main thread
 * logs each note, and before the 'ready' behind it the swap waited for that
 * (a node:http app's listen() is told at every reload).
 */
export function placeServers(served: Served, afterReady = false): void {
  const own = capturedServers().find((listen) => listen.server === served.server)
  const servedBy = own ? `the server from listen(${own.requested})` : 'the default export'
  const tell = (listen: CapturedListen) => {
    const role: ListenNote['role'] =
      listen.server === served.server || servesSame(listen.server, served.handler)
        ? 'requests'
        : upgradeServer(served.server) === listen.server
          ? 'upgrades'
          : 'unserved'
    const message: WorkerMessage = { type: 'hotcell:listen-captured', requested: listen.requested, role, servedBy }
    parentPort?.postMessage(message)
  }
  const tellAll = () => {
    for (const listen of capturedServers()) tell(listen)
  }
  // A timer: after this turn's check phase, where the replies to the requests held for the import go.
  if (afterReady) setTimeout(tellAll, 0)
  else tellAll()
  // ws's standalone server adds its 'upgrade' listener right after its listen() call: look once that code has run.
  afterListen((listen) => setImmediate(() => tell(listen)))
}

/**
 * The server's one request listener is the handler served: the exported
 * Express app that app.listen() passed to createServer, or the same code
 * (Koa's app.listen() makes a new callback() of the app that was exported).
 */
function servesSame(server: Server, handler: NodeHandler | undefined): boolean {
  const listeners = server.listeners('request')
  if (!handler || listeners.length !== 1) return false
  const listener = listeners[0]
  if (listener === handler) return true
  const source = Function.prototype.toString.call(handler)
  // Two bound functions print the same "[native code]".
  return !source.includes('[native code]') && Function.prototype.toString.call(listener) === source
}
