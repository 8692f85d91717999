// Browser live reload: HTML pages get a tiny script that listens on an SSE
// stream under /__hotcell/ and reloads the tab when the served code changed.
// The streams live here, in the main thread: they never touch a generation, so
// an open tab cannot keep retiring workers alive.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RequestIn } from '../http/exchange.js'
import type { ReservedHandler } from '../http/gate/reserved-routes.js'
import { guardHotcellEndpoint, PROCESS_TOKEN } from '../http/gate/same-origin.js'
import { admitLiveReload, metaPolicyBlocks } from './csp-nonce.js'
import { rawHeader } from '../http/raw-header.js'

export const LIVE_RELOAD_PATH = '/__hotcell/live-reload'

/** What the dispatcher asks before sending HTML to a browser. */
export interface HtmlInjector {
  /**
   * How many times the served code has changed. Read when a request arrives
   * and handed back with its page (`seen`): a change while the page was being
   * made (a swap, a fix) then reloads the tab as soon as its stream connects.
   */
  readonly version: number
  /** A complete (inline) response: the new headers and body, or undefined to send it unchanged. */
  inline(req: RequestIn, seen: number, status: number, headers: string[], body: ArrayBuffer | string | null): { headers: string[]; body: Buffer } | undefined
  /** A streamed response's head: the new headers and bytes to write before the end, or undefined. */
  streamed(req: RequestIn, seen: number, status: number, headers: string[]): { headers: string[]; tail: Buffer } | undefined
  /** hotcell's own HTML (error pages): with the script for a browser navigation only, as the app's pages. */
  page(req: RequestIn, html: string, seen: number): string
}

/** What --static asks before sending an HTML file (http/gate/static-html.ts). */
export interface HtmlFileInjector {
  /**
   * The file with the script, as a GET of it gets it: a HEAD is asked the
   * same, since its head must be the one GET would get. The headers have the
   * new Content-Length. Undefined to send the file as it is.
   */
  file(req: RequestIn, headers: string[], body: Buffer): { headers: string[]; body: Buffer } | undefined
}

export interface LiveReload extends HtmlInjector, HtmlFileInjector {
  /** The stream's endpoint (LIVE_RELOAD_PATH), for the server's reserved routes. */
  readonly serve: ReservedHandler
  /** The served code changed (a swap, or a build failure now shown): every open tab reloads. */
  changed(): void
  /** End every stream; the tabs' EventSource gets a 403 from any later process (new token) and stops. */
  close(): void
}

export interface LiveReloadOptions {
  /** Says once per page why it cannot live-reload (a policy that keeps the script out). */
  warn?(line: string): void
}

export function createLiveReload({ warn }: LiveReloadOptions = {}): LiveReload {
  const hub = new Hub()
  const told = new Set<string>()
  const cannot = (req: RequestIn, reason: string) => {
    const path = (req.url ?? '/').split('?')[0]!
    if (told.has(path)) return
    told.add(path)
    warn?.(`hotcell: ${path} will not live-reload: ${reason}. Reload that tab by hand.`)
  }
  /** The script, allowed by the page's policy; undefined (and said once) when no nonce can allow it. */
  const admit = (req: RequestIn, seen: number, headers: string[]) => {
    const verdict = admitLiveReload(headers)
    if (!verdict.ok) return void cannot(req, verdict.reason)
    return { headers: verdict.headers, script: Buffer.from(clientScript(seen, verdict.nonce)) }
  }
  return {
    get version() {
      return hub.version
    },
    serve(req, res) {
      const verdict = guardHotcellEndpoint(req)
      if (!verdict.ok) plain(res, verdict.status, verdict.reason + '\n')
      else hub.attach(req, res)
    },
    changed: () => hub.broadcast(),
    close: () => hub.close(),
    inline(req, seen, status, headers, body) {
      if (!body || !wantsScript(req, req.method, status, headers)) return undefined
      return inject(req, seen, headers, typeof body === 'string' ? Buffer.from(body) : Buffer.from(body))
    },
    file(req, headers, body) {
      if (!wantsScript(req, req.method === 'HEAD' ? 'GET' : req.method, 200, headers)) return undefined
      // A file on disk is not the served code: the page reloads on the next change after it was sent.
      return inject(req, hub.version, headers, body)
    },
    streamed(req, seen, status, headers) {
      if (!wantsScript(req, req.method, status, headers)) return undefined
      const allowed = admit(req, seen, headers)
      if (!allowed) return undefined
      // The body's end is not known in advance: the script goes after it (browsers
      // run it as part of <body>), and the length is left to chunked encoding.
      return { headers: withoutHeader(allowed.headers, 'content-length'), tail: allowed.script }
    },
    page(req, html, seen) {
      // htmx and fetch() ask for text/html too, and htmx runs the scripts it swaps in.
      if (!isNavigation(req)) return html
      const at = html.lastIndexOf('</body>')
      const tag = clientScript(seen)
      return at < 0 ? html + tag : html.slice(0, at) + tag + html.slice(at)
    },
  }

  /** A complete HTML body with the script in it, or undefined to leave it as it is. */
  function inject(req: RequestIn, seen: number, headers: string[], html: Buffer): { headers: string[]; body: Buffer } | undefined {
    const text = html.toString('latin1')
    const at = insertionPoint(text)
    // A fragment (`res.send('<h1>hi</h1>')`) opened in a tab is rendered as a
    // document, so it gets the script at its end (wantsScript already turned
    // away htmx, fetch() and tools).
    if (metaPolicyBlocks(text)) return void cannot(req, 'a <meta> Content-Security-Policy in the page blocks inline scripts')
    const allowed = admit(req, seen, headers)
    if (!allowed) return undefined
    const out = at < 0 ? Buffer.concat([html, allowed.script]) : Buffer.concat([html.subarray(0, at), allowed.script, html.subarray(at)])
    return { headers: [...withoutHeader(allowed.headers, 'content-length'), 'content-length', String(out.byteLength)], body: out }
  }
}

class Hub {
  /** Counts changes; a page carries the number it was served at, to catch a change that raced its stream. */
  version = 0
  readonly #clients = new Set<ServerResponse>()

  attach(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    })
    // Reconnect quickly after a network blip; a restarted process answers 403 (new token) and the tab stops trying.
    res.write('retry: 1000\n\n')
    const seen = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('v'))
    if (Number.isInteger(seen) && seen < this.version) res.write('event: reload\ndata: \n\n')
    this.#clients.add(res)
    res.once('close', () => this.#clients.delete(res))
  }

  broadcast(): void {
    this.version++
    for (const res of this.#clients) res.write(`event: reload\ndata: ${this.version}\n\n`)
  }

  close(): void {
    for (const res of this.#clients) res.end()
    this.#clients.clear()
  }
}

/**
 * The token lets the page through guardHotcellEndpoint; another origin cannot
 * read it from this page. EventSource reconnects by itself while the server is
 * away; a restarted hotcell has a new token and answers 403, which closes the
 * stream for good: then the page waits for the server to answer and reloads,
 * getting the new token. Only after the stream was once open, so a stream
 * refused from the start cannot cause a reload loop.
 */
function clientScript(version: number, nonce?: string): string {
  const url = `${LIVE_RELOAD_PATH}?token=${PROCESS_TOKEN}&v=${version}`
  return `<script${nonce ? ` nonce="${nonce}"` : ''}>(()=>{const s=new EventSource(${JSON.stringify(url)});let o=0;s.onopen=()=>{o=1};s.addEventListener("reload",()=>{s.close();location.reload()});s.onerror=()=>{if(s.readyState!==2||!o)return;const p=()=>fetch(location.href,{method:"HEAD",cache:"no-store"}).then(()=>location.reload(),()=>setTimeout(p,1000));setTimeout(p,500)};addEventListener("pagehide",()=>s.close())})()</script>`
}

/** HTML a browser renders as a document: not a HEAD, not compressed, asked for by a tab (not fetch()/XHR or a tool). */
function wantsScript(req: RequestIn, method: string | undefined, status: number, headers: string[]): boolean {
  if (method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200)) return false
  // The response's own headers first: on every response this runs, and most are not HTML.
  const type = rawHeader(headers, 'content-type')
  if (!type || !/^\s*text\/html\b/i.test(type)) return false
  const encoding = rawHeader(headers, 'content-encoding')
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') return false
  return isNavigation(req)
}

/**
 * A tab opening the page. Snapshot and integration tests (curl, fetch(),
 * urllib) must get the bytes the handler sent, so a client has to say it is a
 * browser navigation: Sec-Fetch-Dest (Sec-Fetch-Mode too, where sent; browsers
 * from before Sec-Fetch-Dest sent only the mode), or, from browsers without
 * Sec-Fetch-*, an Accept naming text/html (curl sends any type, urllib none).
 */
function isNavigation(req: RequestIn): boolean {
  const dest = rawHeader(req.rawHeaders, 'sec-fetch-dest')
  const mode = rawHeader(req.rawHeaders, 'sec-fetch-mode')
  if (mode !== undefined && mode !== 'navigate') return false
  if (dest !== undefined) return dest === 'document' || dest === 'iframe'
  if (mode !== undefined) return true
  return /\btext\/html\b/i.test(rawHeader(req.rawHeaders, 'accept') ?? '')
}

/** Before the last </body>, else before </html>; -1 when the body is no whole document. */
function insertionPoint(html: string): number {
  const text = html.toLowerCase()
  const body = text.lastIndexOf('</body')
  return body >= 0 ? body : text.lastIndexOf('</html')
}

function withoutHeader(flat: string[], name: string): string[] {
  const out: string[] = []
  for (let i = 0; i < flat.length; i += 2) if (flat[i]!.toLowerCase() !== name) out.push(flat[i]!, flat[i + 1]!)
  return out
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}
