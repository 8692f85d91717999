// bench(): `hotcell bench` for scripts (a CI gate comparing two handlers).
// The options are the command's flags in camelCase, checked once here into a
// frozen settings object; the session is the command's own (run-bench.ts),
// with the config file the command reads. It resolves to what `--json`
// prints, prints nothing unless `log` is a function, rejects with a
// HotcellError where the command would exit 1, and with an AbortError when
// its `signal` aborts.
import { AbortError, HotcellError } from '../errors.js'
import { mustBeInteger, mustHaveNoNulls, type ServeOptions } from '../config/resolve-config.js'
import { mustBeEntry } from '../config/entry-file.js'
import { nearestName } from '../config/nearest-name.js'
import { parseTime } from '../config/duration.js'
import { loggerFor, type LogEntry } from '../report/log-option.js'
import type { BenchDocument } from './document.js'
import type { Comparison } from './summary.js'
import { defaultWarmupMs, defaultWorkers, HEADER_NAME, mustBeGenerator, mustBeMethod, mustBePath, roundsOf } from './options.js'
import { runBench, type BenchProgress, type BenchSettings } from './run-bench.js'
import { serveSideOf, type ServeSide } from './serve-side.js'
import { statSync } from 'node:fs'
import { resolve } from 'node:path'

/** Options of `bench()`: the flags of `hotcell bench` in camelCase. Times are milliseconds, or a string such as "10s". */
export interface BenchOptions {
  /** The handler's entry file (A). Relative paths are read from `cwd`. */
  entry: string
  /** The folder `entry`, `compare`, `envFile` and `config` are read from, and where the config file is looked for. Default process.cwd(). */
  cwd?: string | undefined
  /**
   * The config file, as `hotcell bench --config`: its bodyLimit, allowedHosts, envFile, handler, timeout and loaders
   * apply, under the options given here. Default: hotcell.config.{ts,mts,js,mjs} next to the entry, else in `cwd`,
   * as the command finds it. `false`: none is read.
   */
  config?: string | false | undefined
  /** Aborting it stops the bench at once: the load ends, the servers it started close, and bench() rejects with an AbortError. */
  signal?: AbortSignal | undefined
  /** A second entry measured against `entry` (A/B), interleaved; needs 3 rounds or more. */
  compare?: string | undefined
  /** Also measure the handler inline on a plain node:http server. Default false. */
  baseline?: boolean | undefined
  /** Request path and query. Default "/". */
  path?: string | undefined
  /** Request method. Default "GET". */
  method?: string | undefined
  /** Request headers. */
  headers?: Record<string, string> | undefined
  /** Request body. */
  body?: string | Uint8Array | undefined
  /** Concurrent connections. Default 50. */
  connections?: number | undefined
  /** Timed load per run (wrk runs whole seconds). Default "10s". */
  duration?: number | string | undefined
  /** Load before timing, per server; 0: none. Default a quarter of `duration`, 250 ms to 2 s. */
  warmup?: number | string | undefined
  /** Worker counts to measure. Default the cores, 4 at most. */
  workers?: number | number[] | undefined
  /** Timed runs per configuration. Default 1, or 3 with `compare`. */
  rounds?: number | undefined
  /** Status the check and the load expect. Default any 2xx. */
  expectStatus?: number | undefined
  /** "auto" (wrk when installed), "wrk" or "undici". Default "auto". */
  generator?: 'auto' | 'wrk' | 'undici' | undefined
  /** Serve over TLS, the baseline too; the load goes over HTTP/1.1. Default false. */
  https?: boolean | undefined
  /** As serve()'s: hotcell answers 504 past it, and the check waits as long. Default 30000. */
  timeout?: ServeOptions['timeout'] | undefined
  bodyLimit?: ServeOptions['bodyLimit'] | undefined
  allowedHosts?: ServeOptions['allowedHosts'] | undefined
  envFile?: ServeOptions['envFile'] | undefined
  handler?: ServeOptions['handler'] | undefined
  /** As serve()'s: how imports of other file types load (`{ '.svg': 'text' }`). */
  loaders?: ServeOptions['loaders'] | undefined
  /** `false` (the default): nothing is printed. A function gets each line the command prints on stderr (progress, the servers' failure reports). */
  log?: false | ((entry: LogEntry) => void) | undefined
}

export type { BenchDocument as BenchResult }

const KNOWN = new Set<string>([
  'entry',
  'cwd',
  'config',
  'signal',
  'compare',
  'baseline',
  'path',
  'method',
  'headers',
  'body',
  'connections',
  'duration',
  'warmup',
  'workers',
  'rounds',
  'expectStatus',
  'generator',
  'https',
  'timeout',
  'bodyLimit',
  'allowedHosts',
  'envFile',
  'loaders',
  'handler',
  'log',
])

/** Measure `options.entry` as `hotcell bench` does; resolves to what `hotcell bench --json` prints. With `compare`, its `compare` is set. */
export async function bench(options: BenchOptions & { compare: string }): Promise<BenchDocument & { compare: Comparison[] }>
export async function bench(options: BenchOptions): Promise<BenchDocument>
export async function bench(options: BenchOptions): Promise<BenchDocument> {
  const { settings, serveSide, log } = await resolveBenchOptions(options)
  // The servers' log (a failure's first report, a warning): serve()'s `log`, without request lines.
  const logger = loggerFor(log ?? false, true)
  let broken = false
  // The bench's own lines, as the command writes them on stderr.
  const say = (level: LogEntry['level'], line: string) => {
    if (!log || broken) return
    try {
      log({ level, text: `hotcell bench: ${line}` })
    } catch (error) {
      broken = true
      process.stderr.write(`hotcell: the log function threw, and is not called again: ${error instanceof Error ? error.message : String(error)}\n`)
    }
  }
  const progress: BenchProgress = {
    step: (line) => say('info', line),
    // Live figures are for a terminal line rewritten in place.
    update() {},
    note: (line) => say('info', line),
    clear() {},
    summary: (line) => say('warn', line),
  }
  const outcome = await runBench(settings, serveSide, progress, logger)
  if (outcome.ok) return outcome.document
  // A HotcellError (ERR_BENCH: a failed check, a server that did not start) as the command says it; anything else as thrown.
  throw outcome.error
}

/** Every option checked, defaults filled in, the config file read; a mistake is a HotcellError naming the option. */
export async function resolveBenchOptions(
  options: BenchOptions,
): Promise<{ settings: Readonly<BenchSettings>; serveSide: ServeSide; log: BenchOptions['log'] }> {
  if (typeof options !== 'object' || options === null)
    throw new HotcellError('ERR_INVALID_OPTION', 'bench() takes an options object such as { entry: "src/app.ts" }')
  for (const key of Object.keys(options)) {
    if (KNOWN.has(key)) continue
    const near = nearestName(key, KNOWN)
    throw new HotcellError('ERR_INVALID_OPTION', `unknown option "${key}"${near ? ` (did you mean "${near}"?)` : ''}`)
  }
  mustHaveNoNulls(options)
  const signal = signalOf(options.signal)
  const cwd = cwdOf(options.cwd)
  // Both before any server starts, as the command checks them.
  mustBeEntry(options.entry, cwd, '')
  if (options.compare !== undefined) mustBeEntry(options.compare, cwd, 'compare')
  if (options.config !== undefined && options.config !== false && (typeof options.config !== 'string' || options.config === ''))
    throw new HotcellError('ERR_INVALID_OPTION', `config must be the path of a config file, or false to read none (got ${JSON.stringify(options.config)})`)
  // The rest checked before the config file runs: it is code, and a mistake here is said first.
  const durationMs = time(options.duration ?? '10s', 'duration')
  const settings: BenchSettings = {
    entry: options.entry,
    compare: options.compare,
    baseline: mustBeBoolean(options.baseline ?? false, 'baseline'),
    path: mustBePath(options.path ?? '/', 'path'),
    method: mustBeMethod(options.method ?? 'GET', 'method'),
    headers: headersOf(options.headers),
    body: bodyOf(options.body),
    connections: mustBeInteger(options.connections ?? 50, 'connections', 1, 10_000),
    durationMs,
    warmupMs: options.warmup === undefined ? defaultWarmupMs(durationMs) : time(options.warmup, 'warmup', 'no warm-up'),
    workers: workersOf(options.workers),
    rounds: roundsOf(options.rounds, options.compare !== undefined, 'rounds', 'compare'),
    expectStatus: options.expectStatus === undefined ? undefined : mustBeInteger(options.expectStatus, 'expectStatus', 100, 599),
    generator: mustBeGenerator(options.generator ?? 'auto', 'generator'),
    https: mustBeBoolean(options.https ?? false, 'https'),
    // From the config file too (serve-side.ts): what runBench uses, set below.
    timeoutMs: 0,
    cwd,
    signal,
  }
  if (options.log !== undefined && options.log !== false && typeof options.log !== 'function')
    throw new HotcellError(
      'ERR_INVALID_OPTION',
      `log must be false (print nothing) or a function that takes each entry { level, text } (got ${typeof options.log})`,
    )
  if (signal?.aborted) throw new AbortError(signal.reason)
  // serve()'s own checks and messages for what the servers under test take from it, over the config file's.
  const shared = pick(options, ['timeout', 'bodyLimit', 'allowedHosts', 'envFile', 'handler', 'loaders'])
  const serveSide = await serveSideOf(options.entry, shared, options.config, cwd)
  if (signal?.aborted) throw new AbortError(signal.reason)
  return { settings: Object.freeze({ ...settings, timeoutMs: serveSide.timeoutMs }), serveSide: Object.freeze(serveSide), log: options.log }
}

function cwdOf(value: unknown): string {
  if (value === undefined) return process.cwd()
  if (typeof value !== 'string' || value === '') throw new HotcellError('ERR_INVALID_OPTION', `cwd must name a folder (got ${JSON.stringify(value)})`)
  const dir = resolve(value)
  const stats = statSync(dir, { throwIfNoEntry: false })
  if (!stats?.isDirectory()) throw new HotcellError('ERR_INVALID_OPTION', `cwd must be a folder, but ${value} is ${stats ? 'a file' : 'not found'}`)
  return dir
}

function signalOf(value: unknown): AbortSignal | undefined {
  if (value === undefined || value instanceof AbortSignal) return value
  throw new HotcellError('ERR_INVALID_OPTION', "signal must be an AbortSignal, such as AbortSignal.timeout(60_000) or an AbortController's signal")
}

function pick<K extends keyof BenchOptions>(options: BenchOptions, keys: K[]): Pick<BenchOptions, K> {
  const picked: Partial<Pick<BenchOptions, K>> = {}
  for (const key of keys) if (options[key] !== undefined) picked[key] = options[key]
  return picked as Pick<BenchOptions, K>
}

// A number is milliseconds, as serve()'s timeout (the command's bare -d 3 is seconds, as wrk reads it).
const time = (value: unknown, name: string, zeroOk: boolean | string = false) => {
  if (typeof value !== 'number' && typeof value !== 'string')
    throw new HotcellError('ERR_INVALID_OPTION', `${name} must be a time such as 10000 (ms) or "10s" (got ${JSON.stringify(value)})`)
  return parseTime(value, name, { bare: 'ms', minMs: 100, maxMs: 3_600_000, zeroOk })
}

function mustBeBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw new HotcellError('ERR_INVALID_OPTION', `${name} must be true or false (got ${JSON.stringify(value)})`)
  return value
}

function workersOf(value: unknown): number[] {
  if (value === undefined) return [defaultWorkers()]
  const list = Array.isArray(value) ? value : [value]
  if (list.length === 0) throw new HotcellError('ERR_INVALID_OPTION', 'workers must be a number or a list of numbers such as [1, 2, 4] (got [])')
  return [...new Set(list.map((n) => mustBeInteger(n, 'workers', 1, 64)))]
}

function headersOf(value: unknown): string[] {
  if (value === undefined) return []
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new HotcellError('ERR_INVALID_OPTION', `headers must be an object such as { 'content-type': 'application/json' } (got ${JSON.stringify(value)})`)
  return Object.entries(value).flatMap(([name, text]) => {
    if (!HEADER_NAME.test(name) || typeof text !== 'string')
      throw new HotcellError('ERR_INVALID_OPTION', `headers: ${JSON.stringify(name)} must be a header name with a string value (got ${JSON.stringify(text)})`)
    return [name, text]
  })
}

function bodyOf(value: unknown): Buffer | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'string') return Buffer.from(value)
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  throw new HotcellError('ERR_INVALID_OPTION', `body must be a string or a Uint8Array (got ${typeof value})`)
}
