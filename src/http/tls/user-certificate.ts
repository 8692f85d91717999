// `--cert <file> --key <file>`: the user's own certificate (mkcert's, say),
// checked before the server listens, so that a wrong file is one clear line
// at start rather than a handshake failure in the browser.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { relative } from 'node:path'
import { HotcellError } from '../../errors.js'

export interface UserCertificate {
  /** The file's content as is: a chain (leaf first, then intermediates) is sent whole. */
  cert: string
  key: string
  fingerprint: string
  validTo: Date
  /** What the certificate is for, e.g. "DNS:localhost, IP Address:127.0.0.1". */
  subjectAltName: string | undefined
  /** For warnings: a certificate can be well-formed and still refused by browsers. */
  x509: X509Certificate
}

/**
 * Read and check the pair. `certFile` and `keyFile` are absolute; `cwd` and
 * `labels` (how the options are spelled: `--cert`, `cert`) are for messages.
 */
export function loadUserCertificate(certFile: string, keyFile: string, cwd: string, labels = { cert: 'cert', key: 'key' }): UserCertificate {
  const certName = relative(cwd, certFile) || certFile
  const keyName = relative(cwd, keyFile) || keyFile
  const cert = readPem(certFile, labels.cert, certName)
  const key = readPem(keyFile, labels.key, keyName)
  let x509: X509Certificate
  try {
    // Node's TLS takes PEM only; X509Certificate alone would accept DER too.
    if (!cert.includes('-----BEGIN CERTIFICATE-----')) throw new Error('not PEM')
    x509 = new X509Certificate(cert)
  } catch {
    const hint = /PRIVATE KEY-----/.test(cert)
      ? `; it looks like a key: are ${labels.cert} and ${labels.key} swapped?`
      : isDer(certFile)
        ? `; it looks like DER: convert it with openssl x509 -inform der -in ${certName} -out cert.pem`
        : ''
    throw new HotcellError(
      'ERR_INVALID_OPTION',
      `${labels.cert} file ${certName} holds no certificate (expected PEM starting with -----BEGIN CERTIFICATE-----)${hint}`,
    )
  }
  let keyObject: KeyObject
  try {
    keyObject = createPrivateKey(key)
  } catch (error) {
    const encrypted = /ENCRYPTED|passphrase/i.test(key) || /passphrase/i.test((error as Error).message)
    throw new HotcellError(
      'ERR_INVALID_OPTION',
      encrypted
        ? `${labels.key} file ${keyName} is encrypted with a passphrase; hotcell needs an unencrypted key (mkcert makes one), e.g. openssl pkey -in ${keyName} -out key-plain.pem`
        : `${labels.key} file ${keyName} holds no private key (expected PEM starting with -----BEGIN PRIVATE KEY-----)${/BEGIN CERTIFICATE/.test(key) ? `; it looks like a certificate: are ${labels.cert} and ${labels.key} swapped?` : ''}`,
    )
  }
  if (!x509.checkPrivateKey(keyObject)) {
    throw new HotcellError(
      'ERR_INVALID_OPTION',
      `${labels.key} file ${keyName} is not the key of the certificate in ${certName}: give the key that was made with that certificate`,
    )
  }
  return { cert, key, fingerprint: x509.fingerprint256, validTo: new Date(x509.validTo), subjectAltName: x509.subjectAltName, x509 }
}

/** The name the ready line prints for `host`, the one a certificate must cover: a wildcard bind is opened as localhost. */
export function readyName(host: string): string {
  return host === '0.0.0.0' || host === '::' ? 'localhost' : host
}

/**
 * What a browser will object to in a certificate that is otherwise fine:
 * expiry, or not covering the name the ready line prints. Lines to warn with.
 */
export function certificateWarnings(certificate: UserCertificate, name: string, certName: string, now = new Date()): string[] {
  const warnings: string[] = []
  const { x509 } = certificate
  if (certificate.validTo.getTime() <= now.getTime())
    warnings.push(`hotcell: the certificate in ${certName} expired on ${certificate.validTo.toISOString().slice(0, 10)}; browsers will refuse it`)
  else if (new Date(x509.validFrom).getTime() > now.getTime())
    warnings.push(`hotcell: the certificate in ${certName} is not valid before ${new Date(x509.validFrom).toISOString()}; browsers will refuse it`)
  const covered = isIP(name) ? x509.checkIP(name) : x509.checkHost(name, { subject: 'never' })
  if (certificate.subjectAltName === undefined) {
    // Browsers match names against subjectAltName only: a subject's CN alone names nothing they accept.
    warnings.push(
      `hotcell: the certificate in ${certName} has no subjectAltName (only ${x509.subject.replace(/\n/g, ', ')}): browsers refuse it for every name; make one with names (mkcert localhost 127.0.0.1 ::1), or use --https for hotcell's own`,
    )
  } else if (covered === undefined) {
    const names = certificate.subjectAltName
    warnings.push(
      `hotcell: the certificate in ${certName} is for ${names}, not ${name}: browsers warn at https://${name.includes(':') ? `[${name}]` : name}; open one of its names, or make it for ${name} too (mkcert localhost 127.0.0.1 ::1)`,
    )
  }
  return warnings
}

function isDer(file: string): boolean {
  try {
    // A DER certificate is a SEQUENCE: 0x30, then a long-form length.
    const head = readFileSync(file).subarray(0, 2)
    return head[0] === 0x30 && head[1] === 0x82
  } catch {
    return false
  }
}

function readPem(file: string, option: string, name: string): string {
  try {
    return readFileSync(file, 'latin1')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT'
        ? 'not found'
        : code === 'EACCES'
          ? 'not readable (permission denied)'
          : code === 'EISDIR'
            ? 'a folder, not a file'
            : `unreadable (${code ?? (error as Error).message})`
    throw new HotcellError('ERR_INVALID_OPTION', `${option} file ${name} is ${why}`)
  }
}
