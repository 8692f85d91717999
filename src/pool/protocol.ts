// Shapes that cross the thread boundary (main ⇄ worker). Types only: both
// sides import this file, and nothing here may pull code into a worker.
import type { MessagePort } from 'node:worker_threads'
import type { SocketHostMessage } from './socket-protocol.js'

/**
 * An error as plain data. Errors are never sent as cloned `Error` objects:
 * structured clone drops their class and own properties such as `code`.
 */
export interface ErrorData {
  name: string
  message: string
  stack?: string
  code?: string
  /** Set when something other than an Error was thrown: what it was. */
  thrown?: string
  cause?: ErrorData
  /** The inner errors of an AggregateError. */
  errors?: ErrorData[]
  /**
   * The error's own enumerable properties but the fields above (pg's `detail`,
   * Prisma's `meta`), or all of a thrown object's, each value as util.inspect
   * prints it on one line, bounded (workers/own-properties.ts).
   */
  properties?: OwnProperty[]
  /** How many more properties there were than `properties` holds. */
  moreProperties?: number
  /** The source lines around the stack's frames in the app's own files, as the code that ran was built from them (workers/source-excerpts.ts). */
  sources?: SourceExcerpt[]
}

/** One own property of a thrown value: its key, and its value as text. */
export interface OwnProperty {
  key: string
  value: string
}

/** Lines of a source file as a bundle was built from it: the file on disk may have changed since. */
export interface SourceExcerpt {
  /** Absolute path, as the mapped stack names it. */
  file: string
  /** The line number of `lines[0]`, from 1. */
  first: number
  lines: string[]
}

/**
 * The reason a request's signal (and a Node handler's req) is aborted with
 * when --timeout runs out. A handler failing with it, or with an error
 * caused by it, did not answer in time: the client gets the 504 (watchdog.ts).
 */
export const TIMEOUT_REASON = { name: 'TimeoutError', message: 'hotcell answered 504: the request ran past --timeout' } as const

/**
 * The reason a request's signal (and a Node handler's req) is aborted with
 * when its client leaves. A handler failing with it, or with an error caused
 * by it (a Node req's 'aborted', a fetch passed request.signal), failed for
 * nobody: the request line says the client left, and nothing more is logged.
 */
export const CLIENT_LEFT_REASON = { name: 'AbortError', message: 'The client disconnected' } as const

/**
 * The reasons an event stream's signal is aborted with when hotcell ends the
 * stream because its code was replaced or the server stops (event-streams.ts).
 * Its client got a clean end and reconnects; nothing is logged for it.
 */
export const STREAM_ENDED_REASONS = {
  reload: { name: 'AbortError', message: 'hotcell reloaded the code: it ended this event stream, and its client reconnects to the new code' },
  shutdown: { name: 'AbortError', message: 'hotcell is shutting down: it ended this event stream' },
} as const

/** Whether `error` is `reason`, or was caused by it (its `cause` chain, a few levels deep). */
export function causedBy(error: ErrorData | undefined, reason: { readonly name: string; readonly message: string }): boolean {
  for (let depth = 0; error && depth < 8; error = error.cause, depth++) {
    if (error.name === reason.name && error.message === reason.message) return true
  }
  return false
}

/**
 * How long an entry gets to start serving, from the start of its import: its
 * import (a top-level await included), Fastify's ready() for an exported
 * instance, and a listen() that comes once the import has ended
 * (workers/listen-wait.ts).
 */
export const IMPORT_LIMIT_MS = 10_000

/**
 * How long after its import ended an entry that exported no handler is waited
 * for to call listen() when it has no work under way: past it, only while it
 * has (workers/listen-wait.ts).
 */
export const LISTEN_GRACE_MS = 2_000

/**
 * What a worker whose import has ended still waits for before it serves:
 * `listen`, the entry exported no handler and has not called listen() yet
 * (`fastify-listen`: and it loaded Fastify, whose listen() waits for its plugins);
 * `ready`, the exported Fastify instance's ready() (its plugins loading).
 */
export type LoadWait = 'listen' | 'fastify-listen' | 'ready'

/** One HTTP request handed to a worker. */
export interface RequestTask {
  id: number
  method: string
  /** Absolute: scheme, Host header, path and query. */
  url: string
  /** Flat `[name, value, name, value, …]`, in arrival order, duplicates kept. */
  headers: string[]
  /** Exact-size copy, transferred; null when the request has no body. */
  body: ArrayBuffer | null
  remoteAddress: string
  remotePort: number
}

/** Why a request could not be answered by the handler. */
export type FailurePhase =
  | 'import' // the entry threw (or never settled) while being imported
  | 'shape' // the default export is not a handler
  | 'handler' // the handler threw or rejected
  | 'result' // the handler returned something that is not a Response
  | 'stream' // the response body stream failed after the head was sent
  | 'uncaught' // code this request started (a timer, a callback) threw outside the handler's own stack
  | 'rejection' // a promise this request's code made was rejected and nobody handled it (an un-awaited async call)

/** What a task resolves to. */
export type TaskResult =
  | {
      kind: 'response'
      threadId: number
      status: number
      statusText: string
      headers: string[]
      /**
       * Small bodies come inline (≤ 64 KiB, where cloning costs what transfer
       * does). A string body stays a string: node:http writes it together with
       * the head in one write.
       */
      body: ArrayBuffer | string | null
    }
  | {
      /** Head and body went over the stream port; the task ends when they did. */
      kind: 'streamed'
      threadId: number
    }
  | {
      kind: 'failed'
      threadId: number
      phase: FailurePhase
      error: ErrorData
    }

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
  | SocketHostMessage
  | MemoryReport

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

/**
 * Main → the workers of one generation, on their lanes (as `LaneControl`). Not a
 * BroadcastChannel: on Node 24 each message one delivers is a MessageEvent,
 * which loads undici (~8 MiB and ~15-20 ms of a worker's CPU) in a worker whose
 * app may never need it (workers/fetch-api.ts).
 */
export type ControlMessage =
  /**
   * `only`: that thread imports now, the others wait for a 'load' without it.
   * `serverAddress`: for a generation booted before the server listened.
   * `swap`: a reload's standby, served from as soon as it is ready (workers/lane.ts stayAwake).
   */
  | { type: 'load'; bundleUrl: string; only?: number; swap?: true; serverAddress?: WorkerData['serverAddress'] }
  /** The app turned out to use Node's fetch classes: a standby loads them now (as if booted with `warmFetchApi`). */
  | { type: 'warm-fetch-api' }
  /** Nothing to do: a booted worker's lane carries one message before its first 'load' (bundle-handoff.ts). */
  | { type: 'rehearsal' }
  /** Answer with a MemoryReport if more than `limit` bytes are held off-heap (src/pool/memory-watch.ts). */
  | { type: 'memory'; limit: number }

/**
 * Main → one worker, on its lane: the requests of one event-loop turn, flat,
 * `REQUEST_FIELDS` entries each (id, slot, method, url, headers, body,
 * remoteAddress, remotePort); or one abort. The slot is where the main
 * thread keeps the request while it is in flight (lane.ts): replies name it.
 */
export type LaneRequests = Array<RequestTask[keyof RequestTask]>
export const REQUEST_FIELDS = 8
export interface LaneAbort {
  abort: number
  reason: 'client' | 'timeout'
}
export interface LaneControl {
  control: ControlMessage
}

/**
 * Worker → main, on its lane: the replies of one event-loop turn, flat,
 * `REPLY_FIELDS` entries each: the kind, the request's slot and id, then
 * - `REPLY.response`: status, statusText, headers, body
 * - `REPLY.failed`: phase, error
 * - `REPLY.stream`: port (the response streams on it; transferred)
 * - `REPLY.streamed`: nothing (that stream has ended: the request is done)
 */
export type LaneReplies = unknown[]
export const REPLY_FIELDS = 7
export const REPLY = { response: 1, failed: 2, stream: 3, streamed: 4 } as const

/**
 * A worker's progress slot (Int32Array over a SharedArrayBuffer), written by
 * the worker when a request starts and read by the main thread only when a
 * request ran out of time: which request started last on this thread. And
 * how many ctx.waitUntil() promises are pending there, read only while its
 * generation retires (background-work.ts): no message per waitUntil.
 */
export const PROGRESS = { seq: 0, id: 1, waiting: 2 } as const
/** Bytes of a worker's exit note (workers/exit-note.ts): a length, then the stack of its process.exit() call. */
export const EXIT_NOTE_BYTES = 4096

/** Worker → main on a response's stream port. */
export type StreamMessage =
  | { type: 'head'; status: number; statusText: string; headers: string[] }
  | { type: 'chunk'; data: Uint8Array }
  | { type: 'end' }
  | { type: 'error'; error: ErrorData }

/** Main → worker on a response's stream port. `ended`: hotcell ended an event stream whose code was replaced (event-streams.ts), not the client. */
export type StreamReply = { type: 'ack' } | { type: 'cancel'; ended?: 'reload' | 'shutdown' }

/** What every worker of a generation is started with. */
export interface WorkerData {
  gen: number
  /** Known at boot for a generation created for a build; absent for a standby. */
  bundleUrl?: string
  /** The pool added --expose-internals to the worker's flags (worker-pool.ts): the app does not see it. */
  exposedInternals?: true
  /** A module importing the packages the bundle imports (builder.ts), loaded while the worker waits. */
  preloadUrl: string
  /** How the default export is interpreted. */
  handler: 'auto' | 'fetch' | 'node'
  /** The last bundle's handler was Node-style: load the Node adapter while waiting for this one. */
  nodeAdapter?: boolean
  /** An earlier generation's code loaded Node's fetch classes: load them while waiting for the bundle. */
  warmFetchApi?: boolean
  /** Entry file as the user named it, for messages. */
  entry: string
  /** Where hotcell listens: what a server the entry starts itself reports as its address(). */
  serverAddress?: { address: string; family: string; port: number }
  /** With reloading on, the project's folder: the files the app reads and writes in it are reported (workers/file-reads.ts). */
  readsIn?: string
}
