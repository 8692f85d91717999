// What a worker's load of the bundle gives the runtime (app-loader.ts): the
// handler as the runtime calls it, or why there is none; and the types a
// fetch handler sees (src/index.ts exports them to users).
import type { Server } from 'node:http'
import type { ErrorData, LoadWait, RequestTask } from '../src/pool/protocol.js'
import type { NodeHandler } from './node-adapter.js'
import type { HandlerWhere } from './result-errors.js'

export interface FetchContext {
  waitUntil(promise: Promise<unknown>): void
  passThroughOnException(): void
}
/** The request a fetch handler gets: a Request, and the client's address as `ip` (srvx's and h3's name for it). */
export type ServerRequest = Request & { readonly ip: string }
export type FetchFunction = (request: ServerRequest, env: Record<string, string | undefined>, ctx: FetchContext) => unknown
/** What the runtime calls: a fetch function that also sees the raw task (Node handlers need its headers and client address). */
export type AppFunction = (request: ServerRequest, env: Record<string, string | undefined>, ctx: FetchContext, task: RequestTask) => unknown

/**
 * `node`: the handler is Node-style, served through the Node adapter.
 * `handler`: with `node`, that handler itself, for a caller with node:http's
 * own req and res (the bench's baseline): it is called with the `server` as
 * `this`, as Node's server calls its 'request' listener.
 * `server`: the app's own http.Server whose handler is served (listen() captured, or exported), which gets the
 * 'upgrade' events if it listens for them (else another server listen()ed may: captured-servers.ts).
 * `where`: where a fetch handler is defined, asked only when it returned no Response (result-errors.ts).
 */
export type LoadedApp =
  | { ok: true; fetch: AppFunction; node?: true; handler?: NodeHandler; server?: Server; where?: HandlerWhere }
  | { ok: false; phase: 'import' | 'shape'; error: ErrorData }
export type Style = 'auto' | 'fetch' | 'node'

/** Told when the import has ended but the worker waits for something else before it serves, and for at most how long. */
export type OnWaiting = (waiting: LoadWait, limitMs: number) => void
