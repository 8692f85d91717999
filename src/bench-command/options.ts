import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { mustBeInteger, TIMEOUT_RANGE } from '../config/resolve-config.js'
import { parseTime } from '../config/duration.js'
import { HotcellError } from '../errors.js'
import { flagHelp, parseFlags, type Flag, type FlagValues } from '../cli/flag-table.js'
import { SERVE_FLAGS } from '../cli/serve-flags.js'
import { mustBeEntry } from '../config/entry-file.js'
import { CONFIG_FLAG, SHARED_SERVE_FLAGS, sharedValues } from './serve-side.js'

/** A benchmark measures with as many workers as can run in parallel here (up to 4), unless given a list. */
export function defaultWorkers(): number {
  return Math.max(1, Math.min(4, availableParallelism()))
}

/** What one `hotcell bench` invocation measures, validated once. */
export interface BenchOptions {
  /** The entry and --compare as given (the report names them so), read from `cwd`. */
  entry: string
  /** A second entry measured against `entry` (A/B). */
  compare: string | undefined
  /** Also measure the handler inline on a plain node:http server. */
  baseline: boolean
  path: string
  method: string
  /** Flat [name, value, name, value…] as given. */
  headers: string[]
  body: Buffer | undefined
  connections: number
  durationMs: number
  warmupMs: number
  workers: number[]
  rounds: number
  json: boolean
  expectStatus: number | undefined
  failOnErrors: boolean
  /** auto: wrk when it is installed, else undici in a worker thread. */
  generator: 'auto' | 'undici' | 'wrk'
  /** Serve over HTTPS (the --https certificate); the baseline too. */
  https: boolean
  /** hotcell's --timeout for the servers under test; the correctness check waits as long. Without the flag, the config file's (command.ts). */
  timeoutMs: number
  /** Where the entries, env files and config file are looked for: process.cwd(), or bench()'s `cwd`. */
  cwd: string
  /** serve's flags the bench shares (--body-limit, --allowed-hosts, --env-file, --handler, --timeout, --config), as given: resolved with the config file as `hotcell` does (serve-side.ts). */
  serveFlags: FlagValues
}

// `hotcell --timeout`, read the same way (resolveConfig: a bare number is ms,
// unlike -d), so a value tried with `hotcell` means the same under the bench.
const SERVE_TIMEOUT = SERVE_FLAGS.find((flag) => flag.name === 'timeout')!
const parseTimeout = (text: string) => parseTime(text, '--timeout', TIMEOUT_RANGE)
/** What `hotcell --timeout` defaults to, read from its documented default. */
export const DEFAULT_TIMEOUT_MS = parseTimeout(SERVE_TIMEOUT.default!)

export const BENCH_FLAGS: readonly Flag[] = [
  { name: 'path', type: 'string', value: '<path>', help: 'request path and query', default: '/' },
  { name: 'method', short: 'm', type: 'string', value: '<verb>', help: 'request method', default: 'GET' },
  { name: 'header', type: 'string', multiple: true, value: '"name: value"', help: 'request header (repeatable)' },
  { name: 'body', type: 'string', value: '<text>', help: 'request body' },
  { name: 'body-file', type: 'string', value: '<file>', help: 'request body from a file' },
  { name: 'connections', short: 'c', type: 'string', value: '<n>', help: 'concurrent connections', default: '50' },
  {
    name: 'duration',
    short: 'd',
    type: 'string',
    value: '<time>',
    help: 'timed load per run: 10s, 1500ms, 1m (a bare number is seconds, as for wrk; wrk runs whole seconds)',
    default: '10s',
  },
  { name: 'warmup', type: 'string', value: '<time>', help: 'load before timing, per server; 0: no warm-up', default: 'a quarter of -d, 250ms to 2s' },
  {
    name: 'workers',
    short: 'w',
    type: 'string',
    value: '<list>',
    help: 'worker counts to measure, e.g. 1,2,4',
    default: `${defaultWorkers()} here: the cores, 4 at most`,
  },
  { name: 'rounds', short: 'r', type: 'string', value: '<n>', help: 'timed runs per configuration', default: '1, or 3 with --compare' },
  { name: 'compare', type: 'string', value: '<entry>', help: 'A/B: measure this entry against <entry>, interleaved' },
  { name: 'baseline', type: 'boolean', help: 'also run the handler inline on a plain node:http server' },
  {
    name: 'timeout',
    type: 'string',
    value: SERVE_TIMEOUT.value!,
    help: 'hotcell answers 504 after this long, and the check\nwaits as long (5s, 1500ms; a bare number is ms,\nas for hotcell --timeout)',
    default: SERVE_TIMEOUT.default!,
  },
  ...SHARED_SERVE_FLAGS,
  CONFIG_FLAG,
  { name: 'https', type: 'boolean', help: 'serve over TLS, as hotcell --https does (the baseline\non node:https); the load goes over HTTP/1.1' },
  { name: 'expect-status', type: 'string', value: '<code>', help: 'status the check and the load expect', default: 'any 2xx' },
  { name: 'fail-on-errors', type: 'boolean', help: 'exit 1 if any timed request failed or got an unexpected status' },
  { name: 'generator', short: 'g', type: 'string', value: '<name>', help: 'auto, wrk or undici', default: 'auto = wrk when installed' },
  { name: 'json', type: 'boolean', help: 'print one JSON document instead of tables' },
  { name: 'help', short: 'h', type: 'boolean', help: 'show this help' },
  { name: 'version', short: 'v', type: 'boolean', help: 'show the version' },
]

export const BENCH_HELP = `hotcell bench: measure a handler's throughput, latency and scaling across workers

Usage
  hotcell bench <entry> [options]

Options
${flagHelp(BENCH_FLAGS)}
--body-limit, --allowed-hosts, --env-file, --handler and --timeout are read as hotcell reads
them, over the same keys of the config file; its other keys (port, workers, https …) do not apply.

Examples
  hotcell bench src/app.ts
  hotcell bench src/app.ts --path /users/1 -c 100 -d 20s -w 1,2,4
  hotcell bench src/app.ts --compare src/app-v2.ts
  hotcell bench src/app.ts --baseline --json > result.json
  hotcell bench src/app.ts -m POST --body-file big.json --body-limit 50mb
  hotcell bench src/app.ts --header 'Host: api.myapp.test' --allowed-hosts api.myapp.test
`

export type ParsedBench = { help: true } | { help: false; version: true } | { help: false; version?: undefined; options: BenchOptions }

interface BenchValues {
  path?: string
  method?: string
  header?: string[]
  body?: string
  'body-file'?: string
  connections?: string
  duration?: string
  warmup?: string
  workers?: string
  rounds?: string
  compare?: string
  baseline?: boolean
  https?: boolean
  json?: boolean
  'expect-status'?: string
  'fail-on-errors'?: boolean
  generator?: string
  timeout?: string
  help?: boolean
  version?: boolean
}

/** argv after `bench` → options. Every mistake is a HotcellError with a one-line message. */
export function parseBenchArgs(argv: string[]): ParsedBench {
  const parsed = parseFlags(argv, BENCH_FLAGS, 'hotcell bench --help')
  const positionals = parsed.positionals
  const v = parsed.values as BenchValues
  if (v.help) return { help: true }
  if (v.version) return { help: false, version: true }
  if (positionals.length === 0)
    throw new HotcellError('ERR_INVALID_OPTION', 'missing the entry file. Usage: hotcell bench <entry> [options], e.g. hotcell bench src/app.ts')
  if (positionals.length > 1)
    throw new HotcellError('ERR_INVALID_OPTION', `expected one entry file, got ${positionals.length}: ${positionals.join(' ')} (to compare two, use --compare)`)
  if (v.body !== undefined && v['body-file'] !== undefined) throw new HotcellError('ERR_INVALID_OPTION', 'use either --body or --body-file, not both')
  // Both before any server starts: a mistyped B would otherwise show only after A's server was up.
  mustBeEntry(positionals[0], process.cwd(), '')
  if (v.compare !== undefined) mustBeEntry(v.compare, process.cwd(), '--compare')

  const durationMs = parseDuration(v.duration ?? '10s', '--duration')
  const path = mustBePath(v.path ?? '/', '--path')
  const method = mustBeMethod(v.method ?? 'GET', '--method')
  const generator = mustBeGenerator(v.generator ?? 'auto', '--generator')
  const rounds = roundsOf(v.rounds, v.compare !== undefined, '--rounds', '--compare')
  return {
    help: false,
    options: {
      entry: positionals[0]!,
      compare: v.compare,
      cwd: process.cwd(),
      baseline: v.baseline ?? false,
      path,
      method,
      headers: (v.header ?? []).flatMap(parseHeader),
      body: v.body !== undefined ? Buffer.from(v.body) : v['body-file'] !== undefined ? readBodyFile(v['body-file']) : undefined,
      connections: mustBeInteger(v.connections ?? '50', '--connections', 1, 10_000),
      durationMs,
      warmupMs: v.warmup === undefined ? defaultWarmupMs(durationMs) : parseDuration(v.warmup, '--warmup', 'no warm-up'),
      workers: parseWorkers(v.workers),
      rounds,
      json: v.json ?? false,
      expectStatus: v['expect-status'] === undefined ? undefined : mustBeInteger(v['expect-status'], '--expect-status', 100, 599),
      failOnErrors: v['fail-on-errors'] ?? false,
      generator,
      https: v.https ?? false,
      timeoutMs: v.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseTimeout(v.timeout),
      serveFlags: sharedValues(parsed.values),
    },
  }
}

/** "10s", "1500ms", "1m", or a bare number of seconds (as wrk reads it). */
export function parseDuration(text: string, flag: string, zeroOk: boolean | string = false): number {
  return parseTime(text, flag, { bare: 's', minMs: 100, maxMs: 3_600_000, zeroOk })
}

function parseWorkers(text: string | undefined): number[] {
  if (text === undefined) return [defaultWorkers()]
  const list = text.split(',').map((part) => mustBeInteger(part.trim(), '--workers', 1, 64))
  return [...new Set(list)]
}

function parseHeader(text: string): [string, string] {
  const colon = text.indexOf(':')
  const name = colon > 0 ? text.slice(0, colon).trim() : ''
  if (!HEADER_NAME.test(name)) throw new HotcellError('ERR_INVALID_OPTION', `--header must look like "name: value" (got "${text}")`)
  return [name, text.slice(colon + 1).trim()]
}

// The checks below are the command line's and bench()'s (bench-api.ts): `name` is the flag or the option.

export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/** A quarter of the timed load, 250 ms to 2 s. */
export const defaultWarmupMs = (durationMs: number): number => Math.min(2000, Math.max(250, Math.round(durationMs / 4)))

export function mustBePath(value: unknown, name: string): string {
  if (typeof value !== 'string' || !value.startsWith('/'))
    throw new HotcellError('ERR_INVALID_OPTION', `${name} must start with / (got ${JSON.stringify(value)})`)
  return value
}

export function mustBeMethod(value: unknown, name: string): string {
  const method = typeof value === 'string' ? value.toUpperCase() : ''
  if (!/^[A-Z]+$/.test(method))
    throw new HotcellError('ERR_INVALID_OPTION', `${name} must be an HTTP method such as GET or POST (got ${JSON.stringify(value)})`)
  return method
}

export function mustBeGenerator(value: unknown, name: string): BenchOptions['generator'] {
  if (value !== 'auto' && value !== 'undici' && value !== 'wrk')
    throw new HotcellError('ERR_INVALID_OPTION', `${name} must be auto, wrk or undici (got ${JSON.stringify(value)})`)
  return value
}

/** 1 by default, 3 for A/B, which needs at least that many. */
export function roundsOf(value: unknown, compare: boolean, name: string, compareName: string): number {
  const rounds = value === undefined ? (compare ? 3 : 1) : mustBeInteger(value, name, 1, 100)
  if (compare && rounds < 3)
    throw new HotcellError('ERR_INVALID_OPTION', `${compareName} needs at least 3 rounds to tell noise from a difference (got ${name} ${rounds})`)
  return rounds
}

function readBodyFile(file: string): Buffer {
  try {
    return readFileSync(file)
  } catch (error) {
    throw new HotcellError('ERR_INVALID_OPTION', `--body-file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
  }
}
