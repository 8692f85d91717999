// Errors that escape every handler: a throw inside a timer, an event listener
// or a rejected promise nobody awaited. Without this, such an error kills the
// worker, and piscina fails whatever request happens to be running on it at
// that moment — usually an innocent one.
//
// Each request runs inside an AsyncLocalStorage scope, so the callbacks it
// schedules carry it along: when one of them throws, we know whose code it was.
// - the request is still in flight: it fails with that error (500), no one else does;
// - it already finished: the error is logged in the terminal next to that request.
// Either way the worker keeps running. Why not recycle it? The throw unwound
// only the user's callback; Node's own state is intact, and the module state
// the callback may have left half-updated is the same risk a handler's
// ordinary caught throw carries, which never recycles a worker either. The
// next save starts fresh workers anyway, and keeping the worker means
// requests in flight on it are not cut off.
import type { ErrorData, UncaughtReport } from '../src/pool/protocol.js'
import { rejectionData, toErrorData } from './error-data.js'
const { AsyncLocalStorage } = process.getBuiltinModule('node:async_hooks')

export interface RequestScope {
  id: number
  method: string
  url: string
  /** False once the task has returned its result. */
  running: boolean
  /** Fail the request with an error its own callbacks threw, or a rejection they left unhandled. */
  fail(error: ErrorData, kind: 'uncaughtException' | 'unhandledRejection'): void
}

const scopes = new AsyncLocalStorage<RequestScope>()

/** The request whose code is running now, if any. */
export function currentScope(): RequestScope | undefined {
  return scopes.getStore()
}

/** Run `fn` (and everything it schedules) as code of request `scope`. */
export function runInScope<T>(scope: RequestScope, fn: () => T): T {
  return scopes.run(scope, fn)
}

let sendReport: ((message: UncaughtReport) => void) | undefined
let reportingThread = 0

/** Install the process-wide hooks once per worker. `report` sends the report to the main thread. */
export function catchLateErrors(threadId: number, report: (message: UncaughtReport) => void): void {
  sendReport = report
  reportingThread = threadId
  process.on('uncaughtException', (value) => reportLate('uncaughtException', value))
  process.on('unhandledRejection', (value) => reportLate('unhandledRejection', value))
}

/**
 * Report an error against the request whose code raised it. An uncaught one
 * fails that request if it is still running; a ctx.waitUntil() rejection
 * never does (the work was meant to outlive the response, as on Workers).
 */
export function reportLate(kind: Exclude<UncaughtReport['kind'], 'afterResponse'>, value: unknown): void {
  // getStore() sees the scope of the callback that threw: Node emits these
  // events before it leaves that callback's async context, and a promise's
  // reaction runs in the context it was attached in.
  const scope = scopes.getStore()
  const error = kind === 'uncaughtException' ? toErrorData(value) : rejectionData(value)
  const running = scope?.running === true
  if (scope && running && kind !== 'waitUntil') scope.fail(error, kind)
  try {
    sendReport?.({
      type: 'hotcell:uncaught',
      threadId: reportingThread,
      kind,
      error,
      running,
      ...(scope ? { request: { id: scope.id, method: scope.method, url: scope.url } } : {}),
    })
  } catch {
    // Reporting must never throw from inside the handler of last resort.
  }
}

/**
 * Report an error a Node handler raised after its response was ended: a
 * throw in the tick of res.end(), a rejection of its promise, an error its
 * framework passed to the final callback. The response it sent stands (as
 * on node:http), so the request is never failed, however soon the error
 * comes: it is logged against `scope`, the request that raised it.
 */
export function reportAfterResponse(scope: RequestScope | undefined, value: unknown): void {
  try {
    sendReport?.({
      type: 'hotcell:uncaught',
      threadId: reportingThread,
      kind: 'afterResponse',
      error: toErrorData(value),
      running: false,
      ...(scope ? { request: { id: scope.id, method: scope.method, url: scope.url } } : {}),
    })
  } catch {
    // As above: never a throw from a report.
  }
}
