// Shapes that cross the thread boundary (main ⇄ worker). Both sides import
// this file, and nothing here may pull code into a worker: only the constants
// both sides must agree on are code. The shapes themselves are in type-only
// files beside it (error-data.ts, request-exchange.ts, worker-messages.ts,
// worker-data.ts), re-exported here because workers/ imports only this file
// (and socket-protocol.ts) from src/.
import type { ErrorData } from './error-data.js'
import type { RequestTask } from './request-exchange.js'
import type { WorkerData } from './worker-data.js'
import type { StopSignal } from './worker-messages.js'

export type { ErrorData, OwnProperty, SourceExcerpt } from './error-data.js'
export type { FailurePhase, RequestTask, StreamMessage, StreamReply, TaskResult } from './request-exchange.js'
export type {
  CleanupCut,
  ExportedAddress,
  FilesRead,
  ListenNote,
  LoadWait,
  MemoryReport,
  StopSignal,
  UncaughtContext,
  UncaughtReport,
  WorkerMessage,
} from './worker-messages.js'
export type { WorkerData } from './worker-data.js'

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
 * What an EADDRINUSE of the app's own server ends with when a reload's
 * generation tried its listen() until the older generations had ended
 * (workers/port-retry.ts): the report's advice is worded by it (fault-views.ts).
 */
export const PORT_STILL_IN_USE = ' (still in use after the older generations of this server had ended)'

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
  /** esbuild's result for a reload is in: a standby keeps its thread running for its 'load', up to `ms` from now (0: no longer) (bundle-handoff.ts stayAwake()). */
  | { type: 'stay-awake'; ms: number }
  /** Nothing to do: a booted worker's lane carries one message before its first 'load' (bundle-handoff.ts). */
  | { type: 'rehearsal' }
  /** Answer with a MemoryReport if more than `limit` bytes are held off-heap (src/pool/memory-watch.ts). */
  | { type: 'memory'; limit: number }
  /**
   * The generation ends: run the app's cleanup within `ms`, then answer 'hotcell:retired' (workers/retirement.ts).
   * `signal`: whose listeners run (SIGTERM for a reload; at shutdown, the signal hotcell got).
   */
  | { type: 'retire'; ms: number; signal: StopSignal }
  /** The generations older than this one have ended: a port one of them held is free (workers/port-retry.ts). */
  | { type: 'older-ended' }

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
 * request ran out of time: which request started last on this thread (a
 * negative seq: the main thread took back the requests up to -seq - 1 that
 * the worker had not begun, lane.ts takeBack()). And
 * how many ctx.waitUntil() promises are pending there, read only while its
 * generation retires (background-work.ts): no message per waitUntil.
 */
export const PROGRESS = { seq: 0, id: 1, waiting: 2 } as const
/** Bytes of a worker's exit note (workers/exit-note.ts): a length, then the stack of its process.exit() call. */
export const EXIT_NOTE_BYTES = 4096
