// Request shapes Node's strict parser lets through unchanged (measured with
// raw sockets on Node 20.20: two Host headers, HTTP/1.0 without Host, an
// absolute-form target naming another host, `#` in the target, `..` and
// `%2e%2e` segments) and that a dev server must not: they are how rebinding and path tricks get
// past checks that look at one header or one spelling of the path.
import type { RequestIn } from '../exchange.js'
import type { HostPolicy } from './host-check.js'
import { countHeader, rawHeader } from '../raw-header.js'

export interface Rejection {
  status: 400 | 403 | 404
  message: string
}

/** Undefined when the request may go on; otherwise the answer to give instead. */
export function checkRequest(req: RequestIn, hosts: HostPolicy): Rejection | undefined {
  const target = req.url ?? ''
  // RFC 9112 forbids a fragment in the request-target; Node passes it through,
  // and checks that split at '#' disagree with ones that do not (Vite CVE-2025-32395).
  if (target.includes('#')) return bad('the request target contains "#"')

  const raw = req.rawHeaders
  const hostHeaders = countHeader(raw, 'host')
  if (hostHeaders > 1) return bad('the request has more than one Host header')
  // Node requires Host for HTTP/1.1 only; HTTP/1.0 and 0.9 requests without one
  // would skip the allow-list below.
  const host = hostHeaders === 0 ? '' : rawHeader(raw, 'host')!.trim()
  if (host === '') return bad('the request has no Host header')

  // llhttp accepts spellings such as ",chunked" as chunked; a proxy in front
  // may not. Only the one unambiguous spelling goes on (two headers, which
  // Node would join with a comma, are not it either).
  const te = rawHeader(raw, 'transfer-encoding')
  if (te !== undefined && (te.trim().toLowerCase() !== 'chunked' || countHeader(raw, 'transfer-encoding') > 1))
    return bad('Transfer-Encoding must be exactly "chunked"')

  if (target === '*') {
    return req.method === 'OPTIONS' ? undefined : bad('"*" is a request target for OPTIONS only')
  }
  if (!target.startsWith('/')) {
    // Absolute-form (`GET http://other.example/x`): its authority wins over Host
    // (RFC 9112 §3.2.2), so it must pass the same allow-list.
    const authority = absoluteAuthority(target)
    if (authority === undefined || !hosts.allows(authority)) return bad('the request target names a host this server does not answer for')
  }
  if (!hosts.allows(host)) {
    return {
      status: 403,
      message:
        `Blocked request: the host "${host}" is not allowed (DNS-rebinding protection).\n` +
        `If you expect this host, start hotcell with --allowed-hosts ${suggestion(host)}`,
    }
  }
  return undefined
}

function bad(reason: string): Rejection {
  return { status: 400, message: `Bad request: ${reason}.` }
}

function absoluteAuthority(target: string): string | undefined {
  const match = /^https?:\/\/([^/?#@]+)(?:[/?]|$)/i.exec(target)
  return match?.[1]
}

function suggestion(host: string): string {
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, '')
  return /^[a-z0-9.[\]:_-]+$/i.test(name) ? name : '<name>'
}
