// What the client and the terminal are told when a worker, not the handler,
// fails: it died, it was terminated for being stuck, or the entry keeps
// killing workers.
import { CrashLoopError, WorkerLostError } from '../errors.js'
import { PORT_STILL_IN_USE, type ErrorData, type FailurePhase, type UncaughtContext, type UncaughtReport } from '../pool/protocol.js'
import { describeDeath, ENDED_BECAUSE, WORKERS_ENDED } from '../pool/worker-death.js'
import type { ErrorView } from './error-page.js'
import { fixHint, type Refresh } from './serving-state.js'

type Request = ErrorView['request']

/** Said of a stuck worker of a retired generation (the watchdog's reason): its 504's hint says it was ended, not replaced. */
export const RETIRED_NOTE = 'it ran the code from before a reload, which no longer serves'

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
      hint: `${error.terminatedBecause.includes(RETIRED_NOTE) ? 'The stuck worker was ended; new requests run the new code.' : 'The stuck worker was terminated and replaced.'} Raise the limit with --timeout (e.g. --timeout 60s; timeout in hotcell.config.ts or serve()) if this work is meant to take this long.`,
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

/**
 * 504 for a request that ran past --timeout while its worker was not stuck. `nodeStyle`: a `(req, res)` handler.
 * `stray`: an uncaught exception outside any request on its worker while it waited (pool/stray-errors.ts).
 */
export function timeoutView(request: Request, timeoutMs: number, started: boolean, nodeStyle = false, stray?: { error: ErrorData; agoMs: number }): ErrorView {
  const seconds = formatMs(timeoutMs)
  // What the handler saw, in its own terms.
  const guess = stray
    ? ''
    : nodeStyle
      ? ' (a res.end() never called? a next() never called?)'
      : ' (a slow call or a timer still pending, or a promise that never settles?)'
  const aborted = nodeStyle ? "Its req and res were closed, as when a client leaves ('close' events)" : 'request.signal was aborted'
  // The callback that threw was most likely what would have settled it (a pool's socket parsing the reply): that exception is the cause to fix.
  const threw = stray
    ? `; while it waited, code outside any request threw an uncaught exception on that worker, ${formatSeconds(stray.agoMs)} before this answer (below): most likely what it was waiting for`
    : ''
  const message = started
    ? `${request.method} ${request.url} did not answer within ${seconds}. Its worker was idle, waiting for something${guess}${threw}. ${aborted}; the worker keeps serving.`
    : `${request.method} ${request.url} did not start within ${seconds}: its worker was busy with other requests.`
  return {
    status: 504,
    title: `The handler did not respond within ${seconds}`,
    error: { name: 'TimeoutError', message, ...(stray && started ? { cause: stray.error } : {}) },
    hint: stray
      ? 'Fix the exception below (under node alone it would have ended the process), or raise the limit with --timeout if the request is meant to take this long.'
      : 'Raise the limit with --timeout (e.g. --timeout 60s; timeout in hotcell.config.ts or serve()) if the request is meant to take this long.',
    request,
  }
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
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

/**
 * The terminal line(s) for an error thrown outside any handler's stack. `context`: for one outside any request, whether its
 * worker was importing the entry and which requests it was running (pool/generation-messages.ts).
 */
export function uncaughtLog(report: UncaughtReport, generation: string, context?: UncaughtContext): string {
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
  // No request's code scheduled it: the module's own (a timer, a socket it opened), which runs it during the import only while importing.
  const whose = report.request
    ? `in code started by ${report.request.method} ${report.request.url} (request already answered)`
    : context?.importing
      ? 'outside any request, while the entry was being imported'
      : 'outside any request (in a timer or callback the module started, such as a setInterval or a socket it opened)'
  // The client got the response the handler had sent: say so, as a 500 it never saw is what one would look for.
  const kept =
    report.kind === 'afterResponse'
      ? 'The response the handler sent was not changed; the worker keeps running.'
      : report.request
        ? 'The worker keeps running; no other request was failed.'
        : `The worker keeps running (under node alone, this would end the process).${runningNote(context?.running)}`
  return `hotcell: ${what} ${whose}, ${where}. ${kept}${report.request ? '' : portHint(report.error)}`
}

/** The requests its worker was running: hotcell cannot tell whether they wait on what threw; if they do, they answer only at --timeout. */
function runningNote(running: string[] | undefined): string {
  if (!running) return ''
  if (running.length === 0) return ' No request was running on it.'
  const shown =
    running
      .slice(0, 3)
      .map((label) => label.replace(/^(\S+ )[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '$1'))
      .join(', ') + (running.length > 3 ? ` and ${running.length - 3} more` : '')
  const were = running.length === 1 ? 'was' : 'were'
  return ` ${shown} ${were} running on it: if ${running.length === 1 ? 'it waits' : 'they wait'} on what threw here, the answer comes only at --timeout (a 504).`
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
// TCP server: HTTP servers are captured) failed in every other generation: the
// one serving still held the port while the next imported. A reload's
// generation now tries again until the older ones have ended
// (workers/port-retry.ts): one that still fails, something else holds it.
function portHint(error: { code?: string; message: string }): string {
  if (error.code !== 'EADDRINUSE') return ''
  if (error.message.endsWith(PORT_STILL_IN_USE))
    return " hotcell tried this listen() again until the older generations of this server had ended: something else holds the port (another process, or another worker of this generation: each of the --workers imports the module). Bind it to port 0, or open it outside the handler's module (docs/reloading.md)."
  return " If the module opens this port itself as it loads: another process holds it, or another worker of this server (each of the --workers imports the module; a reload's generation tries again until the older ones have ended). Bind it to port 0, or open it outside the handler's module (docs/reloading.md)."
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
