// One request's trip to a worker and back: the task, what it resolves to, and
// the messages of a streamed response. Types only: re-exported by protocol.ts,
// the one module of src/ that workers/ imports.
import type { ErrorData } from './error-data.js'
import type { LentBody } from './body-arena.js'

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
       * the head in one write. A LentBody is in the worker's body arena
       * (body-arena.ts): whoever gets it releases it, once written or dropped.
       */
      body: ArrayBuffer | string | LentBody | null
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

/** Worker → main on a response's stream port. */
export type StreamMessage =
  | { type: 'head'; status: number; statusText: string; headers: string[] }
  | { type: 'chunk'; data: Uint8Array }
  | { type: 'end' }
  | { type: 'error'; error: ErrorData }

/** Main → worker on a response's stream port. `ended`: hotcell ended an event stream whose code was replaced (event-streams.ts), not the client. */
export type StreamReply = { type: 'ack' } | { type: 'cancel'; ended?: 'reload' | 'shutdown' }
