// Pages whose Content-Security-Policy forbids inline scripts (Express's
// finalhandler sends `default-src 'none'`, helmet sends `script-src 'self'`)
// would silently never live-reload. In development hotcell adds a nonce for
// its own script to such a policy, as Vite's `cspNonce` does, and lets the
// script reach the live-reload stream ('self' in connect-src). Nothing else
// in the policy changes: every other script is allowed or refused as before.
import { randomBytes } from 'node:crypto'

const POLICY = /^content-security-policy(-report-only)?$/

export type CspVerdict =
  /** `headers` as they must be sent; `nonce` for the script tag when a policy needed one. */
  | { ok: true; headers: string[]; nonce: string | undefined }
  /** A policy that no nonce can open (a sandbox without scripts): why, in one clause. */
  | { ok: false; reason: string }

/** Make the response's policies admit hotcell's live-reload script and its stream. */
export function admitLiveReload(headers: string[]): CspVerdict {
  let nonce: string | undefined
  let out: string[] | undefined
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!.toLowerCase()
    if (!POLICY.test(name)) continue
    // One header field may carry several policies, separated by commas; each is enforced on its own.
    const policies = headers[i + 1]!.split(',')
    for (const [p, text] of policies.entries()) {
      const directives = parse(text)
      const sandbox = directives.get('sandbox')
      if (sandbox && !sandbox.includes('allow-scripts') && !name.endsWith('-report-only')) {
        return { ok: false, reason: 'its Content-Security-Policy has a sandbox without allow-scripts, so no script can run' }
      }
      let changed = false
      const [scriptName, scriptList] = effective(directives, ['script-src-elem', 'script-src', 'default-src'])
      if (scriptList && !allowsInline(scriptList)) {
        nonce ??= randomBytes(16).toString('base64')
        directives.set(scriptName === 'default-src' ? 'script-src' : scriptName, [...withoutNone(scriptList), `'nonce-${nonce}'`])
        changed = true
      }
      const [connectName, connectList] = effective(directives, ['connect-src', 'default-src'])
      if (connectList && !allowsSameOrigin(connectList)) {
        directives.set(connectName === 'default-src' ? 'connect-src' : connectName, [...withoutNone(connectList), "'self'"])
        changed = true
      }
      if (changed) policies[p] = serialize(directives)
    }
    const value = policies.join(',')
    if (value !== headers[i + 1]) {
      out ??= [...headers]
      out[i + 1] = value
    }
  }
  return { ok: true, headers: out ?? headers, nonce }
}

/** Directive names (lower case) to their source lists, in order. The first of a repeated name wins, as in browsers. */
function parse(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>()
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/)
    if (!name) continue
    const key = name.toLowerCase()
    if (!directives.has(key)) directives.set(key, values)
  }
  return directives
}

function serialize(directives: Map<string, string[]>): string {
  return [...directives].map(([name, values]) => [name, ...values].join(' ')).join('; ')
}

/** The directive that governs, by the CSP fallback order, or none (then everything is allowed). */
function effective(directives: Map<string, string[]>, order: string[]): [string, string[] | undefined] {
  for (const name of order) {
    const list = directives.get(name)
    if (list) return [name, list]
  }
  return ['', undefined]
}

/** 'unsafe-inline' counts only while no nonce, hash or 'strict-dynamic' is in the list (CSP3). */
function allowsInline(list: string[]): boolean {
  const lower = list.map((s) => s.toLowerCase())
  if (!lower.includes("'unsafe-inline'")) return false
  return !lower.some((s) => s.startsWith("'nonce-") || /^'sha(256|384|512)-/.test(s) || s === "'strict-dynamic'")
}

/** The page's own origin: 'self', or a bare `*` (which matches http and https). */
function allowsSameOrigin(list: string[]): boolean {
  return list.some((s) => s === '*' || s.toLowerCase() === "'self'")
}

function withoutNone(list: string[]): string[] {
  return list.filter((s) => s.toLowerCase() !== "'none'")
}

const META = /<meta\b[^>]*http-equiv\s*=\s*["']?content-security-policy["'\s>][^>]*>/i

/**
 * A policy in a <meta> tag of the page itself cannot be given a nonce from
 * the outside (it may arrive after the head was sent): say whether it keeps
 * the script out, so the terminal can tell why that page does not reload.
 */
export function metaPolicyBlocks(html: string): boolean {
  const tag = META.exec(html)?.[0]
  if (!tag) return false
  const content = /\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(tag)
  const policy = (content?.[1] ?? content?.[2] ?? '').replace(/&#39;|&apos;/g, "'").replace(/&quot;/g, '"')
  const [, list] = effective(parse(policy), ['script-src-elem', 'script-src', 'default-src'])
  return list !== undefined && !allowsInline(list)
}
