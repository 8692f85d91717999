// The DNS-rebinding guard. A page on attacker.example whose DNS record is
// switched to 127.0.0.1 talks to hotcell as if same-origin; only the Host
// header still says attacker.example (Vite CVE-2025-24010, Werkzeug
// CVE-2024-34069). Semantics follow Vite's `server.allowedHosts`.
import { isIP, isIPv6 } from 'node:net'
import { HotcellError } from '../../errors.js'

/** `'all'` turns the guard off; otherwise extra names on top of the built-in loopback names. */
export type AllowedHosts = readonly string[] | 'all'

export interface HostPolicy {
  /** True when `hostHeader` (a Host header or an absolute-form authority) may reach the server. */
  allows(hostHeader: string): boolean
}

/**
 * `localhost`, `*.localhost`, any IP literal and the bound host always pass;
 * `entries` adds names (`.example.com` = the apex and every subdomain).
 */
export function createHostPolicy(entries: AllowedHosts, bindHost: string): HostPolicy {
  if (entries === 'all') return { allows: () => true }
  const exact = new Set<string>()
  const suffixes: string[] = []
  for (const entry of [...entries, bindHost]) {
    const name = normalizeName(entry.startsWith('[') && entry.endsWith(']') ? entry.slice(1, -1) : entry)
    if (name.startsWith('.')) {
      exact.add(name.slice(1))
      suffixes.push(name)
    } else exact.add(name)
  }
  const decide = (hostHeader: string): boolean => {
    const name = hostName(hostHeader)
    if (name === undefined) return false
    if (isIP(name)) return true
    if (name === 'localhost' || name.endsWith('.localhost')) return true
    return exact.has(name) || suffixes.some((suffix) => name.endsWith(suffix))
  }
  // Every request asks, nearly always with the same few Host values; parsing
  // one (two regular expressions, isIP) cost ~3 % of a hello request's main-thread time.
  const decided = new Map<string, boolean>()
  return {
    allows(hostHeader) {
      let allowed = decided.get(hostHeader)
      if (allowed === undefined) {
        allowed = decide(hostHeader)
        // A client sending a new Host each time must not grow this without bound.
        if (decided.size >= DECIDED_LIMIT) decided.clear()
        decided.set(hostHeader, allowed)
      }
      return allowed
    },
  }
}

const DECIDED_LIMIT = 64

/**
 * The host name of a Host header without its port, lower-cased, or undefined
 * when the header is not a well-formed `host[:port]` (which never passes).
 */
export function hostName(header: string): string | undefined {
  let name: string
  let port: string | undefined
  if (header.startsWith('[')) {
    const close = header.indexOf(']')
    if (close < 0) return undefined
    name = header.slice(1, close)
    const rest = header.slice(close + 1)
    if (rest !== '' && !rest.startsWith(':')) return undefined
    port = rest === '' ? undefined : rest.slice(1)
    if (!isIPv6(name)) return undefined
  } else {
    const colon = header.lastIndexOf(':')
    name = colon < 0 ? header : header.slice(0, colon)
    port = colon < 0 ? undefined : header.slice(colon + 1)
    // A bare name never holds a colon: an unbracketed IPv6 or "a:b:c" is malformed.
    if (name.includes(':')) return undefined
    if (!/^[a-z0-9._-]+$/i.test(name)) return undefined
  }
  if (port !== undefined && !/^\d{1,5}$/.test(port)) return undefined
  return normalizeName(name)
}

// "localhost." is the fully qualified spelling of "localhost": DNS treats both alike.
function normalizeName(name: string): string {
  const lower = name.toLowerCase()
  return lower.endsWith('.') ? lower.slice(0, -1) : lower
}

/** Validates the `allowedHosts` option: 'all', or a list of host names / `.suffix` patterns. */
export function mustBeAllowedHosts(value: unknown, name = 'allowedHosts'): AllowedHosts {
  if (value === undefined) return Object.freeze([])
  if (value === 'all' || value === true) return 'all'
  const list = typeof value === 'string' ? value.split(',') : value
  if (!Array.isArray(list)) throw invalid(value, name)
  const names = list.map((item) => (typeof item === 'string' ? item.trim() : '')).filter((item) => item !== '')
  if (names.includes('all')) return 'all'
  for (const host of names) {
    const bare = host.startsWith('.') ? host.slice(1) : host
    if (!/^[a-z0-9._-]+$/i.test(bare) && !(bare.startsWith('[') && bare.endsWith(']') && isIPv6(bare.slice(1, -1)))) throw invalid(value, name)
  }
  return Object.freeze(names)
}

function invalid(value: unknown, name: string): HotcellError {
  return new HotcellError(
    'ERR_INVALID_OPTION',
    `${name} must be host names separated by commas, such as myapp.test,.example.com (a leading dot allows subdomains), or all (got ${JSON.stringify(value)})`,
  )
}
