// Paths under /__hotcell/ belong to the server (live reload, later more); they
// never reach the user's handler, whatever it would have answered.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { isCrossSiteNoCors } from './same-origin.js'

export const RESERVED_PREFIX = '/__hotcell/'

/**
 * Serves one reserved path. It should call `guardHotcellEndpoint(req)` from
 * same-origin.ts before doing anything a foreign page must not trigger or read.
 */
export type ReservedHandler = (req: IncomingMessage, res: ServerResponse) => void

/** A server's own endpoints by path (e.g. `/__hotcell/live-reload`), matched without the query. */
export type ReservedRoutes = ReadonlyMap<string, ReservedHandler>

/** True if `path` (no query) is under the reserved prefix, including the bare `/__hotcell`. */
export function isReserved(path: string): boolean {
  return path === RESERVED_PREFIX.slice(0, -1) || path.startsWith(RESERVED_PREFIX)
}

/** Answer a request for a reserved path: 404 for unknown ones, 403 for cross-site subresource loads. */
export function serveReserved(req: IncomingMessage, res: ServerResponse, path: string, routes: ReservedRoutes): void {
  // A page elsewhere may not embed or read hotcell's own scripts and streams (wds CVE-2025-30359).
  res.setHeader('cross-origin-resource-policy', 'same-origin')
  res.setHeader('x-content-type-options', 'nosniff')
  res.setHeader('cache-control', 'no-store')
  const handler = routes.get(path)
  if (isCrossSiteNoCors(req)) plain(res, 403, 'Cross-site loads of hotcell resources are blocked.\n')
  else if (!handler) plain(res, 404, `Not found: ${RESERVED_PREFIX} is reserved for hotcell itself.\n`)
  else handler(req, res)
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}
