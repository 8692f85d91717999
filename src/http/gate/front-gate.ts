// Everything the main thread decides before a request may cost a worker:
// malformed shapes and foreign hosts are refused, /__hotcell/ is served by
// hotcell, --static files are served from disk. Only what passes all three
// goes on to the handler.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RequestIn, ResponseOut } from '../exchange.js'
import type { HtmlFileInjector } from '../../reload/browser-reload.js'
import { createHostPolicy, type AllowedHosts } from './host-check.js'
import { checkRequest } from './request-guard.js'
import { isReserved, serveReserved, type ReservedRoutes } from './reserved-routes.js'
import { createStaticFiles } from './static-files.js'

export interface FrontGateOptions {
  allowedHosts: AllowedHosts
  /** The interface bound: a name given with --host is allowed as a Host. */
  host: string
  staticDir: string | undefined
  /** Live reload's script for --static HTML files; none when it is off. */
  html?: HtmlFileInjector
  /** This server's endpoints under /__hotcell/ (live reload); any other reserved path is 404. */
  routes?: ReservedRoutes
}

/**
 * True (or a promise of true) when the request was answered here and must
 * not reach the handler. Synchronous unless a static file is looked up: this
 * runs for every request.
 */
export type FrontGate = (req: RequestIn, res: ResponseOut) => boolean | Promise<boolean>

export function createFrontGate(options: FrontGateOptions): FrontGate {
  const hosts = createHostPolicy(options.allowedHosts, options.host)
  const staticFiles = options.staticDir === undefined ? undefined : createStaticFiles(options.staticDir, options.html)
  const routes: ReservedRoutes = options.routes ?? new Map()
  return (req, res) => {
    const rejection = checkRequest(req, hosts)
    if (rejection) {
      const text = rejection.message + '\n'
      res.writeHead(rejection.status, {
        'content-type': 'text/plain; charset=utf-8',
        'content-length': Buffer.byteLength(text),
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
        // The body may still be on the wire, and the client may be hostile: do not wait for it.
        connection: 'close',
      })
      res.end(text)
      return true
    }
    if (req.url === '*') {
      // `OPTIONS *` asks about the server, not a resource: a Request cannot even hold that URL.
      res.writeHead(200, { allow: 'OPTIONS, GET, HEAD, POST, PUT, PATCH, DELETE', 'content-length': 0 })
      res.end()
      return true
    }
    const path = pathOf(req.url ?? '/')
    // The lean door serves neither (leanTargets): these are node:http's objects.
    if (isReserved(path)) {
      serveReserved(req as IncomingMessage, res as ServerResponse, path, routes)
      return true
    }
    if (staticFiles) return staticFiles(req as IncomingMessage, res as ServerResponse, path).then((served) => served !== 'pass')
    return false
  }
}

/**
 * Request targets the lean door may serve (lean/lean-door.ts): not hotcell's
 * own endpoints, whose live-reload stream is node:http's; not `*` or an
 * absolute-form target, which are rare.
 */
export function leanTargets(target: string): boolean {
  return target.startsWith('/') && !isReserved(pathOf(target))
}

/** The path of an origin-form or (already vetted) absolute-form target, still encoded, without query. */
function pathOf(target: string): string {
  const origin = target.startsWith('/') ? target : target.replace(/^https?:\/\/[^/?]*/i, '') || '/'
  const query = origin.indexOf('?')
  return query < 0 ? origin : origin.slice(0, query)
}
