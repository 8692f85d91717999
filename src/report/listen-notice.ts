// Lines that say the app asked for an address hotcell does not bind: hotcell
// owns the socket and always serves on its own --host and --port.
import type { ExportedAddress } from '../pool/protocol.js'
import type { Logger } from './logger.js'

// Every worker of a generation reports its listen() within milliseconds of the others.
const SAME_GENERATION_MS = 1_000

/**
 * Says once per server in full that the entry's own listen() was captured
 * (or when the entry asks for a different address), and in one short line
 * for each later generation: the app's own "listening on 3000" is printed
 * again at every reload, and read alone it points at the wrong port.
 */
export function createListenNotice(logger: Logger, entry: string, url: () => string, clock = () => performance.now()): (requested: string) => void {
  const told = new Map<string, number>()
  return (requested) => {
    const now = clock()
    const last = told.get(requested)
    told.set(requested, now)
    if (last !== undefined) {
      if (now - last > SAME_GENERATION_MS) logger.info(`hotcell: listen(${requested}) again, from the new code; hotcell still serves it at ${url()}`)
      return
    }
    const at = url()
    const samePort = requested.replace(/^.*:/, '') === new URL(at).port
    logger.info(
      samePort
        ? `hotcell: ${entry} calls listen(${requested}); hotcell serves that server's handler at ${at} itself, so the app's own listen() binds nothing`
        : `hotcell: ${entry} calls listen(${requested}); hotcell leaves that port alone and serves the app's handler at ${at}`,
    )
  }
}

// Names of this machine's loopback interface: `hostname: 'localhost'` asks for what hotcell binds by default.
const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1'])

/**
 * Says once per value that the default export's `port` or `hostname` (Bun's
 * `export default { port: 8080, fetch }`) is not where hotcell serves, and
 * which flags would make it so. Silent when they match hotcell's address.
 */
export function createExportedAddressNotice(logger: Logger, entry: string, url: () => string): (address: ExportedAddress) => void {
  const told = new Set<string>()
  return ({ port, hostname }) => {
    const at = url()
    const served = new URL(at)
    const servedPort = served.port || (served.protocol === 'https:' ? '443' : '80')
    const servedHost = served.hostname.replace(/^\[(.*)\]$/, '$1')
    const asked: string[] = []
    const flags: string[] = []
    if (port !== undefined && String(port) !== servedPort) {
      asked.push(`port ${port}`)
      flags.push(`--port ${port}`)
    }
    if (hostname !== undefined && hostname !== servedHost && !(LOOPBACK.has(hostname) && LOOPBACK.has(servedHost))) {
      asked.push(`hostname ${hostname}`)
      flags.push(`--host ${hostname}`)
    }
    const key = asked.join(' and ')
    if (!key || told.has(key)) return
    told.add(key)
    logger.info(`hotcell: ${entry} exports ${key}; hotcell serves on ${at} (pass ${flags.join(' ')} to use ${flags.length > 1 ? 'them' : 'it'})`)
  }
}
