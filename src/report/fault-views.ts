// What the client and the terminal are told when a worker, not the handler,
// fails: it died, it was terminated for being stuck, or the entry keeps
// killing workers.
import { CrashLoopError, WorkerLostError } from '../errors.js'
import type { FailurePhase, UncaughtReport } from '../pool/protocol.js'
import { describeDeath, ENDED_BECAUSE, WORKERS_ENDED } from '../pool/worker-death.js'
import type { ErrorView } from './error-page.js'
import { fixHint, type Refresh } from './serving-state.js'

type Request = ErrorView['request']

const CRASH_LOOP_TITLE = 'The entry keeps crashing its workers'

/** The title of an entry that failed to load, the same on the page, in the terminal and for a WebSocket. */
export function loadFailureTitle(phase: FailurePhase | undefined, error: { name: string }): string {
  if (phase) return FAILURE_TITLES[phase]
  return error.name === 'CrashLoopError' ? CRASH_LOOP_TITLE : 'The entry failed to load'
}

/** The request's workers were ended by hotcell (a shutdown, a reload's grace over), not by a crash of their own. */
export function endedByHotcell(error: Error): boolean {
  return (
    !(error instanceof WorkerLostError && error.terminatedBecause) &&
    (error instanceof WorkerLostError ? error.death : describeDeath(error)).name === WORKERS_ENDED
  )
}

/** 502 (or 500 for a crash loop) for a request whose worker died or was stopped. `refresh`: how a fix gets served. */
export function lostView(error: unknown, request: Request, refresh: Refresh): ErrorView {
  if (error instanceof CrashLoopError) {
    return {
      status: 500,
      title: CRASH_LOOP_TITLE,
      error: error.data,
      hint: fixHint(refresh, 'the code'),
      request,
    }
  }
  if (error instanceof WorkerLostError && error.terminatedBecause && error.overMemory) {
    return {
      status: 502,
      title: 'The worker handling this request went over --max-memory',
      error: { name: 'WorkerOutOfMemory', message: error.terminatedBecause },
      hint: 'The worker was replaced; the next request is served normally, until the memory grows past the limit again.',
      request,
    }
  }
  if (error instanceof WorkerLostError && error.terminatedBecause && error.stuckHere) {
    return {
      status: 504,
      title: 'The handler was stuck running JavaScript past --timeout',
      error: { name: 'TimeoutError', message: error.terminatedBecause },
      hint: 'The stuck worker was terminated and replaced. Raise the limit with --timeout (e.g. --timeout 60s; timeout in hotcell.config.ts or serve()) if this work is meant to take this long.',
      request,
    }
  }
  if (error instanceof WorkerLostError && error.terminatedBecause) {
    return {
      status: 502,
      title: 'The worker handling this request was terminated',
      error: { name: 'WorkerTerminated', message: error.terminatedBecause },
      hint: 'Requests running on a stuck worker cannot finish. The worker was replaced; retry the request.',
      request,
    }
  }
  const death = error instanceof WorkerLostError ? error.death : describeDeath(error)
  if (death.name === WORKERS_ENDED) {
    const ended = Object.values(ENDED_BECAUSE).find(({ cause }) => death.message.startsWith(cause))
    return { status: 502, title: 'The request outlived its workers', error: death, hint: ended?.hint ?? 'Retry the request.', request }
  }
  return {
    status: 502,
    title: 'The worker handling this request died',
    error: death,
    hint: 'The worker was replaced; the next request is served normally.',
    request,
  }
}

/** 504 for a request that ran past --timeout while its worker was not stuck. `nodeStyle`: a `(req, res)` handler. */
export function timeoutView(request: Request, timeoutMs: number, started: boolean, nodeStyle = false): ErrorView {
  const seconds = formatMs(timeoutMs)
  // What the handler saw, in its own terms.
  const waiting = nodeStyle
    ? "waiting for something (a res.end() never called? a next() never called?). Its req and res were closed, as when a client leaves ('close' events)"
    : 'waiting for something (a promise that never settles?). request.signal was aborted'
  const message = started
    ? `${request.method} ${request.url} did not answer within ${seconds}. Its worker was idle, ${waiting}; the worker keeps serving.`
    : `${request.method} ${request.url} did not start within ${seconds}: its worker was busy with other requests.`
  return {
    status: 504,
    title: `The handler did not respond within ${seconds}`,
    error: { name: 'TimeoutError', message },
    hint: 'Raise the limit with --timeout (e.g. --timeout 60s; timeout in hotcell.config.ts or serve()) if the request is meant to take this long.',
    request,
  }
}

/** 408 for a request body that stopped arriving (request-body.ts's idle deadline): the same words on both request paths. */
export function bodyStalledView(request: Request, idleMs: number): ErrorView {
  return {
    status: 408,
    title: `No bytes of the request body arrived for ${formatMs(idleMs)}`,
    hint: 'hotcell waits for a slow upload as long as its bytes keep coming; this one stopped (a dropped network, or a client that stopped sending). Send the request again.',
    request,
  }
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`
}

/** The terminal line(s) for an error thrown outside any handler's stack. */
export function uncaughtLog(report: UncaughtReport, generation: string): string {
  const where = `worker ${report.threadId} of ${generation}`
  if (report.kind === 'waitUntil') {
    const whose = report.request ? ` by ${report.request.method} ${report.request.url}` : ''
    return `hotcell: A promise given to ctx.waitUntil()${whose} rejected, ${where}. Its response was not affected; the worker keeps running.`
  }
  const what =
    report.kind === 'unhandledRejection'
      ? 'A promise rejection nobody handled'
      : report.kind === 'afterResponse'
        ? 'An error raised after the response was sent,'
        : 'An uncaught exception'
  const whose = report.request
    ? `in code started by ${report.request.method} ${report.request.url} (request already answered)`
    : 'outside any request (module top level?)'
  // The client got the response the handler had sent: say so, as a 500 it never saw is what one would look for.
  const kept =
    report.kind === 'afterResponse'
      ? 'The response the handler sent was not changed; the worker keeps running.'
      : 'The worker keeps running; no other request was failed.'
  return `hotcell: ${what} ${whose}, ${where}. ${kept}${report.request ? '' : portHint(report.error.code)}`
}

/**
 * Whose code raised a repeat of an error no request carries, for its one
 * line: the request and the worker are all that differ from the report above.
 */
export function uncaughtWhose(report: UncaughtReport): string {
  const path = report.request ? report.request.url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '') || '/' : ''
  const whose = !report.request
    ? 'outside any request'
    : report.kind === 'waitUntil'
      ? `a ctx.waitUntil() promise of ${report.request.method} ${path}`
      : `in code started by ${report.request.method} ${path} (request already answered)`
  return `${whose}, w${report.threadId}`
}

// A server the module starts at import on a fixed port (a metrics port, a raw
// TCP server: HTTP servers are captured) fails in every other generation: the
// one serving still holds the port while the next imports.
function portHint(code: unknown): string {
  return code === 'EADDRINUSE'
    ? " If the module opens this port itself as it loads: the generation serving holds it until the swap, as each reload imports the module in new workers before the old ones end. Bind it to port 0, or open it outside the handler's module (docs/reloading.md)."
    : ''
}

/** The title of a request (or a load) that failed in the app's code, by where it failed. */
export const FAILURE_TITLES: Record<FailurePhase, string> = {
  import: 'The entry threw while being imported',
  shape: 'The entry does not export a handler',
  handler: 'The handler threw an error',
  result: 'The handler did not return a Response',
  stream: 'The response body stream failed',
  uncaught: 'Code started by this request threw an uncaught exception',
  // As the terminal says it once the request is answered (uncaughtLog): not a throw to look for in a timer, an un-awaited promise.
  rejection: 'A promise rejection nobody handled in code started by this request',
}
