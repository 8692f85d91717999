// A --static HTML file sent with the live-reload script, as the handler's
// pages are. The bytes sent are then not the file's, so `send`'s validators
// and ranges, which describe the file, would lie:
// - the ETag is a hash of the bytes sent. The script names the server
//   process (its token) and the reload count, so the ETag changes with every
//   reload: a tab revalidating after one gets the page with the new script,
//   never a 304 for the old one (which would reload it again at once);
// - no Last-Modified: the file's date does not change when the script does,
//   and If-Modified-Since alone would answer 304;
// - no ranges (Accept-Ranges: none, a Range is answered with the whole page):
//   a page is not resumed or seeked, and the script's offset moves with it.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { HtmlFileInjector } from '../../reload/browser-reload.js'

/** Files `send` types text/html (mime-types: .html, .htm, .shtml). */
const HTML_FILE = /\.(?:html?|shtml)$/i

/**
 * Answer `req` with `file` and the script in it; false (nothing sent) when it
 * does not get the script (not HTML, a fetch(), a <meta> policy that blocks
 * it) or cannot be read: `send` then sends the file as it is.
 */
export async function sendHtmlWithScript(req: IncomingMessage, res: ServerResponse, file: string, html: HtmlFileInjector): Promise<boolean> {
  if (!HTML_FILE.test(file)) return false
  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch {
    return false
  }
  const injected = html.file(req, ['content-type', 'text/html; charset=utf-8'], bytes)
  if (!injected) return false
  const etag = `"${createHash('sha1').update(injected.body).digest('base64url')}"`
  const validators = ['etag', etag, 'cache-control', 'no-cache']
  const guards = ['x-content-type-options', 'nosniff', 'cross-origin-resource-policy', 'same-site']
  const ifMatch = req.headers['if-match']
  if (ifMatch !== undefined && !matches(ifMatch, etag, false)) {
    res.writeHead(412, [...guards, 'content-length', '0'])
    res.end()
    return true
  }
  const ifNoneMatch = req.headers['if-none-match']
  if (ifNoneMatch !== undefined && matches(ifNoneMatch, etag, true)) {
    res.writeHead(304, [...validators, ...guards])
    res.end()
    return true
  }
  res.writeHead(200, [...injected.headers, ...validators, 'accept-ranges', 'none', ...guards])
  res.end(req.method === 'HEAD' ? undefined : injected.body)
  return true
}

/** Whether an If-Match / If-None-Match list names `etag` (`*` names any); If-None-Match compares weakly (RFC 9110 13.1). */
function matches(list: string, etag: string, weak: boolean): boolean {
  if (list.trim() === '*') return true
  return list.split(',').some((tag) => {
    const candidate = tag.trim()
    return candidate === etag || (weak && candidate === `W/${etag}`)
  })
}
