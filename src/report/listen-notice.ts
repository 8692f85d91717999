// Lines that say the app asked for an address hotcell does not bind: hotcell
// owns the socket and always serves on its own --host and --port, one handler.
import { type ExportedAddress, IMPORT_LIMIT_MS, type ListenNote } from '../pool/protocol.js'
import type { Logger } from './logger.js'

// Without a generation named, every worker of a generation reports its
// listen() within milliseconds of the others. Not so an app that listens once
// its database is up: a reload's workers import one after the other, each
// waiting seconds for its own listen() (workers/listen-wait.ts).
const SAME_GENERATION_MS = 1_000

/**
 * Says once per server in full what it gets (its handler served, only its
 * WebSocket upgrades, or nothing: workers/captured-servers.ts), and in one
 * short line for each later generation: the app's own "listening on 3000" is
 * printed again at every reload, and read alone it points at the wrong port.
 */
export function createListenNotice(logger: Logger, entry: string, url: () => string, clock = () => performance.now()): (note: ListenNote) => void {
  const told = new Map<string, { at: number; gen: number | undefined }>()
  return (note) => {
    const { requested, role, gen } = note
    const now = clock()
    const key = `${role} ${requested}`
    const last = told.get(key)
    told.set(key, { at: now, gen })
    if (last !== undefined) {
      const again = gen !== undefined && last.gen !== undefined ? gen !== last.gen : now - last.at > SAME_GENERATION_MS
      if (again) logger.info(`hotcell: listen(${requested}) again, from the new code; ${AGAIN[role](url())}`)
      return
    }
    if (role === 'late') {
      logger.warn(tooLate(entry, note))
      return
    }
    const at = url()
    const port = requested.replace(/^.*:/, '')
    const samePort = port === new URL(at).port
    if (role === 'requests') {
      logger.info(
        samePort
          ? `hotcell: ${entry} calls listen(${requested}); hotcell serves that server's handler at ${at} itself, so the app's own listen() binds nothing`
          : `hotcell: ${entry} calls listen(${requested}); hotcell leaves that port alone and serves the app's handler at ${at}`,
      )
    } else if (role === 'upgrades') logger.info(upgradesOnly(entry, note, at, samePort))
    else logger.warn(unserved(entry, note, at, samePort))
  }
}

const AGAIN: Record<ListenNote['role'], (at: string) => string> = {
  requests: (at) => `hotcell still serves it at ${at}`,
  upgrades: (at) => `hotcell still sends it the WebSocket upgrades at ${at}`,
  unserved: () => 'that server is still not served',
  late: () => 'again after hotcell stopped waiting for it: not served, the error page stays',
}

/** A listen() after the 500 of an entry that exported no handler (workers/listen-verdict.ts): the app's own "listening" line is not to be believed. */
function tooLate(entry: string, { requested, lateMs }: ListenNote): string {
  const when = lateMs === undefined ? '' : ` ${(lateMs / 1000).toFixed(1)} s after its import began,`
  return `hotcell: ${entry} called listen(${requested})${when} after hotcell had stopped waiting for it: not served, the error page stays. A reload imports the entry again and waits again (up to ${IMPORT_LIMIT_MS / 1000} s); export default app to be served before its listen()`
}

/** A server whose 'upgrade' listeners get the WebSocket upgrades, while the requests go to another handler. */
function upgradesOnly(entry: string, { requested, servedBy }: ListenNote, at: string, samePort: boolean): string {
  const where = samePort
    ? `hotcell serves ${at} itself, so the app's own listen() binds nothing`
    : `hotcell leaves that port alone (WebSocket clients connect to ${at.replace(/^http/, 'ws')})`
  return (
    `hotcell: ${entry} calls listen(${requested}) besides ${servedBy}; ${where}. ` +
    `At ${at} hotcell serves requests with ${servedBy} and WebSocket upgrades with the 'upgrade' listeners of the server from listen(${requested}); ` +
    "that server's own request handler is not used"
  )
}

/** A server nothing reaches: hotcell serves one handler per entry. */
function unserved(entry: string, { requested, servedBy }: ListenNote, at: string, samePort: boolean): string {
  const port = requested.replace(/^.*:/, '')
  const bound = samePort || !/^[1-9]\d*$/.test(port) ? '' : ` (nothing binds port ${port})`
  const second = `move it to an entry of its own and run that in a second hotcell (npx hotcell <that entry>${bound ? ` --port ${port}` : ''})`
  if (servedBy === 'the default export') {
    return (
      `hotcell: ${entry} exports a handler and also calls listen(${requested}): hotcell serves the default export at ${at}, ` +
      `and nothing reaches the server from listen(${requested})${bound}. That is all right if it serves the same app; ` +
      `if it serves something else, mount its routes on the exported app, or ${second}`
    )
  }
  return (
    `hotcell: ${entry} calls listen(${requested}) too, but hotcell serves one server per entry: ${servedBy}, at ${at}. ` +
    `Nothing reaches the server from listen(${requested})${bound}. To serve it, mount its routes on the served app, or ${second}`
  )
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
