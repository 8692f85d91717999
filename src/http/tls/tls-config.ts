// The TLS options (`https`, `cert`, `key`) as resolved once at the edge, and
// the credentials they stand for, loaded at start.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { HotcellError } from '../../errors.js'
import type { TlsCredentials } from '../server.js'

/** `generated`: the cached development certificate (--https); `files`: the user's own (--cert/--key). */
export type TlsConfig =
  | { readonly kind: 'generated' }
  | {
      readonly kind: 'files'
      readonly certFile: string
      readonly keyFile: string
      /** How messages name the two options: `--cert`, `hotcell.config.ts: cert`, `cert`. */
      readonly labels: { readonly cert: string; readonly key: string }
    }

export interface TlsOptions {
  https?: boolean
  cert?: string
  key?: string
}

/**
 * Undefined for plain HTTP. `cert` and `key` imply HTTPS; `https: false`
 * wins over both (so `--no-https` turns off a config file's certificate).
 */
export function mustBeTls(options: TlsOptions, cwd: string, name: (option: keyof TlsOptions) => string = (option) => option): TlsConfig | undefined {
  const { https, cert, key } = options
  if (https !== undefined && typeof https !== 'boolean')
    throw new HotcellError('ERR_INVALID_OPTION', `${name('https')} must be true or false (got ${JSON.stringify(https)})`)
  for (const [option, value] of [
    ['cert', cert],
    ['key', key],
  ] as const) {
    if (value !== undefined && (typeof value !== 'string' || value === ''))
      throw new HotcellError('ERR_INVALID_OPTION', `${name(option)} must be the path of a PEM file (got ${JSON.stringify(value)})`)
  }
  if (https === false) return undefined
  if (cert === undefined && key === undefined) return https ? Object.freeze({ kind: 'generated' }) : undefined
  if (cert === undefined || key === undefined) {
    // Only the given one is named: how the other would be spelled (flag, config key) is not known here.
    const [given, other] = cert === undefined ? (['key', 'certificate'] as const) : (['cert', 'private key'] as const)
    throw new HotcellError(
      'ERR_INVALID_OPTION',
      `${name(given)} needs its ${other} too: give both files (for example mkcert's localhost.pem and localhost-key.pem)`,
    )
  }
  const certFile = resolve(cwd, cert)
  const keyFile = resolve(cwd, key)
  // Found now, read at start (user-certificate.ts): a typo is reported before anything is built.
  if (!existsSync(certFile)) throw new HotcellError('ERR_INVALID_OPTION', `${name('cert')} file not found: ${cert} (looked in ${cwd})`)
  if (!existsSync(keyFile)) throw new HotcellError('ERR_INVALID_OPTION', `${name('key')} file not found: ${key} (looked in ${cwd})`)
  return Object.freeze({ kind: 'files', certFile, keyFile, labels: Object.freeze({ cert: name('cert'), key: name('key') }) })
}

export interface LoadedTls extends TlsCredentials {
  /** SHA-256 of the certificate, as browsers show it. */
  readonly fingerprint: string
  /** Lines worth a warning at start (an expired certificate, a name it does not cover, a cache that could not be written). */
  readonly warnings: readonly string[]
  /** A line for the start banner: which certificate, and where it is. */
  readonly describe: string
}

/** Read or make the certificate `config` stands for. `host` is the bound interface; `cwd` is for messages. */
export async function loadTls(config: TlsConfig, host: string, cwd: string): Promise<LoadedTls> {
  if (config.kind === 'generated') {
    const { devCertificate } = await import('./dev-certificate.js')
    const made = await devCertificate({ host })
    return {
      key: made.key,
      cert: made.cert,
      fingerprint: made.fingerprint,
      warnings: made.stored
        ? []
        : [`hotcell: could not write the certificate to ${made.file}; a new one is made on every start, and browsers ask again each time`],
      describe: made.stored
        ? `${made.generated ? 'new ' : ''}self-signed certificate ${made.file} (for ${made.names.join(', ')}; browsers ask once to accept it)`
        : `self-signed certificate for this run only (for ${made.names.join(', ')}; not kept: browsers ask again at each start)`,
    }
  }
  const { certificateWarnings, loadUserCertificate, readyName } = await import('./user-certificate.js')
  const loaded = loadUserCertificate(config.certFile, config.keyFile, cwd, config.labels)
  return {
    key: loaded.key,
    cert: loaded.cert,
    fingerprint: loaded.fingerprint,
    warnings: certificateWarnings(loaded, readyName(host), config.certFile),
    describe: `certificate ${config.certFile}`,
  }
}
