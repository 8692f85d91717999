// hotcell's own answer to a request it could not serve: its error page, as
// text, JSON (error-json.ts) or the browser page, with the details only for clients that may see
// them (exposure.ts). One response per request, never after its head.
import type { RequestIn, ResponseOut } from './exchange.js'
import { browserPage } from '../report/browser-page.js'
import { renderText, type ErrorView, type RenderOptions } from '../report/error-page.js'
import { renderJson, wantsJson } from '../report/error-json.js'
import { redactedView } from '../report/exposure.js'
import type { HtmlInjector } from '../reload/browser-reload.js'
import type { Logger } from '../report/logger.js'

export interface ErrorResponseOptions {
  roots: RenderOptions['roots']
  details(req: RequestIn): boolean
  logger: Logger
  html?: HtmlInjector | undefined
  /** Headers every response gets now (`connection: close` while shutting down). */
  extraHeaders(): string[]
}

/** Sends request `id`'s error page (`seen`: the live-reload version its page is from). Async: the browser page is rendered by Youch (youch-page.ts). Never rejects. */
export type SendPage = (id: number, seen: number, req: RequestIn, res: ResponseOut, shown: ErrorView, headers?: string[]) => Promise<void>

export function createErrorResponse({ roots, details: detailsFor, logger, html: injector, extraHeaders }: ErrorResponseOptions): SendPage {
  return async (id, seen, req, res, shown, headers = []) => {
    if (res.headersSent) return void res.destroy()
    const details = detailsFor(req)
    const view = details ? shown : redactedView(shown, id)
    // The terminal already has the full error (logged where it happened); the id ties the two together.
    if (!details && (shown.error || shown.text))
      logger.error(
        `hotcell: request #${id} (${shown.request.method} ${shown.request.url}) from ${req.socket.remoteAddress} got ${shown.status} ${shown.title}; details were hidden from that client`,
      )
    const accept = req.headers.accept
    const htmlPage = /\btext\/html\b/.test(accept ?? '') ? await browserPage(view, { roots, details }) : undefined
    const html = htmlPage !== undefined
    const json = !html && wantsJson(accept)
    const page = htmlPage ?? (json ? renderJson(view, { roots, details }) : renderText(view, { roots, details }))
    if (res.headersSent || res.destroyed) return
    const body = html && injector ? injector.page(req, page, seen) : page
    res.writeHead(view.status, [
      'content-type',
      html ? 'text/html; charset=utf-8' : json ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
      'content-length',
      String(Buffer.byteLength(body)),
      'cache-control',
      'no-store',
      'x-content-type-options',
      'nosniff',
      ...headers,
      ...extraHeaders(),
    ])
    res.end(body)
  }
}
