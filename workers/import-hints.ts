// Import failures that no line of the code causes, said as what they are.
// "The entry threw while being imported … fix src/db.ts and save" was wrong
// advice for a database that was down (nothing in the file was wrong, and the
// page named no line of it) and for a SQLite file the old generation was
// writing (trial s24, findings 7 and 10).
import type { ErrorData } from '../src/pool/protocol.js'
import { connectSite } from './connect-sites.js'
import { sourceExcerpts } from './source-excerpts.js'

/** What each connection error means, in words. */
const CONNECTION_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused',
  ENOTFOUND: 'the host name does not resolve',
  ETIMEDOUT: 'the connection timed out',
  ECONNRESET: 'the connection was reset',
  EAI_AGAIN: 'the host name lookup failed for now',
}

/** The sentence the main thread finds a connection failure by (src/report/serving-state.ts). */
export const UNREACHABLE = 'A service the app connects to as it imports is not reachable: '

type Coded = Error & { code?: unknown; errcode?: unknown; address?: unknown; port?: unknown; hostname?: unknown; errors?: unknown }

/** `data` (the error `thrown` by the import, as data) with the hint its kind of error gets, if any. */
export function withImportHints(thrown: unknown, data: ErrorData): ErrorData {
  if (chain(thrown).some(isSqliteBusy)) data.message += SQLITE_BUSY_HINT
  const failed = chain(thrown).find((e) => typeof e.code === 'string' && e.code in CONNECTION_ERRORS)
  if (!failed) return data
  const target = remote(failed)
  data.message += `\n${UNREACHABLE}${target ? `${target} ` : ''}(${CONNECTION_ERRORS[failed.code as string]}). Nothing in the code has to be wrong: start that service (or correct the address the app gives it), then import the app again.`
  // Node's callback threw it: no frame of the app's. Where the app opened the connection is.
  const site = connectSite(failed) ?? chain(failed).map(connectSite).find(Boolean)
  if (site && !appFrame(data.stack)) {
    const head = (data.stack ?? `${data.name}: ${data.message}`).split('\n').filter((line) => !line.startsWith('    at '))
    data.stack = `${head.join('\n')}\n${site}`
    const sources = sourceExcerpts(data.stack)
    if (sources) data.sources = sources
  }
  return data
}

const SQLITE_BUSY_HINT =
  '\nIf the app opens this database as it imports: each reload imports the new code in new workers while the generation serving still has the database open (and may be writing), and node:sqlite does not wait for a lock by default. Give it a busy timeout: new DatabaseSync(path, { timeout: 5000 }) (better-sqlite3 waits 5 s by default)'

/** node:sqlite's SQLITE_BUSY (5) or SQLITE_LOCKED (6), or better-sqlite3's codes for them. */
function isSqliteBusy(error: Coded): boolean {
  if (error.code === 'ERR_SQLITE_ERROR') return error.errcode === 5 || error.errcode === 6 || /database (table )?is locked/.test(error.message)
  return typeof error.code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(error.code)
}

/** "127.0.0.1:7499", "db.local", or undefined. */
function remote(error: Coded): string | undefined {
  const first = Array.isArray(error.errors) ? (error.errors[0] as Coded | undefined) : undefined
  for (const e of [error, first]) {
    if (!e) continue
    const host = typeof e.address === 'string' ? e.address : typeof e.hostname === 'string' ? e.hostname : undefined
    if (host) return typeof e.port === 'number' ? `${host.includes(':') ? `[${host}]` : host}:${e.port}` : host
  }
  return undefined
}

/** The error and its causes (an AggregateError's first error counts as a cause), a few deep. */
function chain(error: unknown): Coded[] {
  const errors: Coded[] = []
  for (let e = error; e instanceof Error && errors.length < 8 && !errors.includes(e as Coded); ) {
    errors.push(e as Coded)
    const next: unknown = (e as Coded).cause ?? (Array.isArray((e as Coded).errors) ? ((e as Coded).errors as unknown[])[0] : undefined)
    e = next
  }
  return errors
}

/** A frame outside Node's own code: the app's, or a package's. */
function appFrame(stack: string | undefined): boolean {
  return (stack ?? '').split('\n').some((line) => line.startsWith('    at ') && !/\(node:|at node:|\(<anonymous>\)|at new Promise/.test(line))
}
