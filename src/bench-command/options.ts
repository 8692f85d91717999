import { readFileSync } from 'node:fs'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { defaultWorkers, mustBeInteger } from '../config/resolve-config.js'
import { HotcellError } from '../errors.js'

/** What one `hotcell bench` invocation measures, validated once. */
export interface BenchOptions {
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
  /** auto: wrk when it is installed, else autocannon. */
  generator: 'auto' | 'autocannon' | 'wrk'
}

export const BENCH_FLAGS = {
  path: { type: 'string' },
  method: { type: 'string', short: 'm' },
  header: { type: 'string', multiple: true },
  body: { type: 'string' },
  'body-file': { type: 'string' },
  connections: { type: 'string', short: 'c' },
  duration: { type: 'string', short: 'd' },
  warmup: { type: 'string' },
  workers: { type: 'string', short: 'w' },
  rounds: { type: 'string', short: 'r' },
  compare: { type: 'string' },
  baseline: { type: 'boolean' },
  json: { type: 'boolean' },
  'expect-status': { type: 'string' },
  'fail-on-errors': { type: 'boolean' },
  generator: { type: 'string', short: 'g' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options']

export const BENCH_HELP = `hotcell bench: measure a handler's throughput, latency and scaling across workers

Usage
  hotcell bench <entry> [options]

Options
      --path <path>          request path and query             (default: /)
  -m, --method <verb>        request method                     (default: GET)
      --header "name: value" request header (repeatable)
      --body <text>          request body
      --body-file <file>     request body from a file
  -c, --connections <n>      concurrent connections             (default: 50)
  -d, --duration <time>      timed load per run: 10s, 1500ms, 1m (default: 10s)
      --warmup <time>        load before timing, per server     (default: a quarter of -d, 250ms to 2s)
  -w, --workers <list>       worker counts to measure, e.g. 1,2,4 (default: ${defaultWorkers()})
  -r, --rounds <n>           timed runs per configuration       (default: 1, or 3 with --compare)
      --compare <entry>      A/B: measure this entry against <entry>, interleaved
      --baseline             also run the handler inline on a plain node:http server
      --expect-status <code> status the check and the load expect (default: any 2xx)
      --fail-on-errors       exit 1 if any timed request failed or got an unexpected status
  -g, --generator <name>     auto, wrk or autocannon           (default: auto = wrk when installed)
      --json                 print one JSON document instead of tables
  -h, --help                 show this help

Examples
  hotcell bench src/app.ts
  hotcell bench src/app.ts --path /users/1 -c 100 -d 20s -w 1,2,4
  hotcell bench src/app.ts --compare src/app-v2.ts
  hotcell bench src/app.ts --baseline --json > result.json
`

export type ParsedBench = { help: true } | { help: false; options: BenchOptions }

/** argv after `bench` → options. Every mistake is a HotcellError with a one-line message. */
export function parseBenchArgs(argv: string[]): ParsedBench {
  let parsed
  try {
    parsed = parseArgs({ args: argv, options: BENCH_FLAGS, allowPositionals: true, strict: true })
  } catch (error) {
    const option = /'([^']+)'/.exec((error as Error).message)?.[1] ?? ''
    const code = (error as { code?: string }).code
    const message = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? `unknown option ${option}` : code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' ? `${option} needs a value` : (error as Error).message
    throw new HotcellError('ERR_INVALID_OPTION', `${message}. Run hotcell bench --help to see the options.`)
  }
  const { values: v, positionals } = parsed
  if (v.help) return { help: true }
  if (positionals.length === 0) throw new HotcellError('ERR_INVALID_OPTION', 'missing the entry file. Usage: hotcell bench <entry> [options], e.g. hotcell bench src/app.ts')
  if (positionals.length > 1) throw new HotcellError('ERR_INVALID_OPTION', `expected one entry file, got ${positionals.length}: ${positionals.join(' ')} (to compare two, use --compare)`)
  if (v.body !== undefined && v['body-file'] !== undefined) throw new HotcellError('ERR_INVALID_OPTION', 'use either --body or --body-file, not both')

  const durationMs = parseDuration(v.duration ?? '10s', '--duration')
  const path = v.path ?? '/'
  if (!path.startsWith('/')) throw new HotcellError('ERR_INVALID_OPTION', `--path must start with / (got "${path}")`)
  const method = (v.method ?? 'GET').toUpperCase()
  if (!/^[A-Z]+$/.test(method)) throw new HotcellError('ERR_INVALID_OPTION', `--method must be an HTTP method such as GET or POST (got "${v.method}")`)
  const generator = v.generator ?? 'auto'
  if (generator !== 'auto' && generator !== 'autocannon' && generator !== 'wrk') {
    throw new HotcellError('ERR_INVALID_OPTION', `--generator must be auto, wrk or autocannon (got "${generator}")`)
  }
  const rounds = v.rounds === undefined ? (v.compare ? 3 : 1) : mustBeInteger(v.rounds, '--rounds', 1, 100)
  if (v.compare && rounds < 3) throw new HotcellError('ERR_INVALID_OPTION', `--compare needs at least 3 rounds to tell noise from a difference (got --rounds ${rounds})`)
  return {
    help: false,
    options: {
      entry: positionals[0]!,
      compare: v.compare,
      baseline: v.baseline ?? false,
      path,
      method,
      headers: (v.header ?? []).flatMap(parseHeader),
      body: v.body !== undefined ? Buffer.from(v.body) : v['body-file'] !== undefined ? readBodyFile(v['body-file']) : undefined,
      connections: mustBeInteger(v.connections ?? '50', '--connections', 1, 10_000),
      durationMs,
      warmupMs: v.warmup === undefined ? Math.min(2000, Math.max(250, Math.round(durationMs / 4))) : parseDuration(v.warmup, '--warmup', true),
      workers: parseWorkers(v.workers),
      rounds,
      json: v.json ?? false,
      expectStatus: v['expect-status'] === undefined ? undefined : mustBeInteger(v['expect-status'], '--expect-status', 100, 599),
      failOnErrors: v['fail-on-errors'] ?? false,
      generator,
    },
  }
}

/** "10s", "1500ms", "1m", or a bare number of seconds (as autocannon and wrk read it). */
export function parseDuration(text: string, flag: string, zeroOk = false): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim())
  const ms = match ? Number(match[1]) * (match[2] === 'ms' ? 1 : match[2] === 'm' ? 60_000 : 1000) : NaN
  if (!Number.isFinite(ms) || ms > 3_600_000 || (ms < 100 && !(zeroOk && ms === 0))) {
    throw new HotcellError('ERR_INVALID_OPTION', `${flag} must be a time from 100ms to 60m such as 10s, 1500ms or 1m (got "${text}")`)
  }
  return Math.round(ms)
}

function parseWorkers(text: string | undefined): number[] {
  if (text === undefined) return [defaultWorkers()]
  const list = text.split(',').map((part) => mustBeInteger(part.trim(), '--workers', 1, 64))
  return [...new Set(list)]
}

function parseHeader(text: string): [string, string] {
  const colon = text.indexOf(':')
  const name = colon > 0 ? text.slice(0, colon).trim() : ''
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new HotcellError('ERR_INVALID_OPTION', `--header must look like "name: value" (got "${text}")`)
  return [name, text.slice(colon + 1).trim()]
}

function readBodyFile(file: string): Buffer {
  try {
    return readFileSync(file)
  } catch (error) {
    throw new HotcellError('ERR_INVALID_OPTION', `--body-file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
  }
}
