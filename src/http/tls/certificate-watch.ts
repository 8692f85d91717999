// --cert/--key files are watched: re-running mkcert (a new name, an expired
// certificate renewed) is served from the next handshake, without a restart;
// open connections keep the certificate they began with, as in any TLS
// server. The folders are watched, not the files: a tool that replaces a file
// by renaming another over it would leave a watch on the file blind.
import { watch, type FSWatcher } from 'node:fs'
import { basename, dirname, relative } from 'node:path'
import type { Logger } from '../../report/logger.js'
import type { TlsConfig } from './tls-config.js'
import { certificateWarnings, loadUserCertificate, readyName } from './user-certificate.js'

// The two files are written one after the other: in between they are not a
// pair. Read them once both have been quiet this long.
const SETTLE_MS = 100

export interface CertificateWatch {
  close(): void
}

/** `use` takes the new pair (a TLS server's setSecureContext). `host` names the ready line's host, for the warnings. */
export function watchCertificate(
  config: Extract<TlsConfig, { kind: 'files' }>,
  host: string,
  cwd: string,
  fingerprint: string,
  use: (pair: { cert: string; key: string }) => void,
  logger: Logger,
): CertificateWatch {
  const files = new Map([config.certFile, config.keyFile].map((file) => [file, basename(file)]))
  const certName = relative(cwd, config.certFile) || config.certFile
  let timer: NodeJS.Timeout | undefined
  let served = fingerprint
  // Said once until the files change into a pair again, not at each event.
  let lastProblem: string | undefined
  const reread = () => {
    timer = undefined
    let loaded: ReturnType<typeof loadUserCertificate>
    try {
      loaded = loadUserCertificate(config.certFile, config.keyFile, cwd, config.labels)
    } catch (error) {
      const problem = (error as Error).message
      if (problem !== lastProblem)
        logger.warn(`hotcell: the certificate files changed, but ${problem}; new connections still get the certificate served before`)
      lastProblem = problem
      return
    }
    lastProblem = undefined
    if (loaded.fingerprint === served) return
    use({ cert: loaded.cert, key: loaded.key })
    served = loaded.fingerprint
    logger.info(`hotcell: ${certName} changed: new connections get the new certificate (SHA-256 ${loaded.fingerprint.slice(0, 23)}…)`)
    for (const warning of certificateWarnings(loaded, readyName(host), certName)) logger.warn(warning)
  }
  const watchers: FSWatcher[] = []
  for (const folder of new Set([...files.keys()].map((file) => dirname(file)))) {
    try {
      const watcher = watch(folder, { persistent: false }, (_event, name) => {
        // Some platforms give no name: any change in the folder may be one of the files.
        if (name !== null && ![...files].some(([file, base]) => dirname(file) === folder && base === String(name))) return
        clearTimeout(timer)
        timer = setTimeout(reread, SETTLE_MS)
      })
      watcher.on('error', () => watcher.close())
      watchers.push(watcher)
    } catch {
      // A folder that cannot be watched: the certificate is read at start only, as before.
    }
  }
  return {
    close() {
      clearTimeout(timer)
      for (const watcher of watchers) watcher.close()
    },
  }
}
