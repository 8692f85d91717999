import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RequestIn, ResponseOut } from './exchange.js'
import type { Worker } from 'node:worker_threads'
import { renderText, type ErrorView, type RenderOptions } from '../report/error-page.js'
import { createErrorResponse } from './error-response.js'
import { createFaultAnswers } from './fault-answers.js'
import { createReplySender } from './worker-reply.js'
import type { FrontGate } from './gate/front-gate.js'
import { NotBegunError } from '../errors.js'
import type { Generation } from '../pool/generation.js'
import type { Inflight } from '../pool/inflight-requests.js'
import type { HtmlInjector } from '../reload/browser-reload.js'
import type { Logger } from '../report/logger.js'
import type { Refresh } from '../report/serving-state.js'
import type { RequestTask } from '../pool/protocol.js'
import { announcesBody, BODY_IDLE_MS, readBody, STALLED, TOO_LARGE } from './request-body.js'
import { pipeStream } from './stream-pipe.js'
import { dropBody } from '../pool/body-arena.js'
import { absoluteUrl } from './absolute-url.js'
import { nextRequestId } from './request-count.js'
import { abandonedWatched, noteAbandoned } from './abandoned-requests.js'
import { runWithTimeout, type Outcome } from '../pool/watchdog.js'
import type { BusyNotice } from '../pool/busy-workers.js'
import { busyLine } from '../report/busy-line.js'
import { bodyStalledView, formatMs } from '../report/fault-views.js'
import type { FailureTally } from '../report/failure-tally.js'

/** Where requests go right now: a generation of workers, or a page explaining why there is none. */
/** `bundleUrl` of a failure: the bundle whose import never ended (reload/hung-import.ts). */
export type Target = { kind: 'generation'; generation: Generation } | { kind: 'failure'; view: Omit<ErrorView, 'request'>; bundleUrl?: string }

export interface DispatcherOptions {
  /** `bodyless`: the request has no body (save-hold.ts sends those to a reload's standby before the swap). */
  target(bodyless?: boolean): Target | Promise<Target>
  bodyLimit: number
  roots: RenderOptions['roots']
  /** Whether this client may see stacks and source on error pages. */
  details(req: RequestIn): boolean
  /** Answers what must not reach the handler (bad shapes, foreign hosts, /__hotcell/, --static). */
  gate?: FrontGate
  logger: Logger
  /** True while shutting down: responses ask the client to close the connection. */
  closing(): boolean
  /** A request without a response head after this long is answered 504 (watchdog.ts). Default 30 s. */
  timeoutMs?: number
  /** A request body with no byte for this long is answered 408 (request-body.ts). Default BODY_IDLE_MS; tests shorten it. */
  bodyIdleMs?: number
  /** Live reload: adds its script to HTML pages. Absent with --no-live-reload. */
  html?: HtmlInjector
  /** Whether a save reloads (not with --no-reload), and whether serve() started the server: error pages say how to get fixed code served. */
  refresh: Refresh
  /** Failed requests are tallied, not each printed (hotcell bench's servers). */
  failures?: FailureTally
  /** Looks at each answered response's head (session-cookie-note.ts). */
  onAnswer?: ((method: string, url: string, headers: readonly string[]) => void) | undefined
}

/** The `request` listener of the HTTP server: one request in, one response out, never a throw. */
export function createDispatcher(options: DispatcherOptions): (req: RequestIn, res: ResponseOut) => void {
  const { logger, roots } = options
  const timeoutMs = options.timeoutMs ?? 30_000
  const bodyIdleMs = options.bodyIdleMs ?? BODY_IDLE_MS
  // The request log's word on a 408 hotcell sent: a handler may answer 408 too.
  const stalledNote = `no bytes of the body for ${formatMs(bodyIdleMs)}`
  const extraHeaders = () => (options.closing() ? ['connection', 'close'] : [])
  // Loaded on the first request that gets stuck.
  const locate = async (stuck: Worker, ms?: number) => (await import('../pool/stuck-location.js')).locateStuck(stuck, roots, ms)
  // A worker running JavaScript on a request for seconds (busy-workers.ts); not said by bench's servers, which tally what fails.
  const onBusy = options.failures ? undefined : (notice: BusyNotice) => logger.warn(busyLine(notice, timeoutMs, options.refresh.reload))
  const printFailure = (view: ErrorView) => logger.error(renderText(view, { roots, details: true }))
  // Bench servers tally (failure-tally.ts); the view is built either way, as the client's page needs it.
  const { failures } = options
  const reportFailure = failures ? (view: ErrorView) => failures.report(view, roots, printFailure) : printFailure

  const sendPage = createErrorResponse({ roots, details: options.details, logger, html: options.html, extraHeaders })
  // Made here, once: the request path below calls them with its parts as arguments.
  const faults = createFaultAnswers({ sendPage, reportFailure, refresh: options.refresh, timeoutMs })
  const sendReply = createReplySender(options, extraHeaders)

  // Most requests go from the socket to a worker and back without a promise
  // or an await on this thread: each step continues synchronously when what
  // it waits for is already there (no static file to look up, a GET without
  // a body, a generation serving).
  return (req, res) => {
    const id = nextRequestId()
    // Live reload: what the page will have been made from, as of now (HtmlInjector.version).
    const seen = options.html?.version ?? 0
    const method = req.method ?? 'GET'
    const url = absoluteUrl(req)
    const request = { method, url, headers: req.rawHeaders }
    let worker: number | undefined
    let inflight: Inflight | undefined
    /** Why, on the request's log line (a stalled body). */
    let note: string | undefined
    // A body the lean door read before dispatch took part of the request's time too.
    const started = logger.quiet ? 0 : req.arrivedAt || performance.now()
    const arrivedAt = abandonedWatched() ? Date.now() : 0
    // 'close' comes once per response; `on` spares the wrapper `once` makes.
    res.on('close', () => {
      if (arrivedAt && !res.writableFinished) noteAbandoned(arrivedAt)
      if (inflight) {
        // The client left before the response ended: abort request.signal in the worker.
        if (!res.writableFinished) generation!.abort(id)
        inflight.closed()
      }
      if (!logger.quiet)
        logger.request({ method, path: req.url ?? '/', status: res.headersSent ? res.statusCode : 0, ms: performance.now() - started, worker, note })
    })
    let generation: Generation | undefined

    const fail = (error: unknown) => {
      // The parser rejected the rest of the request (a bad chunk, say) and closed the socket: not a hotcell bug.
      if (req.destroyed && (error as NodeJS.ErrnoException)?.code === 'ECONNRESET') return void res.destroy()
      // A bug in hotcell itself, not in the handler: say so, keep serving.
      logger.error(`hotcell: internal error while handling ${method} ${req.url}: ${(error as Error)?.stack ?? String(error)}`)
      if (!res.headersSent)
        void sendPage(id, seen, req, res, {
          status: 500,
          title: 'hotcell internal error',
          error: { name: 'Error', message: String((error as Error)?.message ?? error) },
          request,
        }).catch(() => res.destroy())
      else res.destroy()
    }

    const gated = options.gate?.(req, res)
    if (gated === true) return
    if (gated instanceof Promise) gated.then((answered) => answered || withBody(), fail)
    else withBody()

    function withBody(): void {
      const whole = req.wholeBody
      if (whole !== undefined) {
        if (whole === STALLED) stalled()
        else withTarget(whole)
        return
      }
      // A GET with a body is rare but legal, and Node handlers read it (express.json() on every route).
      if ((method === 'GET' || method === 'HEAD') && !announcesBody(req.rawHeaders)) {
        withTarget(null)
        return
      }
      // Only node:http's requests are read here: the lean door's come read whole.
      readBody(req as IncomingMessage, res as ServerResponse, options.bodyLimit, bodyIdleMs)
        .then((body) => {
          if (body === STALLED) return stalled()
          if (body !== TOO_LARGE) return withTarget(body)
          void sendPage(
            id,
            seen,
            req,
            res,
            {
              status: 413,
              title: 'Request body too large',
              hint: `The limit is ${options.bodyLimit} bytes. Raise it with --body-limit (for example --body-limit 50mb), or bodyLimit in hotcell.config.ts or serve().`,
              request,
            },
            ['connection', 'close'],
          )
        })
        .catch(fail)
    }

    /** The body stopped arriving: 408, and the connection closes (the rest of the body may still come). */
    function stalled(): void {
      note = stalledNote
      void sendPage(id, seen, req, res, bodyStalledView(request, bodyIdleMs), ['connection', 'close'])
    }

    function withTarget(body: ArrayBuffer | null): void {
      const target = options.target(body === null)
      if (target instanceof Promise) target.then((t) => dispatch(t, body)).catch(fail)
      else dispatch(target, body)
    }

    function dispatch(target: Target, body: ArrayBuffer | null): void {
      if (target.kind === 'failure') return void sendPage(id, seen, req, res, { ...target.view, request })
      generation = target.generation
      // In flight until the response closed AND the worker is done with it: a
      // client that leaves early must not let its generation be destroyed
      // under the request, which would fail it (a 502 logged for nobody).
      const entered = generation.enter()
      inflight = entered
      if (res.destroyed) entered.closed() // closed while the body or the target was awaited
      const task: RequestTask = {
        id,
        method,
        url,
        headers: req.rawHeaders,
        body,
        remoteAddress: req.socket.remoteAddress ?? '',
        remotePort: req.socket.remotePort ?? 0,
      }
      runWithTimeout(
        generation,
        task,
        {
          timeoutMs,
          headersSent: () => res.headersSent,
          locate,
          onBusy,
          onStream: (port, threadId) => {
            // Its request line names the worker even when the client leaves before the stream ends.
            worker = threadId
            // The client left before the stream began; the abort stops the worker's side.
            if (res.destroyed) return void port.close()
            pipeStream(port, res, {
              ...(options.html ? { rewriteHead: (status: number, headers: string[]) => options.html!.streamed(req, seen, status, headers) } : {}),
              bodyless: (status) => method === 'HEAD' || status === 204 || status === 304,
              onEventStream: (end) => generation!.eventStreams.add(end),
              extraHeaders,
              onStreamError: (error) => {
                // The status line is out (a 200, say): the log says which, and that the body was cut, not "500".
                const view = {
                  status: res.statusCode,
                  title: 'The response body stream failed after the response started: the body was cut off',
                  error,
                  request,
                }
                reportFailure(view)
              },
            })
          },
        },
        (outcome) => {
          entered.done()
          // Never begun by the workers of code a save replaced (queued behind a stuck request): the new code serves it.
          if (outcome instanceof NotBegunError) {
            entered.closed()
            // Its client left meanwhile: nobody to serve.
            return res.destroyed ? undefined : withTarget(body)
          }
          try {
            answer(outcome)
          } catch (error) {
            // A lent body not yet given to the response: nobody else will release it.
            dropBody(outcome)
            fail(error)
          }
        },
      )
    }

    function answer(outcome: Outcome): void {
      if (outcome instanceof Error || 'timedOut' in outcome) return void faults.unanswered(id, seen, req, res, request, outcome, generation?.nodeStyle)
      worker = outcome.threadId
      if (outcome.kind === 'streamed') return // pipeStream finishes the response
      if (outcome.kind === 'failed') return void faults.failed(id, seen, req, res, request, outcome)
      if (res.destroyed) return void dropBody(outcome)
      options.onAnswer?.(method, url, outcome.headers)
      sendReply(req, res, seen, outcome)
    }
  }
}
