// Who may see what, once the server is reachable from other machines. Error
// pages carry stacks and source; they are for the developer at this machine.
import { networkInterfaces } from 'node:os'
import type { RequestIn } from '../http/exchange.js'
import { isIPv4, isIPv6 } from 'node:net'
import type { ErrorView } from './error-page.js'

/** 127.0.0.0/8, ::1 and their IPv4-mapped spellings. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address
  if (isIPv4(v4)) return v4.startsWith('127.')
  return address === '::1'
}

/** True when the bind address is reachable only from this machine. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || isLoopbackAddress(host)
}

/** Whether this request may see stacks and source: loopback clients, or everyone with --expose-errors. */
export function detailsFor(exposeErrors: boolean): (req: RequestIn) => boolean {
  return (req) => exposeErrors || isLoopbackAddress(req.socket.remoteAddress)
}

/** The page a remote client gets instead: what failed, a request id, no stack, no source, no message. */
export function redactedView(view: ErrorView, requestId: number): ErrorView {
  const redacted: ErrorView = {
    status: view.status,
    title: view.title,
    hint: `Details are shown only to clients on the server's machine; look for request #${requestId} in the hotcell terminal (or start hotcell with --expose-errors).`,
    request: { method: view.request.method, url: view.request.url },
  }
  return redacted
}

/** Every URL the server answers on, for a bind address that is not loopback. `scheme`: what the port speaks (https with --https or --cert). */
export function networkUrls(host: string, port: number, scheme: 'http' | 'https' = 'http'): string[] {
  const wildcard = host === '0.0.0.0' || host === '::'
  if (!wildcard) return [`${scheme}://${isIPv6(host) ? `[${host}]` : host}:${port}`]
  const urls: string[] = []
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      // Node listening on '::' also accepts IPv4; '0.0.0.0' only IPv4.
      if (a.family === 'IPv6' && host !== '::') continue
      if (a.family === 'IPv6' && a.scopeid) continue // link-local needs a zone id; not a URL to paste
      if (a.internal) continue // loopback: the ready line above names it already
      urls.push(`${scheme}://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${port}`)
    }
  }
  return urls
}

/**
 * Lines the CLI prints after the ready line (which names `readyUrl`) when the
 * bind host is not loopback-only: the other URLs, in the ready line's scheme
 * (a TLS port answers no http:// URL), and a warning.
 */
export function exposureLines(host: string, port: number, exposeErrors: boolean, allowAllHosts: boolean, readyUrl: string): string[] {
  const lines: string[] = []
  if (!isLoopbackHost(host)) {
    const ready = new URL(readyUrl)
    for (const url of networkUrls(host, port, ready.protocol === 'https:' ? 'https' : 'http')) if (new URL(url).href !== ready.href) lines.push(`  ${url}`)
    lines.push(
      `hotcell: warning: listening on ${host}, reachable from other machines; ${exposeErrors ? 'error details are shown to every client (--expose-errors)' : 'error pages hide details from them'}.`,
    )
  }
  if (allowAllHosts) lines.push('hotcell: warning: --allowed-hosts all turns off the DNS-rebinding guard: any web page can read this server.')
  return lines
}
