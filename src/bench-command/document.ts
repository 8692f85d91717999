import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { availableParallelism, cpus, loadavg, platform, arch, release } from 'node:os'
import type { BenchSettings } from './run-bench.js'
import { configKey, configsOf } from './plan.js'
import { wrkVersion } from './wrk-load.js'
import {
  againstBaseline,
  compareRounds,
  scaling,
  stuckSides,
  summarizeConfig,
  type BaselineComparison,
  type Comparison,
  type ConfigSummary,
  type RunRecord,
  type ScalingRow,
} from './summary.js'

export interface Machine {
  cpu: string
  cores: number
  node: string
  os: string
  /** 1-minute load average when the bench started. It still counts a run that ended seconds ago. */
  loadAverage: number
  /** Cores in use by other processes when the bench started (coresInUse()): high means the numbers shared the CPU. Null when not measured. */
  coresInUse: number | null
}

export interface CheckRecord {
  target: 'A' | 'B' | 'baseline'
  entry: string
  status: number
  bodyBytes: number
  bodyVaries: boolean
}

/** Everything `--json` prints; the text report is rendered from the same object. */
export interface BenchDocument {
  tool: 'hotcell bench'
  version: string
  date: string
  machine: Machine
  generator: { name: 'undici' | 'wrk'; version: string; where: string }
  /** `scheme`: https with --https (TLS, HTTP/1.1), for hotcell and the baseline alike. */
  request: { method: string; path: string; headers: string[]; bodyBytes: number; scheme: 'http' | 'https' }
  /** `timeoutMs`: hotcell's --timeout on the servers under test (504 past it), and the correctness check's limit. */
  settings: { connections: number; durationMs: number; warmupMs: number; rounds: number; workers: number[]; expectStatus: number | null; timeoutMs: number }
  checks: CheckRecord[]
  runs: RunRecord[]
  results: ConfigSummary[]
  scaling: { A: ScalingRow[]; B: ScalingRow[] | null } | null
  compare: Comparison[] | null
  baseline: { result: ConfigSummary; comparisons: BaselineComparison[] } | null
  /** Failed requests (socket errors, timeouts, unexpected status, stuck when the run ended) over every timed run. */
  failures: number
}

// Long enough to see a busy process, short beside a bench run. The load
// average cannot say this: it decays over a minute, so right after a bench
// it reports that bench's own load for tens of seconds.
const CPU_SAMPLE_MS = 300

/** How many cores are busy right now, measured over CPU_SAMPLE_MS while this process waits. */
export async function coresInUse(): Promise<number> {
  const before = cpuTimes()
  await new Promise((resolve) => setTimeout(resolve, CPU_SAMPLE_MS))
  const after = cpuTimes()
  const total = after.total - before.total
  const busy = total > 0 ? (total - (after.idle - before.idle)) / total : 0
  return Math.round(busy * cpus().length * 100) / 100
}

export function machine(inUse: number | null = null): Machine {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    node: process.version,
    os: `${platform()} ${release()} ${arch()}`,
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
    coresInUse: inUse,
  }
}

function cpuTimes(): { idle: number; total: number } {
  let idle = 0
  let total = 0
  for (const { times } of cpus()) {
    idle += times.idle
    total += times.user + times.nice + times.sys + times.idle + times.irq
  }
  return { idle, total }
}

export function buildDocument(options: BenchSettings, checks: CheckRecord[], runs: RunRecord[], startedAt: Date, host: Machine): BenchDocument {
  const byKey = new Map<string, RunRecord[]>()
  for (const run of runs) {
    const key = configKey({ target: run.target, entry: run.entry, workers: run.workers })
    byKey.set(key, [...(byKey.get(key) ?? []), run])
  }
  const results = configsOf(options).flatMap((config) => {
    const mine = byKey.get(configKey(config))
    return mine ? [summarizeConfig(mine)] : []
  })
  const of = (target: 'A' | 'B') => results.filter((r) => r.target === target)
  const baselineResult = results.find((r) => r.target === 'baseline')
  const labels = { a: `A (${options.entry})`, b: `B (${options.compare ?? ''})` }
  return {
    tool: 'hotcell bench',
    version: packageVersion(),
    date: startedAt.toISOString(),
    machine: host,
    generator:
      options.generator === 'wrk'
        ? { name: 'wrk', version: wrkVersion(), where: 'its own process, 1 thread' }
        : { name: 'undici', version: packageVersion('undici'), where: 'worker thread of the bench process' },
    request: {
      method: options.method,
      path: options.path,
      headers: options.headers,
      bodyBytes: options.body?.byteLength ?? 0,
      scheme: options.https ? 'https' : 'http',
    },
    settings: {
      connections: options.connections,
      durationMs: options.durationMs,
      warmupMs: options.warmupMs,
      rounds: options.rounds,
      workers: options.workers,
      expectStatus: options.expectStatus ?? null,
      timeoutMs: options.timeoutMs,
    },
    checks,
    runs,
    results,
    scaling: options.workers.length > 1 ? { A: scaling(of('A')), B: options.compare ? scaling(of('B')) : null } : null,
    compare: options.compare ? options.workers.map((w) => withoutStuck(compareRounds(w, runsOf(runs, 'A', w), runsOf(runs, 'B', w), labels), runs)) : null,
    baseline: baselineResult ? { result: baselineResult, comparisons: of('A').map((a) => againstBaseline(a, baselineResult)) } : null,
    failures: runs.reduce((n, r) => n + r.stats.errors + r.stats.timeouts + r.stats.unexpected + r.stats.unfinished, 0),
  }
}

/**
 * What `--json` prints when the bench stops before a report (a failed check, a
 * server that would not start): `--json > result.json` in CI must not leave an
 * empty file with the reason only on stderr.
 */
export interface BenchFailureDocument {
  tool: 'hotcell bench'
  version: string
  date: string
  /** The one line also written to stderr, without its `hotcell bench: ` prefix. */
  error: string
  /** The checks that passed before it stopped. */
  checks: CheckRecord[]
}

export function failureDocument(error: string, checks: CheckRecord[], startedAt: Date): BenchFailureDocument {
  return { tool: 'hotcell bench', version: packageVersion(), date: startedAt.toISOString(), error, checks }
}

/** An A/B verdict on a side with stuck requests would be about the stuck connections: say so instead. */
function withoutStuck(comparison: Comparison, runs: RunRecord[]): Comparison {
  const stuck = (target: 'A' | 'B') => runsOf(runs, target, comparison.workers).reduce((n, r) => n + r.stats.unfinished, 0)
  const why = stuckSides([
    ['A', stuck('A')],
    ['B', stuck('B')],
  ])
  return why ? { ...comparison, verdict: `no verdict: ${why}` } : comparison
}

const runsOf = (runs: RunRecord[], target: 'A' | 'B', workers: number) => runs.filter((r) => r.target === target && r.workers === workers)

function packageVersion(name?: string): string {
  try {
    const file = name ? createRequire(import.meta.url).resolve(`${name}/package.json`) : new URL('../../../package.json', import.meta.url)
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
  } catch {
    return 'unknown'
  }
}
