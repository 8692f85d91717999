// Every error class hotcell throws, each with a stable `code`. Two kinds:
// - HotcellError: a mistake the user can fix (a bad option, a missing entry,
//   a busy port). The CLI prints its message as one line, without a stack.
// - the rest are hotcell's own conditions on the request path; the dispatcher
//   turns each into a response (502, 503, 500) and never shows them as thrown.
// Errors that cross a thread are not these classes but data (ErrorData).
import type { ErrorData } from './pool/protocol.js'

export type HotcellErrorCode =
  | 'ERR_INVALID_OPTION' // an option or flag has a bad value, or is unknown
  | 'ERR_ENTRY_NOT_FOUND' // the entry file does not exist, or is not a file
  | 'ERR_CONFIG_FILE' // the config file is missing, does not build, throws, or exports no object
  | 'ERR_LISTEN' // the port is busy or forbidden, or the address is not local
  | 'ERR_INSECURE_PARSER' // Node runs with --insecure-http-parser
  | 'ERR_BENCH' // hotcell bench cannot produce a meaningful number
  | 'ERR_SERVER_CLOSED' // reload() on a server that was closed

export class HotcellError extends Error {
  override name = 'HotcellError'
  constructor(
    readonly code: HotcellErrorCode,
    message: string,
  ) {
    super(message)
  }
}

/**
 * The benchmark cannot produce a meaningful number (the route fails its
 * correctness check, a server does not start). Printed as one line, exit 1.
 */
export class BenchError extends HotcellError {
  override name = 'BenchError'
  constructor(message: string) {
    super('ERR_BENCH', message)
  }
}

/**
 * bench() stopped by its `signal`: shaped as Node's own APIs reject when
 * aborted (fs, timers/promises, events.once), name AbortError and code
 * ABORT_ERR, with the signal's reason as its cause.
 */
export class AbortError extends Error {
  override name = 'AbortError'
  readonly code = 'ABORT_ERR'
  constructor(reason?: unknown) {
    super('The operation was aborted', { cause: reason })
  }
}

/** Every worker is busy and the queue is full: the client gets 503. */
export class QueueFullError extends Error {
  override name = 'QueueFullError'
  readonly code = 'ERR_QUEUE_FULL'
}

/** The client left while its request waited in the queue: it is never run, and nobody is answered. */
export class ClientLeftError extends Error {
  override name = 'ClientLeftError'
  readonly code = 'ERR_CLIENT_LEFT'
}

/**
 * A retiring generation ended its workers before one began this request
 * (queued behind a request stuck in a loop when a save brought the fix): the
 * dispatcher sends it to what serves now, the new code, instead of a 502.
 */
export class NotBegunError extends Error {
  override name = 'NotBegunError'
  readonly code = 'ERR_NOT_BEGUN'
}

/** The worker running a request went away before answering: 502 (504 when it was stuck in this request). */
export class WorkerLostError extends Error {
  override name = 'WorkerLostError'
  readonly code = 'ERR_WORKER_LOST'
  constructor(
    /** Why the worker ended, as piscina or Node reported it. */
    readonly death: ErrorData,
    readonly threadId: number | undefined,
    /** Set when hotcell terminated the worker itself, and why. */
    readonly terminatedBecause: string | undefined,
    /** This request is the one the worker was stuck in. */
    readonly stuckHere = false,
    /** hotcell terminated the worker for holding more than --max-memory off-heap (pool/memory-watch.ts). */
    readonly overMemory = false,
  ) {
    super(death.message)
  }
}

/** The generation stopped replacing workers: its entry kills them as fast as they start. */
export class CrashLoopError extends Error {
  override name = 'CrashLoopError'
  readonly code = 'ERR_CRASH_LOOP'
  constructor(readonly data: ErrorData) {
    super(data.message)
  }
}
