import { existsSync, statSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { HotcellError } from '../errors.js'
import { mustBeAllowedHosts, type AllowedHosts } from '../http/gate/host-check.js'
import { mustBeEnvFiles, type EnvFiles } from './env-files.js'
import { mustBeInspect } from '../pool/inspector.js'
import { mustBeStaticDir } from '../http/gate/static-files.js'
import { nearestName } from './nearest-name.js'
import { mustBeEntry } from './entry-file.js'
import { parseSize } from './size.js'
import { mustBeTls, type TlsConfig } from '../http/tls/tls-config.js'
import { parseTime } from './duration.js'
import { type Loader, mustBeLoaders } from './loaders.js'
import type { LogOption } from '../report/log-option.js'

/** Options of `serve()`. They mirror the command-line flags. */
export interface ServeOptions {
  /** The handler's entry file (.ts, .tsx, .js, .mjs…). */
  entry: string
  /** Port to listen on; 0 picks a free one. Default 3000. */
  port?: number | undefined
  /** Interface to bind. Default 127.0.0.1. */
  host?: string | undefined
  /** Worker threads per generation. Default 1: one module instance; with more, module state is per worker. */
  workers?: number | undefined
  /** Larger request bodies are answered 413. A number of bytes or a size like "10mb". Default "10mb". */
  bodyLimit?: number | string | undefined
  /** Memory limit per worker in MiB: its JavaScript heap, and apart from that the Buffers and ArrayBuffers it holds (off-heap); a worker over either is replaced. */
  maxMemory?: number | undefined
  /** A request without a response head this long after its body is in is answered 504; a stuck worker is replaced. Milliseconds, or a time such as "5s". Default 30000. (An upload has no time limit while its bytes keep coming: 30 s without one gets 408.) */
  timeout?: number | string | undefined
  /** How the default export is read. Default: guessed from its shape. */
  handler?: 'auto' | 'fetch' | 'node' | undefined
  /** Rebuild and swap on file changes. Default true. */
  reload?: boolean | undefined
  /** More files or folders whose changes trigger a reload (the bundle's own inputs are always watched). One path or a list. */
  watch?: string | string[] | undefined
  /** Globs of paths never watched (node_modules but npm's node_modules/.package-lock.json, .git and .hotcell never are). One glob or a list. */
  ignore?: string | string[] | undefined
  /** No request log: errors, warnings and reload lines are still printed (the CLI's --quiet). Default false. */
  quiet?: boolean | undefined
  /** serve() only: `false` prints nothing, a function gets each entry of the log instead of the terminal. Default: the terminal (stdout, errors and warnings on stderr). */
  log?: LogOption | undefined
  /** Folder relative paths are resolved against. Default process.cwd(). */
  cwd?: string | undefined
  // -- hardening (see README "Security")
  /** Host headers accepted besides localhost, *.localhost and IP literals; `.example.com` adds subdomains; 'all' turns the check off. */
  allowedHosts?: string[] | 'all' | undefined
  /** Folder whose files are served before the handler. */
  static?: string | undefined
  /** Show stacks and source on error pages to clients on other machines too. Default false. */
  exposeErrors?: boolean | undefined
  // -- developer experience (see README "Developer experience")
  /** Refresh open browser tabs after each reload. Default true. */
  liveReload?: boolean | undefined
  /** Files of variables for the handler (`env` and `process.env` in workers only); later files win. Default `.env` and `.env.local`, when present. */
  envFile?: string | string[] | undefined
  /** Open the inspector on 127.0.0.1 (true: port 9229) so a debugger can attach to the workers; timeouts are off meanwhile. */
  inspect?: boolean | number | undefined
  // -- HTTPS (see docs/https.md)
  /** Serve HTTPS (HTTP/2, with HTTP/1.1 for clients without it) with a self-signed certificate kept in the user's cache folder. Default false. */
  https?: boolean | undefined
  /** Your own certificate (PEM; a chain is sent whole), e.g. from mkcert. Implies https; needs `key`. */
  cert?: string | undefined
  /** The private key of `cert` (PEM, unencrypted). */
  key?: string | undefined
  // -- imports of files that are not code (see docs/api.md "Loaders")
  /** How an imported file of each extension becomes a module, as esbuild's `loader`: `{ ".svg": "text" }`. Default: .html, .txt and .sql as text (wrangler's rule). */
  loaders?: Record<string, Loader> | undefined
}

/** Options resolved once, filled with defaults and frozen. Inner modules take parts of it. */
export interface Config {
  readonly entry: string
  /** The entry as the user should read it in messages: relative to cwd. */
  readonly entryLabel: string
  readonly cwd: string
  readonly port: number
  /** No port was asked for: when the default one is in use, the next free one is taken. */
  readonly nextFreePort: boolean
  readonly host: string
  /** How the user set the port, the host and the inspector's port (`--port`, `PORT`, `hotcell.config.ts: port`, serve()'s `port`); absent for a default. Listen errors say what to change. */
  readonly addressNames: Readonly<{ port?: string; host?: string; inspect?: string }>
  readonly workers: number
  readonly bodyLimit: number
  readonly maxMemoryMb: number | undefined
  readonly timeoutMs: number
  readonly handler: 'auto' | 'fetch' | 'node'
  readonly reload: boolean
  /** Absolute paths. */
  readonly watch: readonly string[]
  readonly ignore: readonly string[]
  readonly quiet: boolean
  readonly allowedHosts: AllowedHosts
  readonly staticDir: string | undefined
  readonly exposeErrors: boolean
  readonly liveReload: boolean
  readonly envFiles: EnvFiles
  /** The inspector port, or undefined when not debugging. */
  readonly inspectPort: number | undefined
  /** Undefined for plain HTTP. */
  readonly tls: TlsConfig | undefined
  /** The defaults and the user's, by extension. */
  readonly loaders: Readonly<Record<string, Loader>>
  // Not serve() options: only the server `hotcell bench` starts sets them, to serve every connection of its -c.
  /** Concurrent connections the socket accepts; absent: MAX_CONNECTIONS (http/server.ts). */
  readonly maxConnections?: number
  /** Requests a generation queues for its workers before it answers 503; absent: MAX_QUEUE (pool/request-queue.ts). */
  readonly maxQueue?: number
  /** Not a serve() option either: tests shorten it. A request body with no byte for this long gets 408; absent: BODY_IDLE_MS (http/request-body.ts). */
  readonly bodyIdleMs?: number
  /** Set by serve(), not an option: its caller holds the server, and messages name server.reload() where the CLI's name a restart or the r key. */
  readonly api?: boolean
  /**
   * Set by the CLI, not an option: its stdin is a terminal, so its keys work and messages may offer them; `restart`: under
   * the supervisor, where the r key after a native addon's failed load starts a new server process (cli/serve-session.ts).
   */
  readonly keys?: 'reload' | 'restart'
}

const KNOWN = new Set<string>([
  'entry',
  'port',
  'host',
  'workers',
  'bodyLimit',
  'maxMemory',
  'timeout',
  'handler',
  'reload',
  'watch',
  'ignore',
  'quiet',
  'cwd',
  'allowedHosts',
  'static',
  'exposeErrors',
  'liveReload',
  'envFile',
  'inspect',
  'https',
  'cert',
  'key',
  'loaders',
])

/** Options of serve() a config file cannot hold: a function has no place there. */
const SERVE_ONLY = new Set<string>(['log'])

/** Every key is an option of serve(); `where` prefixes the message (a config file's name, whose keys `serveOnly` are not). */
export function mustBeKnownKeys(options: object, where = '', serveOnly = false): void {
  for (const key of Object.keys(options)) {
    if (KNOWN.has(key) || (serveOnly && SERVE_ONLY.has(key))) continue
    if (SERVE_ONLY.has(key)) throw new HotcellError('ERR_INVALID_OPTION', `${where}"${key}" is an option of serve() only`)
    const near = nearestName(key, KNOWN)
    throw new HotcellError('ERR_INVALID_OPTION', `${where}unknown option "${key}"${near ? ` (did you mean "${near}"?)` : ''}`)
  }
}

/**
 * A null is refused, not read as "the default": `port: null` bound the
 * default port where the caller likely meant "any" (0) or "none". Left out
 * or undefined, an option takes its default.
 */
export function mustHaveNoNulls<T extends object>(options: T, name: (key: keyof T) => string = String): void {
  for (const [key, value] of Object.entries(options)) {
    if (value === null) throw new HotcellError('ERR_INVALID_OPTION', `${name(key as keyof T)} is null: leave it out (or undefined) for its default`)
  }
}

export const DEFAULT_PORT = 3000
/**
 * One worker: the app has one module instance, as under every other dev
 * server, so in-memory stores, sessions and caches see every request.
 * More workers are opt-in (module state is then per worker).
 */
export const DEFAULT_WORKERS = 1
/** How --timeout (timeout in the config, serve()) is read: a bare number is ms, up to what setTimeout takes. */
export const TIMEOUT_RANGE = { bare: 'ms', minMs: 1, maxMs: 2 ** 31 - 1 } as const

/**
 * Check every option and fill in the defaults. `name` says how messages name
 * an option: the CLI passes the flag or the config file it came from.
 */
export function resolveConfig(options: ServeOptions, name: (key: keyof ServeOptions) => string = (key) => key): Config {
  if (typeof options !== 'object' || options === null) {
    throw new HotcellError('ERR_INVALID_OPTION', 'serve() takes an options object such as { entry: "src/app.ts" }')
  }
  // `log` is serve()'s own: read by serve(), never part of the Config.
  mustBeKnownKeys(options, '', true)
  mustHaveNoNulls(options, name)
  const cwd = mustBeCwd(options.cwd, name('cwd'))
  // Named by a config file (`hotcell.config.ts: entry`): messages say so, the command line did not name it.
  const entry = mustBeEntry(options.entry, cwd, name('entry') === 'entry' ? '' : name('entry'))
  const label = relative(cwd, entry)
  return Object.freeze({
    entry,
    entryLabel: label.startsWith('..') ? entry : label,
    cwd,
    port: mustBeInteger(options.port ?? DEFAULT_PORT, name('port'), 0, 65535),
    nextFreePort: options.port === undefined,
    host: mustBeHost(options.host ?? '127.0.0.1', name('host')),
    addressNames: Object.freeze({
      ...(options.port !== undefined && { port: name('port') }),
      ...(options.host !== undefined && { host: name('host') }),
      ...(options.inspect !== undefined && { inspect: name('inspect') }),
    }),
    workers: mustBeInteger(options.workers ?? DEFAULT_WORKERS, name('workers'), 1, 64),
    bodyLimit: parseSize(options.bodyLimit ?? '10mb', name('bodyLimit')),
    maxMemoryMb: options.maxMemory === undefined ? undefined : mustBeInteger(options.maxMemory, name('maxMemory'), 16, 1 << 20),
    timeoutMs: parseTime(options.timeout ?? 30_000, name('timeout'), TIMEOUT_RANGE),
    handler: mustBeOneOf(options.handler ?? 'auto', name('handler'), ['auto', 'fetch', 'node'] as const),
    reload: mustBeBoolean(options.reload ?? true, name('reload')),
    watch: Object.freeze(mustBeWatched(options.watch ?? [], cwd, name('watch'))),
    ignore: Object.freeze(mustBeStrings(options.ignore ?? [], name('ignore'))),
    quiet: mustBeBoolean(options.quiet ?? false, name('quiet')),
    allowedHosts: mustBeAllowedHosts(options.allowedHosts, name('allowedHosts')),
    staticDir: mustBeStaticDir(options.static, cwd, name('static')),
    exposeErrors: mustBeBoolean(options.exposeErrors ?? false, name('exposeErrors')),
    liveReload: mustBeBoolean(options.liveReload ?? true, name('liveReload')),
    envFiles: mustBeEnvFiles(options.envFile, cwd, name('envFile')),
    inspectPort: mustBeInspect(options.inspect, name('inspect')),
    tls: mustBeTls(options, cwd, name),
    loaders: mustBeLoaders(options.loaders, name('loaders')),
  })
}

export function mustBeInteger(value: unknown, name: string, min: number, max: number): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new HotcellError('ERR_INVALID_OPTION', `${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`)
  }
  return n
}

function mustBeBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw new HotcellError('ERR_INVALID_OPTION', `${name} must be true or false (got ${JSON.stringify(value)})`)
  return value
}

/**
 * The folder relative paths are read from. Checked before the entry: a
 * missing cwd made every path below "not found", and the message blamed
 * the entry. The CLI's own cwd always exists; serve() and a config file can name any.
 */
function mustBeCwd(value: unknown, name: string): string {
  if (value === undefined) return process.cwd()
  if (typeof value !== 'string' || value === '') throw new HotcellError('ERR_INVALID_OPTION', `${name} must name a folder (got ${JSON.stringify(value)})`)
  const dir = resolve(value)
  const stats = statSync(dir, { throwIfNoEntry: false })
  if (!stats) throw new HotcellError('ERR_INVALID_OPTION', `${name} folder not found: ${value}`)
  if (!stats.isDirectory()) throw new HotcellError('ERR_INVALID_OPTION', `${name} must be a folder, but ${value} is ${stats.isFile() ? 'a file' : 'not one'}`)
  return dir
}

/** Paths that exist: a mistyped one would be watched for nothing, and saves there would never reload. */
function mustBeWatched(value: unknown, cwd: string, name: string): string[] {
  return mustBeStrings(value, name).map((path) => {
    const full = resolve(cwd, path)
    if (!existsSync(full)) throw new HotcellError('ERR_INVALID_OPTION', `${name} path not found: ${path} (looked in ${cwd})`)
    return full
  })
}

/** One path or a list of them (`watch: 'src'` as well as `watch: ['src', 'views']`). */
function mustBeStrings(value: unknown, name: string): string[] {
  const list = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'string' || v === '')) {
    throw new HotcellError('ERR_INVALID_OPTION', `${name} must be a path or a list of paths (got ${JSON.stringify(value)})`)
  }
  return list as string[]
}

function mustBeOneOf<T extends string>(value: unknown, name: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new HotcellError('ERR_INVALID_OPTION', `${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`)
  }
  return value as T
}

function mustBeHost(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '' || /[\s/]/.test(value)) {
    throw new HotcellError('ERR_INVALID_OPTION', `${name} must be an interface address such as 127.0.0.1, ::1 or 0.0.0.0 (got ${JSON.stringify(value)})`)
  }
  return value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value
}
