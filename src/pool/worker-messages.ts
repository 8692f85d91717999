// What a worker tells the main thread on `parentPort`. Types only: re-exported
// by protocol.ts, the one module of src/ that workers/ imports.
import type { MessagePort } from 'node:worker_threads'
import type { ErrorData } from './error-data.js'
import type { FailurePhase } from './request-exchange.js'
import type { SocketHostMessage } from './socket-protocol.js'

/**
 * What a worker whose import has ended still waits for before it serves:
 * `listen`, the entry exported no handler and has not called listen() yet
 * (`fastify-listen`: and it loaded Fastify, whose listen() waits for its plugins);
 * `ready`, the exported Fastify instance's ready() (its plugins loading).
 */
export type LoadWait = 'listen' | 'fastify-listen' | 'ready'

/** Worker → main, on `parentPort` (the pool re-emits these as 'message'). */
export type WorkerMessage =
  | { type: 'hotcell:hello'; gen: number; threadId: number }
  /** `node`: the handler is Node-style (served through the Node adapter). */
  | { type: 'hotcell:ready'; gen: number; threadId: number; error?: ErrorData; phase?: FailurePhase; node?: true }
  /**
   * The bundle's import ended, but the worker does not serve yet: it waits for `waiting`, at most `limitMs` more
   * (for `listen`, it then answers 'hotcell:ready' with the verdict itself).
   */
  | { type: 'hotcell:waiting'; gen: number; threadId: number; waiting: LoadWait; limitMs: number }
  /** User code loaded Node's fetch classes (workers/fetch-api.ts): the next generations warm them up. */
  | { type: 'hotcell:fetch-api'; threadId: number }
  /** Sent once, first thing: the worker's request lane (lane.ts) and its progress slot. */
  | { type: 'hotcell:lane'; threadId: number; port: MessagePort; progress: SharedArrayBuffer; exitNote: SharedArrayBuffer }
  | UncaughtReport
  /** The entry called listen(); the worker kept the port unbound, and says what that server gets (workers/captured-servers.ts). */
  | ({ type: 'hotcell:listen-captured' } & ListenNote)
  /** The default export names the address to serve on (Bun's `export default { port, fetch }`), which hotcell does not bind. */
  | { type: 'hotcell:exported-address'; address: ExportedAddress }
  /** Project files the app read or wrote for the first time in this worker (workers/file-reads.ts). */
  | ({ type: 'hotcell:files-read' } & FilesRead)
  /** A child process this worker's code started (`running`), or its exit (workers/spawned-children.ts). */
  | { type: 'hotcell:child'; threadId: number; pid: number; running: boolean }
  /** The app's cleanup ran (workers/retirement.ts): the worker waits to be ended. What the bound cut, if anything. */
  | ({ type: 'hotcell:retired'; threadId: number } & CleanupCut)
  | SocketHostMessage
  | MemoryReport

/** What a generation's end tells the app's code: the listeners of this signal run (workers/retirement.ts). */
export type StopSignal = 'SIGINT' | 'SIGTERM'

/** What of the app's cleanup had not finished when its bound ran out (workers/retirement.ts). */
export interface CleanupCut {
  /** Listeners of this signal returned a promise that had not settled. */
  unfinished?: StopSignal
  /** The pids of the child processes that had not exited after SIGTERM. */
  children?: number[]
}

/**
 * Sent when asked (a 'memory' control): this worker holds more than the limit
 * off-heap after collecting its garbage (workers/memory-check.ts). Bytes.
 */
export interface MemoryReport {
  type: 'hotcell:memory'
  threadId: number
  /** V8's external memory: the ArrayBuffers and Buffers it holds, and a few MiB of Node's. */
  external: number
  heapUsed: number
  /** `METHOD url` of the last request it began, if any. */
  lastRequest?: string
}

/** Absolute paths of project files (outside node_modules) the app's code used through Node's fs. */
export interface FilesRead {
  /** Read while no request ran: at import, at the start, in a timer (or in production mode, where engines cache what they read). */
  atImport: string[]
  /** Read while a request ran. */
  atRequest: string[]
  written: string[]
}

/**
 * A server the entry listen()ed, and what hotcell does with it. `role`:
 * `requests`, its request handler is what hotcell serves (and its 'upgrade'
 * listeners get the WebSocket upgrades); `upgrades`, only its 'upgrade'
 * listeners are used, the requests go to `servedBy`; `unserved`, nothing
 * reaches it. `servedBy`: what answers the requests, "the default export" or
 * "the server from listen(3000)".
 */
export interface ListenNote {
  /** What the app asked to listen on: "3000", "0.0.0.0:8080"… */
  requested: string
  /** `late`: the entry had no handler and hotcell had stopped waiting for its listen(): the error page is served (workers/listen-verdict.ts). */
  role: 'requests' | 'upgrades' | 'unserved' | 'late'
  servedBy: string
  /** For `late`: how long after the start of its import the entry called listen(). */
  lateMs?: number
  /** The generation whose worker listen()ed (set by the main thread): its other workers' calls are not news. */
  gen?: number
}

/** The `port` and `hostname` a fetch-style default export carries, when it carries them. */
export interface ExportedAddress {
  port?: number
  hostname?: string
}

/**
 * An error no handler caught (a throw in a timer, a rejection nobody awaited),
 * reported by the worker instead of dying. `request` is the request whose code
 * scheduled the failing callback, found with AsyncLocalStorage.
 */
export interface UncaughtReport {
  type: 'hotcell:uncaught'
  threadId: number
  /**
   * 'waitUntil': a promise given to ctx.waitUntil() rejected (it never fails the response).
   * 'afterResponse': a Node handler raised it after ending its response, which stands.
   */
  kind: 'uncaughtException' | 'unhandledRejection' | 'waitUntil' | 'afterResponse'
  error: ErrorData
  request?: { id: number; method: string; url: string }
  /** The request was still in flight: it fails with this error (and reports it itself). */
  running: boolean
}

/** Known on the main thread about an error outside any request (generation-messages.ts). */
export interface UncaughtContext {
  /** Its worker had not finished importing the entry: module code ran it, during its import. */
  importing: boolean
  /** `METHOD url` of the requests running on its worker then: they may be waiting on what threw. */
  running: string[]
}
