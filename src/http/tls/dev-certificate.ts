// The certificate of `--https`: made once, kept in the user's cache folder,
// and reused by every later start (and every project) until it nears its end
// or a new name is needed. A browser's "proceed anyway" is tied to the
// certificate, so a certificate that changed on every start (Werkzeug's adhoc
// one does) would ask for it again each time.
import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto'
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { join } from 'node:path'
import { userCacheDir } from './cache-dir.js'
import { lockOrWait } from './certificate-lock.js'

/** One file holds key and certificate, so that a start never pairs the key of one with the certificate of another. */
export const DEV_CERTIFICATE_FILE = 'dev-certificate.pem'

const DAY_MS = 86_400_000
/** Well under the 825 days Apple's TLS stack accepts for a server certificate. */
const LIFETIME_DAYS = 365
/** Renewed this long before its end, so that it never expires during a session. */
const RENEW_BEFORE_DAYS = 30
/** Names always covered: every way a browser on this machine reaches a loopback server. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1']
/** Names of earlier --host values are kept (switching back reuses the certificate); past this many, only the current ones. */
const MAX_NAMES = 16

export interface DevCertificate {
  key: string
  cert: string
  /** Where it is kept (it may not have been written: see `stored`). */
  file: string
  /** Made by this call rather than read from the cache. */
  generated: boolean
  /** False when the cache folder could not be written: the certificate lives for this process only. */
  stored: boolean
  names: readonly string[]
  /** SHA-256, as browsers show it. */
  fingerprint: string
  validTo: Date
}

export interface DevCertificateOptions {
  /** The --host value: covered too when it names one interface (not 0.0.0.0 or ::). */
  host: string
  /** The cache folder. Default: userCacheDir(). */
  dir?: string
  now?: Date
}

/** The names `host` needs, in a stable order. */
export function certificateNames(host: string): string[] {
  const names = [...LOOPBACK_NAMES]
  const name = normalize(host)
  // A wildcard address is no name a client can use.
  if (name !== '' && name !== '0.0.0.0' && name !== '::' && !names.includes(name)) names.push(name)
  return names
}

/** The cached certificate if it still fits, else a new one (stored in the cache folder for next time). */
export async function devCertificate(options: DevCertificateOptions): Promise<DevCertificate> {
  const dir = options.dir ?? userCacheDir()
  const file = join(dir, DEV_CERTIFICATE_FILE)
  const now = options.now ?? new Date()
  const needed = certificateNames(options.host)
  const reusable = (cached: Cached | undefined) =>
    cached && fits(cached.x509, needed, now)
      ? describe(cached.key, cached.cert, cached.x509, { file, generated: false, stored: true, names: namesOf(cached.x509) })
      : undefined
  const reused = reusable(readCached(file))
  if (reused) return reused
  // Another start may be making one now: wait for its file rather than make a second (certificate-lock.ts).
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
  } catch {
    // Unwritable: no lock either; the certificate is then for this process only (store() says so).
  }
  const lock = await lockOrWait(`${file}.lock`, () => reusable(readCached(file)))
  if ('found' in lock) return lock.found
  try {
    // The holder before us may have stored one that fits between our read and the lock.
    const cached = readCached(file)
    const stored = reusable(cached)
    if (stored) return stored
    return await generate(dir, file, now, needed, cached)
  } finally {
    lock.held?.release()
  }
}

async function generate(dir: string, file: string, now: Date, needed: string[], cached: Cached | undefined): Promise<DevCertificate> {
  // Names an earlier start needed stay covered, so that alternating --host values settle on one certificate.
  const kept = cached ? namesOf(cached.x509).filter((name) => !needed.includes(name)) : []
  const names = needed.length + kept.length <= MAX_NAMES ? [...needed, ...kept] : needed
  // Lazily: the X.509 library costs ~100 ms to load, paid only on the rare start that makes a certificate.
  const { generateCertificate } = await import('./generate-certificate.js')
  const made = await generateCertificate(names, new Date(now.getTime() - DAY_MS), new Date(now.getTime() + LIFETIME_DAYS * DAY_MS))
  const stored = store(dir, file, made.key + made.cert)
  return describe(made.key, made.cert, new X509Certificate(made.cert), { file, generated: true, stored, names })
}

function describe(key: string, cert: string, x509: X509Certificate, rest: Pick<DevCertificate, 'file' | 'generated' | 'stored' | 'names'>): DevCertificate {
  return { key, cert, ...rest, fingerprint: x509.fingerprint256, validTo: new Date(x509.validTo) }
}

interface Cached {
  key: string
  cert: string
  x509: X509Certificate
}

/** The cached pair, or undefined when there is none or it is unreadable, damaged or mismatched (then it is made anew). */
function readCached(file: string): Cached | undefined {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
    keepPrivate(file)
  } catch {
    return undefined
  }
  const key = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n?/.exec(text)?.[0]
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/.exec(text)?.[0]
  if (!key || !cert) return undefined
  try {
    const x509 = new X509Certificate(cert)
    if (!x509.checkPrivateKey(createPrivateKey(key))) return undefined
    return { key, cert, x509 }
  } catch {
    return undefined
  }
}

function fits(x509: X509Certificate, names: readonly string[], now: Date): boolean {
  const from = new Date(x509.validFrom).getTime()
  const to = new Date(x509.validTo).getTime()
  if (!(from <= now.getTime() && now.getTime() + RENEW_BEFORE_DAYS * DAY_MS < to)) return false
  return names.every((name) => (isIP(name) ? x509.checkIP(name) : x509.checkHost(name, { subject: 'never', wildcards: false })) !== undefined)
}

/** The certificate's DNS and IP alternative names, as `certificateNames` spells them. */
function namesOf(x509: X509Certificate): string[] {
  const names: string[] = []
  for (const entry of (x509.subjectAltName ?? '').split(', ')) {
    const match = /^(DNS|IP Address):"?([^"]*)"?$/.exec(entry)
    if (match) names.push(normalize(match[2]!))
  }
  return [...new Set(names)]
}

function normalize(name: string): string {
  const bare = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name
  // One spelling per address: OpenSSL prints ::1 as 0:0:0:0:0:0:0:1.
  if (isIP(bare) === 6) return new URL(`http://[${bare}]/`).hostname.slice(1, -1)
  return bare.toLowerCase().replace(/\.$/, '')
}

/**
 * Write atomically (a temporary file renamed over the old one), so that a
 * start reading it never sees half a file. The file is created 0600 and its
 * folder 0700: it holds a private key.
 */
function store(dir: string, file: string, content: string): boolean {
  const temporary = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    writeFileSync(temporary, content, { mode: 0o600, flag: 'wx' })
    renameSync(temporary, file)
    return true
  } catch {
    try {
      rmSync(temporary, { force: true })
    } catch {
      // The folder itself is missing or unusable: nothing was written.
    }
    return false
  }
}

/** A key file someone made readable to others goes back to 0600 (POSIX only; Windows has no such bits). */
function keepPrivate(file: string): void {
  if (process.platform === 'win32') return
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600)
}
