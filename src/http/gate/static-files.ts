// `--static <dir>`: files answered by the main thread before the handler.
// The only module importing `send` (expressjs): it does ETag, Last-Modified,
// conditional GET (304), Range/If-Range and HEAD the way Express does.
// hotcell decides WHICH file first (decode once, deny list, real-path
// containment), then hands send a path it can only read as that file.
import { realpath, stat } from 'node:fs/promises'
import { realpathSync, statSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { dirname, join, relative, resolve, sep } from 'node:path'
import type sendType from 'send'
import { HotcellError } from '../../errors.js'
import type { HtmlFileInjector } from '../../reload/browser-reload.js'
import { isCrossSiteNoCors } from './same-origin.js'
import { sendHtmlWithScript } from './static-html.js'
import { dynamicImport } from '../../dynamic-import.js'

/** What happened to a request: answered here, or left for the handler. */
export type StaticOutcome = 'served' | 'refused' | 'pass'

export type StaticFiles = (req: IncomingMessage, res: ServerResponse, path: string) => Promise<StaticOutcome>

// Secrets that live in project folders (Vite's deny defaults, #22707), matched
// case-insensitively on every path segment, requested or real.
const DENIED_NAMES = /^(?:\.env(?:\..*)?|\.npmrc|\.yarnrc\.yml|\.git|.*\.(?:pem|key|crt|p12|pfx|cer|der))$/i

/**
 * `path` is the request path without query, exactly as received (still
 * percent-encoded). Denied and malformed paths are refused with the same 404
 * whether or not a file exists, so the answer reveals nothing. With `html`
 * (live reload on), HTML files opened in a tab get its script.
 */
export function createStaticFiles(dir: string, html?: HtmlFileInjector): StaticFiles {
  const root = realpathSync(dir)
  return async (req, res, path) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return 'pass'
    const wanted = decodedSegments(path)
    if (wanted === undefined || wanted.some(isSecretName)) return refuse(res)

    let file = await resolveInside(root, join(root, ...wanted))
    if (file === 'outside') return refuse(res)
    // Routes such as /.auth/login or /.netlify/functions/x belong to the handler
    // when no such file is here; a dotfile that is here is never served.
    if (file === undefined) return 'pass'
    if (wanted.some(isDotName)) return refuse(res)
    let info = await stat(file)
    if (info.isDirectory()) {
      file = await resolveInside(root, join(file, 'index.html'))
      if (file === 'outside') return refuse(res)
      if (file === undefined) return 'pass'
      // As send and express.static do: a page at /sub would resolve its relative links against /.
      if (!path.endsWith('/')) return redirectToFolder(req, res, wanted)
      info = await stat(file)
    }
    if (!info.isFile()) return 'pass'
    const real = relative(root, file).split(sep)
    if (real.some(isDenied)) return refuse(res)
    if (isCrossSiteNoCors(req)) return forbidCrossSite(res)
    if (html && (await sendHtmlWithScript(req, res, file, html))) return 'served'
    return sendFile(req, res, root, real)
  }
}

/** Validates the `static` option: an existing folder, resolved against cwd. */
export function mustBeStaticDir(value: unknown, cwd: string, name = 'static'): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value === '') throw new HotcellError('ERR_INVALID_OPTION', `${name} must name a folder (got ${JSON.stringify(value)})`)
  const dir = resolve(cwd, value)
  const stats = statSync(dir, { throwIfNoEntry: false })
  if (!stats) throw new HotcellError('ERR_INVALID_OPTION', `${name} folder not found: ${value} (looked in ${cwd})`)
  // `--static index.html` is the page meant to be served: "not found" of a file that is right there sent the user looking for a typo.
  if (stats.isFile()) {
    const holder = relative(cwd, dirname(dir))
    const shown = holder === '' ? './' : holder.startsWith('..') ? dirname(dir) : holder
    throw new HotcellError('ERR_INVALID_OPTION', `${name} must be a folder, but ${value} is a file; give the folder that holds it: ${shown}`)
  }
  if (!stats.isDirectory()) throw new HotcellError('ERR_INVALID_OPTION', `${name} must be a folder, but ${value} is not one`)
  return dir
}

/**
 * The path's segments decoded exactly once, or undefined for anything a file
 * lookup must not see: encoded separators or NUL, backslashes (a separator on
 * Windows, Vite CVE-2025-62522), `.`/`..` segments before or after decoding
 * (`/.env/.`, Vite CVE-2025-46565), bad percent-encoding.
 */
function decodedSegments(path: string): string[] | undefined {
  if (/%(?:2f|5c|00)|\\|\0/i.test(path)) return undefined
  let decoded: string
  try {
    decoded = decodeURIComponent(path)
  } catch {
    return undefined
  }
  const segments = decoded.split('/').filter((s) => s !== '')
  if (segments.some((s) => s === '.' || s === '..' || s.includes('\\') || s.includes('\0'))) return undefined
  return segments
}

// Secrets: refused whether or not they exist, so that the answer reveals nothing.
function isSecretName(segment: string): boolean {
  return DENIED_NAMES.test(segment)
}

// Any other dotfile or dot-folder, except /.well-known/ (RFC 8615 URLs that apps and tools expect).
function isDotName(segment: string): boolean {
  return segment.startsWith('.') && segment.toLowerCase() !== '.well-known'
}

function isDenied(segment: string): boolean {
  return isSecretName(segment) || isDotName(segment)
}

/** The real path of `candidate` if it exists inside `root` (symlinks followed), 'outside' if it leaves it. */
async function resolveInside(root: string, candidate: string): Promise<string | 'outside' | undefined> {
  let real: string
  try {
    real = await realpath(candidate)
  } catch {
    return undefined
  }
  return real === root || real.startsWith(root + sep) ? real : 'outside'
}

/**
 * 301 to the folder's own address. Built from the decoded segments, encoded
 * again: the request's raw path could start with '//', which a browser
 * would follow to another host.
 */
function redirectToFolder(req: IncomingMessage, res: ServerResponse, segments: string[]): StaticOutcome {
  const url = req.url ?? '/'
  const query = url.includes('?') ? url.slice(url.indexOf('?')) : ''
  const location = `/${segments.map(encodeURIComponent).join('/')}/${query}`
  const text = `Redirecting to ${location}\n`
  res.writeHead(301, { location, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) })
  res.end(req.method === 'HEAD' ? undefined : text)
  return 'served'
}

function refuse(res: ServerResponse): StaticOutcome {
  const text = 'Not found\n'
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), 'x-content-type-options': 'nosniff' })
  res.end(text)
  return 'refused'
}

/** 416 or 412 with the headers send set (Content-Range, ETag, Last-Modified). */
function unsatisfiable(res: ServerResponse, status: 412 | 416): StaticOutcome {
  const text = status === 416 ? 'Range Not Satisfiable\n' : 'Precondition Failed\n'
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), 'x-content-type-options': 'nosniff' })
  res.end(text)
  return 'served'
}

// Another site's <script src>/<img> may not pull the project's files (wds CVE-2025-30359).
function forbidCrossSite(res: ServerResponse): StaticOutcome {
  const text = 'Cross-site loads of these files are blocked.\n'
  res.writeHead(403, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cross-origin-resource-policy': 'same-site',
    'x-content-type-options': 'nosniff',
  })
  res.end(text)
  return 'refused'
}

// Loaded on the first file served: send and its dependencies took ~45 ms to
// import, on the start path of every server, --static or not.
let loadSend: Promise<typeof sendType> | undefined

async function sendFile(req: IncomingMessage, res: ServerResponse, root: string, segments: string[]): Promise<StaticOutcome> {
  // send decodes its path once: give it the real relative path, encoded, so
  // a file named "100%.txt" stays that file and nothing is decoded twice.
  const encoded = '/' + segments.map(encodeURIComponent).join('/')
  loadSend ??= dynamicImport<{ default: typeof sendType }>('send').then((m) => m.default)
  const send = await loadSend
  return new Promise((resolveOutcome) => {
    // dotfiles: 'allow' because the deny list above already ran on these very segments (and lets /.well-known/ through).
    const stream = send(req, encoded, { root, dotfiles: 'allow', index: false, cacheControl: true, maxAge: 0 })
    stream.on('headers', (response: ServerResponse) => {
      response.setHeader('x-content-type-options', 'nosniff')
      // Another port on localhost (a frontend dev server) is same-site and may embed these files.
      response.setHeader('cross-origin-resource-policy', 'same-site')
    })
    stream.on('error', (error: { status?: number }) => {
      if (res.headersSent) res.destroy()
      // A range past the file's end, a failed If-Match or If-Unmodified-Since:
      // the file exists and send's headers (Content-Range: bytes */size, the
      // validators) say why. Anything else is the same 404 as a refused path.
      else if (error?.status === 416 || error?.status === 412) return resolveOutcome(unsatisfiable(res, error.status))
      else {
        // send may have set the file's validators and Content-Range already: a 404 carries none.
        for (const name of res.getHeaderNames()) res.removeHeader(name)
        refuse(res)
      }
      resolveOutcome('refused')
    })
    stream.on('end', () => resolveOutcome('served'))
    // 304 and HEAD finish without 'end'.
    res.once('finish', () => resolveOutcome('served'))
    res.once('close', () => resolveOutcome('served'))
    stream.pipe(res)
  })
}
