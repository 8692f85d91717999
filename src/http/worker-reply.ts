// A worker's whole response (not streamed) written to the client: a lent body
// straight from the worker's arena, else the inline body with live reload's
// script added to a page, each with its content-length.
import type { RequestIn, ResponseOut } from './exchange.js'
import type { TaskResult } from '../pool/protocol.js'
import { LentBody } from '../pool/body-arena.js'
import type { HtmlInjector } from '../reload/browser-reload.js'
import { sendLent } from './lent-reply.js'
import { rawHeader } from './raw-header.js'

export interface ReplyOptions {
  /** Live reload: adds its script to HTML pages. Absent with --no-live-reload. */
  html?: HtmlInjector | undefined
  /** True while shutting down: responses ask the client to close the connection. */
  closing(): boolean
}

/** Writes the worker's response to `res` (`seen`: the live-reload version its page is from); the caller has checked `res` is not destroyed. */
export type SendReply = (req: RequestIn, res: ResponseOut, seen: number, outcome: Extract<TaskResult, { kind: 'response' }>) => void

/**
 * Made once per dispatcher, called on every answered request: `options` is the
 * dispatcher's own, read per reply as before, so nothing is allocated here per
 * request that the dispatcher did not allocate already.
 */
export function createReplySender(options: ReplyOptions, extraHeaders: () => string[]): SendReply {
  return (req, res, seen, outcome) => {
    const body = outcome.body
    if (body instanceof LentBody) {
      // Never HTML (the worker keeps pages out of the arena): nothing for live reload to add.
      const headers = outcome.headers
      if (rawHeader(headers, 'content-length') === undefined) headers.push('content-length', String(body.bytes.byteLength))
      if (options.closing()) headers.push(...extraHeaders())
      return void sendLent(res, outcome.status, outcome.statusText || undefined, headers, body)
    }
    const injected = options.html?.inline(req, seen, outcome.status, outcome.headers, body)
    const headers = injected?.headers ?? outcome.headers
    const reply = typeof body === 'string' || body === null ? body : Buffer.from(body)
    if (reply !== null && !injected && rawHeader(headers, 'content-length') === undefined)
      headers.push('content-length', String(typeof reply === 'string' ? Buffer.byteLength(reply) : reply.byteLength))
    if (options.closing()) headers.push(...extraHeaders())
    res.writeHead(outcome.status, outcome.statusText || undefined, headers)
    // A string is written together with the head, in one write.
    res.end(injected?.body ?? reply ?? undefined)
  }
}
