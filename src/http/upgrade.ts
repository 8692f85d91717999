// The server's 'upgrade' listener. A WebSocket handshake passes the same
// checks as a request (malformed shapes, the Host guard, /__hotcell/) and an
// Origin check of its own, before any of the app's code runs; then its
// connection is carried to a worker of the serving generation
// (pool/worker-sockets.ts). Other upgrades (h2c…) are ordinary requests.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Socket } from 'node:net'
import { renderText, type ErrorView } from '../report/error-page.js'
import { redactedView } from '../report/exposure.js'
import type { Logger } from '../report/logger.js'
import type { Target } from './dispatch.js'
import { createHostPolicy, type AllowedHosts } from './gate/host-check.js'
import { checkRequest } from './gate/request-guard.js'
import { isReserved } from './gate/reserved-routes.js'
import { createOriginCheck } from './websocket-origin.js'
import { absoluteUrl } from './absolute-url.js'
import type { Tunnel } from '../pool/socket-tunnel.js'
import type { NoAnswer } from '../pool/tunnel-events.js'
import { CLOSE_INTERNAL_ERROR, CLOSE_MESSAGE_TOO_BIG } from '../pool/websocket-frames.js'
import { FAILURE_TITLES, formatMs, loadFailureTitle } from '../report/fault-views.js'
import { fixHint, type Refresh } from '../report/serving-state.js'
import type { ProjectRoots } from '../report/source-files.js'

// Not an ESM import of node:http (docs/architecture.md#builtins).
const { ServerResponse: NodeServerResponse, STATUS_CODES } = process.getBuiltinModule('node:http')

export interface UpgradeOptions {
  target(): Target | Promise<Target>
  allowedHosts: AllowedHosts
  /** The interface bound: a name given with --host is allowed as a Host and as an Origin. */
  host: string
  /** Client messages larger than this close the WebSocket with 1009. */
  maxMessage: number
  /** The app must answer the handshake within this long (504 otherwise). */
  timeoutMs: number
  roots: ProjectRoots
  /** Whether this client may see stacks and source on error pages. */
  details(req: IncomingMessage): boolean
  logger: Logger
  /** Serves an upgrade that is not a WebSocket as the ordinary request it also is. */
  serve(req: IncomingMessage, res: ServerResponse): void
  /** Whether a save reloads (not with --no-reload), and whether serve() started the server: the error page says how to get fixed code served. */
  refresh: Refresh
}

export interface UpgradeHandler {
  (req: IncomingMessage, socket: Duplex, head: Buffer): void
  /** Close every WebSocket with `code` and refuse new ones; resolves once the connections are gone (at most ~2 s). */
  closeAll(code: number, reason: string): Promise<void>
}

let nextId = 0
/** At shutdown, how long WebSockets get to finish their closing handshake. */
const SHUTDOWN_WAIT_MS = 2_500

export function createUpgradeHandler(options: UpgradeOptions): UpgradeHandler {
  const { logger } = options
  const hosts = createHostPolicy(options.allowedHosts, options.host)
  const originAllowed = createOriginCheck(options.allowedHosts, options.host)
  const open = new Set<Tunnel>()
  let closed: { code: number; reason: string } | undefined

  const handler = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {}) // a reset client; nothing to tell it
    if (!wantsWebSocket(req)) return serveAsRequest(req, socket, head, options.serve)
    const id = ++nextId
    const started = performance.now()
    const log = (status: number, worker?: number) =>
      logger.request({
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        status,
        ms: performance.now() - started,
        ...(worker === undefined ? {} : { worker }),
      })
    const refuse = (status: number, text: string, headers: string[] = []) => {
      log(status)
      socket.end(answer(status, text, headers))
    }

    const rejection = checkRequest(req, hosts)
    if (rejection) return refuse(rejection.status, rejection.message + '\n')
    if (isReserved(pathOf(req.url ?? '/'))) return refuse(404, 'Not found: /__hotcell/ is reserved for hotcell itself.\n')
    const origin = originAllowed(req)
    if (!origin.ok) {
      return refuse(
        403,
        `Blocked WebSocket: a page on ${origin.origin} may not connect to this server (cross-site WebSocket hijacking protection).\n` +
          `Pages of this server and of localhost may. If you expect this origin, start hotcell with --allowed-hosts ${nameOf(origin.origin)}\n`,
      )
    }
    if (closed) return refuse(503, 'The server is shutting down.\n')

    const request = { method: req.method ?? 'GET', url: absoluteUrl(req) }
    const page = (view: ErrorView, headers: string[] = []) => {
      const details = options.details(req)
      const shown = details ? view : redactedView(view, id)
      return answer(view.status, renderText(shown, { roots: options.roots, details }), headers)
    }

    const start = async () => {
      for (let attempt = 0; attempt < 2; attempt++) {
        const target = await options.target()
        if (socket.destroyed) return
        if (target.kind === 'failure') {
          log(target.view.status)
          return void socket.end(page({ ...target.view, request }))
        }
        // The entry failed to import, or kills its workers in a loop (then none may be left to say so).
        const broken = target.generation.loadError
        if (broken) {
          log(500)
          return void socket.end(
            page({
              status: 500,
              title: loadFailureTitle(target.generation.loadPhase, broken),
              error: broken,
              hint: fixHint(options.refresh, 'the code'),
              request,
            }),
          )
        }
        const address = socket as Socket
        // Its workers may all be gone, their replacements booting: wait for one, as a request waits.
        if (!(await target.generation.sockets.whenWorker(options.timeoutMs === Infinity ? 2 ** 31 - 1 : options.timeoutMs))) continue
        if (socket.destroyed) return
        const tunnel = target.generation.sockets.open(
          {
            method: request.method,
            url: request.url,
            target: req.url ?? '/',
            headers: req.rawHeaders,
            remoteAddress: address.remoteAddress ?? '',
            remotePort: address.remotePort ?? 0,
            localAddress: address.localAddress ?? '',
            localPort: address.localPort ?? 0,
            encrypted: (socket as { encrypted?: boolean }).encrypted === true,
            maxMessage: options.maxMessage,
          },
          socket,
          {
            onResponse: (status) => log(status, tunnel!.threadId),
            onNoAnswer: (reason) => {
              const view = noAnswerView(reason, request, options.timeoutMs)
              if (reason.kind === 'failed' ? reason.phase !== 'import' && reason.phase !== 'shape' : reason.kind !== 'gone') {
                logger.error(renderText(view, { roots: options.roots, details: true }))
              }
              log(view.status, tunnel!.threadId)
              tunnel!.respond(page(view, reason.kind === 'gone' ? ['retry-after', '0'] : []))
            },
            onClosedByHotcell: (code, reason) => {
              if (code === CLOSE_MESSAGE_TOO_BIG)
                logger.warn(
                  `hotcell: closed the WebSocket ${req.url} with ${code}: a client message was larger than --body-limit (${options.maxMessage} bytes).`,
                )
              if (code === CLOSE_INTERNAL_ERROR) logger.warn(`hotcell: closed the WebSocket ${req.url} with ${code}: ${reason}.`)
            },
            onEnd: () => open.delete(tunnel!),
          },
        )
        // A generation that retired meanwhile takes no more: the next one will.
        if (!tunnel) continue
        open.add(tunnel)
        if (closed) tunnel.close(closed.code, closed.reason)
        return tunnel.start(head, options.timeoutMs)
      }
      log(503)
      socket.end(answer(503, 'No worker can take this WebSocket right now. Retry shortly.\n', ['retry-after', '1']))
    }
    start().catch((error: unknown) => {
      logger.error(`hotcell: internal error while upgrading ${req.url}: ${(error as Error)?.stack ?? String(error)}`)
      socket.destroy()
    })
  }

  return Object.assign(handler, {
    async closeAll(code: number, reason: string): Promise<void> {
      closed ??= { code, reason }
      const tunnels = [...open]
      const ending = tunnels.map((tunnel) => new Promise<void>((resolve) => tunnel.socket.once('close', () => resolve())))
      for (const tunnel of tunnels) tunnel.close(code, reason)
      // A handshake the app has not answered yet does not hold the shutdown up.
      let timer: NodeJS.Timeout | undefined
      await Promise.race([Promise.all(ending), new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_WAIT_MS)))])
      clearTimeout(timer)
      for (const tunnel of tunnels) tunnel.socket.destroy()
    },
  })
}

function wantsWebSocket(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').split(',').some((token) => token.trim().toLowerCase() === 'websocket')
}

/**
 * Node hands every upgrade to 'upgrade' listeners once there is one. One
 * that is not a WebSocket (h2c, say) is served as the request it also is,
 * and the connection closes after the answer. A body came with the head.
 */
function serveAsRequest(req: IncomingMessage, socket: Duplex, head: Buffer, serve: UpgradeOptions['serve']): void {
  if (head.byteLength > 0) {
    const length = Number(req.headers['content-length'] ?? NaN)
    if (!(head.byteLength >= length))
      return void socket.end(
        answer(400, `Bad request: hotcell serves Upgrade: ${req.headers.upgrade} as a plain request, and its body must come with its head.\n`),
      )
    req.unshift(head.subarray(0, length))
  }
  const res = new NodeServerResponse(req)
  res.shouldKeepAlive = false
  res.assignSocket(socket as Socket)
  // The socket's 'close' then closes the response, as in Node's server.
  res.once('finish', () => socket.end())
  serve(req, res)
}

function noAnswerView(reason: NoAnswer, request: ErrorView['request'], timeoutMs: number): ErrorView {
  switch (reason.kind) {
    case 'failed': {
      const titles = {
        import: 'The entry threw while being imported',
        shape: 'The entry does not export a handler',
        handler: 'The WebSocket handshake threw an error',
        result: 'The handler did not return a Response to the WebSocket handshake',
        stream: 'The response body stream failed',
        uncaught: FAILURE_TITLES.uncaught,
        rejection: FAILURE_TITLES.rejection,
      } as const
      return { status: 500, title: titles[reason.phase], error: reason.error, request }
    }
    case 'lost':
      return { status: 502, title: 'The worker handling this WebSocket handshake died', hint: 'The worker was replaced; connect again.', request }
    case 'gone':
      return { status: 503, title: 'hotcell reloaded the code while this WebSocket was being opened', hint: 'Connect again: the new code answers.', request }
    case 'timeout':
      return {
        status: 504,
        title: `The WebSocket handshake was not answered within ${formatMs(timeoutMs)}`,
        hint: "An 'upgrade' listener must answer (ws's handleUpgrade) or destroy the socket. Raise the limit with --timeout (e.g. --timeout 60s; timeout in hotcell.config.ts or serve()) if it is meant to take this long.",
        request,
      }
  }
}

/** A complete HTTP/1.1 answer of hotcell's own; the connection closes after it. */
function answer(status: number, text: string, headers: string[] = []): Buffer {
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'content-type: text/plain; charset=utf-8',
    `content-length: ${Buffer.byteLength(text)}`,
    'cache-control: no-store',
    'x-content-type-options: nosniff',
    'connection: close',
  ]
  for (let i = 0; i < headers.length; i += 2) lines.push(`${headers[i]}: ${headers[i + 1]}`)
  return Buffer.from(lines.join('\r\n') + '\r\n\r\n' + text)
}

function pathOf(target: string): string {
  const origin = target.startsWith('/') ? target : target.replace(/^https?:\/\/[^/?]*/i, '') || '/'
  const query = origin.indexOf('?')
  return query < 0 ? origin : origin.slice(0, query)
}

function nameOf(origin: string): string {
  try {
    const name = new URL(origin).hostname
    return /^[a-z0-9.[\]:_-]+$/i.test(name) ? name : '<name>'
  } catch {
    return '<name>'
  }
}
