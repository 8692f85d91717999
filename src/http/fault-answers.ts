// hotcell's answer to a request its handler did not answer: never run (503
// queue full, its client left while queued), its worker lost (502), no head in
// time (504), or the handler (or its import) failed (500). Each is reported to
// the terminal (or the bench tally) and sent as hotcell's error page.
import type { RequestIn, ResponseOut } from './exchange.js'
import type { ErrorView } from '../report/error-page.js'
import type { SendPage } from './error-response.js'
import { ClientLeftError, CrashLoopError, QueueFullError } from '../errors.js'
import { causedBy, CLIENT_LEFT_REASON, type TaskResult } from '../pool/protocol.js'
import type { TimedOut } from '../pool/watchdog.js'
import { endedByHotcell, FAILURE_TITLES, lostView, timeoutView } from '../report/fault-views.js'
import type { Refresh } from '../report/serving-state.js'

type Request = ErrorView['request']
type Failed = Extract<TaskResult, { kind: 'failed' }>

export interface FaultAnswerOptions {
  sendPage: SendPage
  /** Prints the failure, or tallies it on bench's servers (failure-tally.ts). */
  reportFailure(view: ErrorView): void
  /** Whether a save reloads: error pages say how to get fixed code served. */
  refresh: Refresh
  /** What --timeout was, for the 504 page. */
  timeoutMs: number
}

/** Made once per dispatcher; its two functions take the request's parts as arguments, so a fault allocates no closure. */
export interface FaultAnswers {
  /** Request `id` never ran, its worker was lost, or it timed out. `nodeStyle`: its generation's handler is a Node one (the 504 page's wording). */
  unanswered(id: number, seen: number, req: RequestIn, res: ResponseOut, request: Request, outcome: Error | TimedOut, nodeStyle: boolean | undefined): void
  /** The handler of request `id` (or its import) failed. */
  failed(id: number, seen: number, req: RequestIn, res: ResponseOut, request: Request, outcome: Failed): void
}

export function createFaultAnswers({ sendPage, reportFailure, refresh, timeoutMs }: FaultAnswerOptions): FaultAnswers {
  return {
    unanswered(id, seen, req, res, request, outcome, nodeStyle) {
      if (outcome instanceof QueueFullError) {
        return void sendPage(
          id,
          seen,
          req,
          res,
          { status: 503, title: 'Server busy', hint: 'Every worker is busy and the queue is full. Retry shortly.', request },
          ['retry-after', '1'],
        )
      }
      // Left while queued: never run. The request line says the client left.
      if (outcome instanceof ClientLeftError) return
      if (outcome instanceof Error) {
        // Its client left before any answer, and hotcell ended the workers (a shutdown, a reload's grace over): nobody to tell.
        // (A stream hotcell cut has its head out: that cut is logged.)
        if (res.destroyed && !res.headersSent && endedByHotcell(outcome)) return
        // An event stream hotcell ended cleanly (event-streams.ts): the client has its whole response; its worker ended before finishing the task.
        if (res.writableFinished && endedByHotcell(outcome)) return
        // The worker died or was terminated: 502, or a cut body once the head is out (SSE, a download).
        const view = afterHead(lostView(outcome, request, refresh), res)
        // A crash loop is reported once, when it is detected.
        if (!(outcome instanceof CrashLoopError)) reportFailure(view)
        return void sendPage(id, seen, req, res, view)
      }
      const view = timeoutView(request, timeoutMs, outcome.started, nodeStyle, outcome.stray)
      reportFailure(view)
      return void sendPage(id, seen, req, res, view)
    },
    failed(id, seen, req, res, request, outcome) {
      // Failed because its client left (a Node req's 'aborted', a fetch passed request.signal): for nobody.
      if (res.destroyed && causedBy(outcome.error, CLIENT_LEFT_REASON)) return
      const view = afterHead(failureView(outcome, request), res)
      // Import and shape failures are reported once, when the generation loads.
      if (outcome.phase !== 'import' && outcome.phase !== 'shape') reportFailure(view)
      return void sendPage(id, seen, req, res, view)
    },
  }
}

/** Once the head is out (a 200 streaming, say), the client saw its status: the log gives it, and that the body was cut, not a status nobody got. */
function afterHead(view: ErrorView, res: ResponseOut): ErrorView {
  return res.headersSent ? { ...view, status: res.statusCode, title: `${view.title}: the response had started, and its body was cut off` } : view
}

function failureView(result: Failed, request: Request): ErrorView {
  return { status: 500, title: FAILURE_TITLES[result.phase], error: result.error, request }
}
