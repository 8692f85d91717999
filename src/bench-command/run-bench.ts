// One benchmark session, for `hotcell bench` and for bench() alike: start the
// servers, check each, warm up, run the plan, build the document. It prints
// nothing itself and never exits the process: progress and the servers' log go
// where the caller says (the command line's terminal, or bench()'s `log`).
import { loadEnvFiles } from '../config/env-files.js'
import { resolveConfig, type Config } from '../config/resolve-config.js'
import { startServer } from '../dev-server.js'
import { MAX_CONNECTIONS } from '../http/server.js'
import { MAX_QUEUE } from '../pool/request-queue.js'
import type { HotcellServer } from '../server-api.js'
import { BenchError, HotcellError } from '../errors.js'
import type { Logger } from '../report/logger.js'
import { createFailureTally, type FailureTally } from '../report/failure-tally.js'
import { thousands } from '../report/thousands.js'
import { takeAbandoned, watchAbandoned } from '../http/abandoned-requests.js'
import { startBaseline } from './baseline.js'
import { countUnfinished } from './unfinished.js'
import { checkTarget, drain, type RequestSpec } from './check.js'
import { buildDocument, coresInUse, machine, type BenchDocument, type CheckRecord } from './document.js'
import type { BenchOptions } from './options.js'
import { configKey, configsOf, planRuns, type Variant } from './plan.js'
import { runLoad, type LoadJob, type LoadStats } from './run-load.js'
import type { RunRecord } from './summary.js'
import type { ServeSide } from './serve-side.js'
import { hasWrk, runWrkLoad } from './wrk-load.js'
import { throwIfAborted, unlessAborted } from './abort.js'
import { AbortError } from '../errors.js'

/** What a session measures: the command line's options but those about printing and the exit code; bench()'s `signal`. */
export type BenchSettings = Omit<BenchOptions, 'json' | 'failOnErrors' | 'serveFlags'> & {
  /** Its abort stops the session at once: the load and the check end, the servers close, the outcome's error is an AbortError. */
  signal?: AbortSignal
}

/** Where a session tells how it goes. */
export interface BenchProgress {
  /** A step begins: a warm-up, a timed run. */
  step(line: string): void
  /** Live figures within a timed run (the terminal rewrites one line with them). */
  update(line: string): void
  /** A line that stays: a check request waited for long. */
  note(line: string): void
  /** Before a failure's first report: the live line ends. */
  clear(): void
  /** Said once, after the servers stopped: how often each failing location failed. */
  summary(line: string): void
}

export type BenchOutcome =
  | { ok: true; document: BenchDocument }
  /** `message`: one line (the command prints it); `error`: what was thrown; `checks`: those that passed before. */
  | { ok: false; error: unknown; message: string; checks: CheckRecord[]; startedAt: Date }

interface Running {
  config: Variant
  url: string
  /** Arrival times of the requests its clients left unanswered since the last call (http/abandoned-requests.ts). */
  takeAbandoned(): Promise<number[]>
  close(): Promise<void>
}

/** `logger`: where the servers under test log (their failure reports). */
export async function runBench(given: BenchSettings, serveSide: ServeSide, progress: BenchProgress, logger: Logger): Promise<BenchOutcome> {
  let options: BenchSettings = { ...given, timeoutMs: serveSide.timeoutMs }
  const startedAt = new Date()
  const host = machine(await coresInUse())
  const running: Running[] = []
  const records: RunRecord[] = []
  const checks: CheckRecord[] = []
  // A JavaScript generator spends 2–5× wrk's CPU per request, and on 2 cores
  // that is taken from the server: req/s for a hello handler came out 0.71–1.17×
  // wrk's, round by round. So wrk where it is installed; undici (an npm
  // dependency, so that `npx hotcell bench` works anywhere) otherwise.
  if (options.generator === 'auto') options = { ...options, generator: hasWrk() ? 'wrk' : 'undici' }
  if (options.generator === 'wrk') {
    // wrk runs whole seconds: say what will really run.
    const whole = (ms: number) => (ms === 0 ? 0 : Math.max(1000, Math.round(ms / 1000) * 1000))
    options = { ...options, durationMs: whole(options.durationMs), warmupMs: whole(options.warmupMs) }
  }
  const { signal } = options
  const load = (job: LoadJob, onTick?: (elapsedMs: number, perSecond: number) => void) =>
    options.generator === 'wrk' ? runWrkLoad(job, onTick, signal) : runLoad(job, onTick, undefined, signal)
  // A failure's first report starts a line of its own, not the end of the live progress line.
  const failures = createFailureTally(() => progress.clear())
  // Before the verdict, which stays the last line: the counts of what the reports above said once.
  const sayFailures = () => {
    for (const line of failures.summary()) progress.summary(line)
  }
  try {
    const spec: RequestSpec = { method: options.method, path: options.path, headers: options.headers, body: options.body }
    for (const config of configsOf(options)) {
      throwIfAborted(signal)
      // A server that ends its start after an abort: closed then.
      const server = await unlessAborted(start(config, options, serveSide, failures, logger), signal, (late) => late.close())
      running.push(server)
      const checked = checkTarget(describe(config, options.https), server.url, spec, options.expectStatus, {
        timeoutMs: options.timeoutMs,
        serverTimesOut: config.target !== 'baseline',
        onWait: (line) => progress.note(line),
        signal,
      })
      const { status, bodyBytes, bodyVaries } = await unlessAborted(checked, signal)
      if (!checks.some((c) => c.target === config.target)) checks.push({ target: config.target, entry: config.entry, status, bodyBytes, bodyVaries })
    }
    const byKey = new Map(running.map((r) => [configKey(r.config), r]))
    // Warm-up: JIT, lazily loaded undici, the first connections. Not timed.
    for (const server of running) {
      if (options.warmupMs === 0) break
      progress.step(`warming up ${describe(server.config, options.https)}`)
      await load(job(options, server.url, options.warmupMs))
      await unlessAborted(drain(server.url, spec, server.config.workers, options.timeoutMs, signal), signal)
    }
    const plan = planRuns(options)
    for (const run of plan) {
      const server = byKey.get(configKey(run.config))!
      const what = `[${run.order}/${plan.length}] ${describe(run.config, options.https)}, round ${run.round}/${options.rounds}`
      throwIfAborted(signal)
      progress.step(what)
      // What the check, the warm-up and earlier runs left: not this run's.
      await server.takeAbandoned()
      const started = new Date()
      failures.timed(true)
      const stats: LoadStats = await load(job(options, server.url, options.durationMs), (elapsedMs, perSecond) => {
        const rate = perSecond ? `, ${thousands(perSecond)} req/s` : ''
        progress.update(`${what}: ${(elapsedMs / 1000).toFixed(0)}/${options.durationMs / 1000} s${rate}`)
      })
      failures.timed(false)
      const endedAt = Date.now()
      // The drain's answers also show that the server has seen the generator's connections close.
      await unlessAborted(drain(server.url, spec, run.config.workers, options.timeoutMs, signal), signal)
      const unfinished = countUnfinished(await server.takeAbandoned(), endedAt, stats)
      records.push({
        order: run.order,
        round: run.round,
        target: run.config.target,
        entry: run.config.entry,
        workers: run.config.workers,
        startedAt: started.toISOString(),
        finishedAt: new Date().toISOString(),
        stats: { ...stats, unfinished },
      })
    }
  } catch (thrown) {
    // Whatever the abort made fail (a check's request cut: a BenchError) failed because of it.
    const error = signal?.aborted && !(thrown instanceof AbortError) ? new AbortError(signal.reason) : thrown
    progress.clear()
    failures.timed(false)
    // The servers first: what they report as they stop (a stream the check gave
    // up on, cut by the shutdown) comes before the verdict, which is the last line.
    await Promise.allSettled(running.splice(0).map((server) => server.close()))
    sayFailures()
    const message =
      error instanceof HotcellError
        ? error.message
        : error instanceof AbortError
          ? 'aborted'
          : `the benchmark failed: ${(error as Error)?.message ?? String(error)}`
    return { ok: false, error, message, checks, startedAt }
  } finally {
    progress.clear()
    await Promise.allSettled(running.map((server) => server.close()))
  }
  sayFailures()
  return { ok: true, document: buildDocument(options, checks, records, startedAt, host) }
}

async function start(config: Variant, options: BenchSettings, serveSide: ServeSide, failures: FailureTally, logger: Logger): Promise<Running> {
  const resolved = serverConfig(config, options, serveSide)
  if (config.target === 'baseline') {
    // The variables hotcell's workers get (dev-server.ts, #loadEnv), read the
    // same way: the baseline process's process.env, and a fetch handler's env.
    const loaded = loadEnvFiles(resolved.envFiles, resolved.cwd)
    if (loaded.problems.length > 0) throw new BenchError(loaded.problems[0]!.replace(/^hotcell: /, ''))
    const baseline = await startBaseline(config.entry, config.entry, resolved.handler, options.https, loaded.env, resolved.loaders, options.cwd)
    return { config, url: baseline.url, takeAbandoned: () => baseline.takeAbandoned(), close: () => baseline.close() }
  }
  // hotcell's caps protect a dev server from clients it does not know: past 512
  // connections it closes them at accept (a -c 520 run reported 488 failed
  // requests), past 1024 queued requests it answers 503 (-c 2000 on 1 worker:
  // 37,815 of them). This server is only the bench's, on 127.0.0.1, for the
  // run, and each of its -c connections has one request in flight: both caps
  // make room for all of them, on top of the usual ones for the check's and
  // the drain's, and for a previous run's connections still closing when the
  // next run opens its own.
  // Failed requests are tallied: a report written per failure was timed as the cost of isolation (failure-tally.ts).
  const server: HotcellServer = await startServer(
    Object.freeze({ ...resolved, maxConnections: MAX_CONNECTIONS + options.connections, maxQueue: MAX_QUEUE + options.connections }),
    failures,
    logger,
  )
  // In this process: the bench's servers are the only ones here.
  watchAbandoned()
  return { config, url: server.url, takeAbandoned: async () => takeAbandoned(), close: () => server.close() }
}

/** The options a hotcell server under test runs with; the baseline takes what applies to it (env, handler) from the same. */
function serverConfig(config: Variant, { https, timeoutMs, cwd }: BenchSettings, serveSide: ServeSide): Config {
  const own = resolveConfig({
    entry: config.entry,
    cwd,
    port: 0,
    host: '127.0.0.1',
    reload: false,
    quiet: true,
    // The baseline has no workers.
    workers: Math.max(1, config.workers),
    https,
    timeout: timeoutMs,
  })
  // Resolved and checked already, with the config file (serve-side.ts).
  return Object.freeze({ ...own, ...serveSide })
}

function job(options: BenchSettings, origin: string, durationMs: number): LoadJob {
  return {
    url: new URL(options.path, origin).href,
    method: options.method,
    headers: options.headers,
    body: options.body,
    connections: options.connections,
    durationMs,
    expectStatus: options.expectStatus,
  }
}

function describe(config: Variant, https = false): string {
  if (config.target === 'baseline') return `baseline (${config.entry} inline on ${https ? 'node:https' : 'node:http'})`
  return `${config.target} (${config.entry}), ${config.workers} worker${config.workers > 1 ? 's' : ''}`
}
