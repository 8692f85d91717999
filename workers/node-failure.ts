// What an error a Node (req, res) handler raises does to its request depends
// only on how far the response has gone, whichever way the error arrives: a
// throw from the handler, a rejection of its promise, or an error Express or
// connect passes to the final callback (framework-errors.ts). One rule for
// all three, so that the answer never depends on timing (whether Express's
// router calls the final callback in the tick of res.send() or on a later
// one, which turns on whether another route is registered after it).
import type { ServerResponse } from 'node:http'

/** How an error of the handler ends its request: by when it comes (failAfter). */
export interface Failure {
  /** Before the head: hotcell's error page. */
  fail(error: unknown): void
  /** Once the response was ended: reported against its request, never changing it. */
  afterResponse(error: unknown): void
}

/**
 * The one rule for an error a Node handler raises: before the head it fails
 * the request (hotcell's page); after the head, with the body not ended, it
 * cuts the response (the body stream fails with it); once the response was
 * ended, what the client gets stands, as on node:http, and the error is
 * logged as a late error of that request.
 */
export function failAfter(res: ServerResponse, failure: Failure, error: unknown): void {
  if (res.writableEnded && res.headersSent) failure.afterResponse(error)
  else if (res.headersSent) res.destroy(error as Error)
  else failure.fail(error)
}
