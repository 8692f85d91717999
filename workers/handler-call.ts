// One request through the app's handler: the web Request it gets (built
// lazily, lazy-request.ts) and what it returns turned into the outcome the
// lane replies with. runtime.ts runs it in the request's scope.
import type { MessagePort } from 'node:worker_threads'
import type { RequestTask } from '../src/pool/protocol.js'
import type { FetchContext, LoadedApp, ServerRequest } from './loaded-app.js'
import { toErrorData } from './error-data.js'
import { fastParts, isResponse } from './fast-response.js'
import { backgroundWork } from './lane.js'
import { reportLate } from './late-errors.js'
import { abortRequest, LazyRequest } from './lazy-request.js'
import { requestUrl } from './request-url.js'
import { respond, type Outcome, type ResponseControl } from './respond.js'
import { networkErrorReturned, notAResponse, type HandlerWhere } from './result-errors.js'

/** A request in flight on this thread, for aborts sent by the main thread. */
export interface InFlight {
  request: LazyRequest | undefined
  response: ResponseControl | undefined
  /** Why it ended early, once it did. */
  aborted: unknown
}

/** End `entry` early: its Request's signal aborts, its response stream is cancelled. */
export function stop(entry: InFlight, reason: unknown): void {
  entry.aborted ??= reason
  if (entry.request) abortRequest(entry.request, reason)
  entry.response?.cancel()
}

export const env = process.env as Record<string, string | undefined>

/** The `ctx` every handler call gets (`env` is process.env). */
export const context: FetchContext = {
  waitUntil(promise) {
    // The work goes on after the response (the pool runs with atomics
    // disabled, so the event loop keeps turning); a failure is reported. A
    // reload lets it finish, within the grace its requests get.
    backgroundWork(1)
    Promise.resolve(promise)
      .catch((error: unknown) => reportLate('waitUntil', error))
      .finally(() => backgroundWork(-1))
  },
  passThroughOnException() {
    // Meaningful only behind an origin server; there is none in development.
  },
}

export function failed(phase: 'handler' | 'result', error: unknown): Outcome {
  return { kind: 'failed', phase, error: toErrorData(error) }
}

/** The handler's outcome: at once when it returned a finished Response without awaiting anything. */
export function handle(
  task: RequestTask,
  loaded: Extract<LoadedApp, { ok: true }>,
  entry: InFlight,
  stream: (port: MessagePort) => void,
): Outcome | Promise<Outcome> {
  let url: string
  try {
    url = requestUrl(task.url)
  } catch (error) {
    const body = `hotcell could not represent this request as a web Request: ${String((error as Error).message)}\n`
    return { kind: 'response', status: 400, statusText: 'Bad Request', headers: ['content-type', 'text/plain; charset=utf-8'], body }
  }
  const request = new LazyRequest({ method: task.method, url, headers: task.headers, body: task.body, ip: task.remoteAddress })
  entry.request = request
  let result: unknown
  try {
    result = loaded.fetch(request as unknown as ServerRequest, env, context, task)
  } catch (error) {
    return failed('handler', error)
  }
  if (result instanceof Promise)
    return result.then(
      (value: unknown) => toOutcome(value, entry, stream, loaded.where),
      (error: unknown) => failed('handler', error),
    )
  return toOutcome(result, entry, stream, loaded.where)
}

function toOutcome(result: unknown, entry: InFlight, stream: (port: MessagePort) => void, where: HandlerWhere | undefined): Outcome | Promise<Outcome> {
  if (!isResponse(result)) return { kind: 'failed', phase: 'result', error: notAResponse(result, where) }
  // Response.error(). (Only a native one can be: reading `type` of a FastResponse would build undici's object.)
  if (!fastParts(result) && result.type === 'error') return { kind: 'failed', phase: 'result', error: networkErrorReturned(where) }
  try {
    const outcome = respond(
      result,
      (reason) => stop(entry, reason),
      (control) => {
        entry.response = control
        if (entry.aborted !== undefined) control.cancel()
      },
      stream,
    )
    return outcome instanceof Promise ? outcome.catch((error: unknown) => failed('handler', error)) : outcome
  } catch (error) {
    return failed('handler', error)
  }
}
