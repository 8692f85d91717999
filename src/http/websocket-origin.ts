// Cross-site WebSocket hijacking: a page on any site may open a WebSocket to
// localhost, and the browser sends the developer's cookies with it; unlike
// fetch(), nothing stops the page from reading the answers. Browsers always
// send Origin with a WebSocket handshake, so the check is on Origin (webpack-
// dev-server CVE-2018-14732 and CVE-2025-30360, Vite's WebSocket token).
import type { IncomingMessage } from 'node:http'
import { isIP } from 'node:net'
import { createHostPolicy, hostName, type AllowedHosts } from './gate/host-check.js'

export type OriginVerdict = { ok: true } | { ok: false; origin: string }

/**
 * Which pages may open a WebSocket to this server: any client that sends no
 * Origin (not a browser: curl, a test, another server); pages of this very
 * server; pages served from this machine (`localhost`, `*.localhost`,
 * loopback addresses, any port: a front end on its own dev server); pages on
 * names listed with --allowed-hosts. Not `Origin: null` (sandboxed frames,
 * file://), and not other IP addresses, which any site could be served from.
 */
export function createOriginCheck(allowedHosts: AllowedHosts, bindHost: string): (req: IncomingMessage) => OriginVerdict {
  // 'all' switches the Host guard off; it does not make every site trusted.
  const listed = allowedHosts === 'all' ? undefined : createHostPolicy(allowedHosts, bindHost)
  return (req) => {
    const origin = header(req, 'origin') ?? header(req, 'sec-websocket-origin')
    if (origin === undefined) return { ok: true }
    const refused = { ok: false as const, origin }
    let url: URL
    try {
      url = new URL(origin)
    } catch {
      return refused
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return refused
    const name = hostName(url.host)
    if (name === undefined) return refused
    if (isLoopback(name)) return { ok: true }
    const host = header(req, 'host')
    if (host !== undefined && sameAuthority(url, host)) return { ok: true }
    if (listed && isIP(name) === 0 && listed.allows(url.host)) return { ok: true }
    return refused
  }
}

function isLoopback(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost') || name === '::1' || (isIP(name) === 4 && name.startsWith('127.'))
}

/** Origin `scheme://host:port` names the server the request came to (its Host header). */
function sameAuthority(origin: URL, host: string): boolean {
  const port = origin.port || (origin.protocol === 'https:' ? '443' : '80')
  const hostPort = /:(\d+)$/.exec(host.startsWith('[') ? host.slice(host.indexOf(']')) : host)?.[1] ?? (origin.protocol === 'https:' ? '443' : '80')
  return port === hostPort && hostName(origin.host) === hostName(host)
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}
