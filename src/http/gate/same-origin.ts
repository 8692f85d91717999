// Guards for hotcell's own endpoints under /__hotcell/ (live reload and any
// later dev-internal action). A malicious page can make the developer's
// browser send requests here; these checks tell such requests apart
// (webpack-dev-server #5691, Vite's WebSocket token, Next GHSA-jcc7-9wpm-mj36).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { hostName } from './host-check.js'

/**
 * A fresh random secret per process. Pages hotcell serves embed it (the
 * live-reload client will); a page on another origin cannot read it.
 */
export const PROCESS_TOKEN = randomBytes(32).toString('base64url')

/** Where a reserved endpoint's token is read from: `?token=` or this header. */
export const TOKEN_HEADER = 'x-hotcell-token'

export type GuardVerdict = { ok: true } | { ok: false; status: 403; reason: string }

/**
 * The check every state-changing or data-leaking /__hotcell/ endpoint calls
 * before doing anything: same-origin, and the process token.
 */
export function guardHotcellEndpoint(req: IncomingMessage, token = PROCESS_TOKEN): GuardVerdict {
  if (!isSameOriginRequest(req)) return { ok: false, status: 403, reason: 'cross-origin request to a hotcell endpoint' }
  if (!hasValidToken(req, token)) return { ok: false, status: 403, reason: 'missing or wrong hotcell token' }
  return { ok: true }
}

/**
 * Sec-Fetch-Site is authoritative when a browser sent it (`same-origin`, or
 * `none` for a URL typed by the user). Without it, a request with no Origin is
 * not from a browser page (curl, scripts) and passes; an Origin must name this
 * very server. `Origin: null` (sandboxed frames, file://) is cross-site.
 */
export function isSameOriginRequest(req: IncomingMessage): boolean {
  const site = header(req, 'sec-fetch-site')
  if (site !== undefined) return site === 'same-origin' || site === 'none'
  const origin = header(req, 'origin')
  if (origin === undefined) return true
  if (origin === 'null') return false
  const host = header(req, 'host')
  const secure = (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true
  return host !== undefined && sameAuthority(origin, host, secure)
}

/** A browser's no-cors subresource load (`<script src>`, `<img>`) from another site. */
export function isCrossSiteNoCors(req: IncomingMessage): boolean {
  return header(req, 'sec-fetch-site') === 'cross-site' && header(req, 'sec-fetch-mode') === 'no-cors'
}

/** Constant-time, whatever the length of the presented token. */
export function hasValidToken(req: IncomingMessage, token = PROCESS_TOKEN): boolean {
  const presented = header(req, TOKEN_HEADER) ?? tokenFromQuery(req.url ?? '')
  if (!presented) return false
  // Hashing first makes both sides 32 bytes, so timingSafeEqual never throws
  // and the comparison time does not depend on where the strings differ.
  return timingSafeEqual(digest(presented), digest(token))
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest()
}

function tokenFromQuery(target: string): string | undefined {
  const query = target.indexOf('?')
  if (query < 0) return undefined
  return new URLSearchParams(target.slice(query + 1)).get('token') ?? undefined
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1'])

/** Origin `scheme://host:port` against the Host header; loopback spellings are one machine. */
/** Does `origin` name this server: its scheme (https over TLS), host and port (the scheme's default when Host has none)? */
function sameAuthority(origin: string, host: string, secure: boolean): boolean {
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return false
  }
  if (url.protocol !== (secure ? 'https:' : 'http:')) return false
  const originName = hostName(url.host)
  const hostHeaderName = hostName(host)
  if (originName === undefined || hostHeaderName === undefined) return false
  const defaultPort = secure ? '443' : '80'
  const originPort = url.port || defaultPort
  const hostPort = /:(\d+)$/.exec(host.startsWith('[') ? host.slice(host.indexOf(']')) : host)?.[1] ?? defaultPort
  if (originPort !== hostPort) return false
  if (originName === hostHeaderName) return true
  return LOOPBACK.has(originName) && LOOPBACK.has(hostHeaderName)
}
