import { loadEnvFiles } from '../config/env-files.js'
import { resolveConfig, type Config } from '../config/resolve-config.js'
import { startServer } from '../dev-server.js'
import { MAX_CONNECTIONS } from '../http/server.js'
import { MAX_QUEUE } from '../pool/request-queue.js'
import type { HotcellServer } from '../server-api.js'
import { BenchError, HotcellError } from '../errors.js'
import { startBaseline } from './baseline.js'
import { takeAbandoned, watchAbandoned } from '../http/abandoned-requests.js'
import { countUnfinished } from './unfinished.js'

import { checkTarget, drain, type RequestSpec } from './check.js'
import { buildDocument, coresInUse, failureDocument, machine, type CheckRecord } from './document.js'
import { BENCH_HELP, parseBenchArgs, type BenchOptions } from './options.js'
import { configKey, configsOf, planRuns, type Variant } from './plan.js'
import { renderText } from './report.js'
import { reserveStdout } from './report-stdout.js'
import { runLoad, type LoadJob, type LoadStats } from './run-load.js'
import type { RunRecord } from './summary.js'
import { resolveServeSide, type ServeSide } from './serve-side.js'
import { hasWrk, runWrkLoad } from './wrk-load.js'
import { thousands } from '../report/thousands.js'
import { createFailureTally, type FailureTally } from '../report/failure-tally.js'

export interface BenchIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean }
  stderr: NodeJS.WritableStream & { isTTY?: boolean }
  /** The command line's Ctrl-C (SIGINT/SIGTERM), when there is one. */
  onStop?: (stop: () => void) => void
}

interface Running {
  config: Variant
  url: string
  /** Arrival times of the requests its clients left unanswered since the last call (http/abandoned-requests.ts). */
  takeAbandoned(): Promise<number[]>
  close(): Promise<void>
}

/** `hotcell bench …` (argv after the word `bench`). Resolves to the exit code. */
export async function benchMain(argv: string[], io: BenchIO): Promise<number> {
  const fail = (message: string) => {
    io.stderr.write(`hotcell bench: ${message}\n`)
    return 1
  }
  let options: BenchOptions
  let serveSide: ServeSide
  try {
    const parsed = parseBenchArgs(argv)
    if (parsed.help) {
      io.stdout.write(BENCH_HELP)
      return 0
    }
    // Before any server starts: a bad --body-limit or config file gets serve's one line.
    serveSide = await resolveServeSide(parsed.options.entry, parsed.options.serveFlags, process.cwd())
    options = { ...parsed.options, timeoutMs: serveSide.timeoutMs }
  } catch (error) {
    if (error instanceof HotcellError) return fail(error.message)
    throw error
  }

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
  const load = options.generator === 'wrk' ? runWrkLoad : runLoad
  const stdout = reserveStdout(io.stdout, io.stderr)
  const progress = createProgress(options.json ? io.stderr : stdout.report, Boolean(io.stdout.isTTY), io.stderr)
  // A failure's first report starts a line of its own, not the end of the live progress line.
  const failures = createFailureTally(() => progress.clear())
  // Before the verdict, which stays the last line: the counts of what the reports above said once.
  const sayFailures = () => {
    for (const line of failures.summary()) io.stderr.write(`hotcell bench: ${line}\n`)
  }
  // Ctrl-C (the command line's stop): end the progress line and say why there is no report.
  io.onStop?.(() => {
    progress.clear()
    io.stderr.write('hotcell bench: interrupted; no report\n')
    process.exit(130)
  })
  try {
    const spec: RequestSpec = { method: options.method, path: options.path, headers: options.headers, body: options.body }
    for (const config of configsOf(options)) {
      const server = await start(config, options, serveSide, failures)
      running.push(server)
      const { status, bodyBytes, bodyVaries } = await checkTarget(describe(config, options.https), server.url, spec, options.expectStatus, {
        timeoutMs: options.timeoutMs,
        serverTimesOut: config.target !== 'baseline',
        onWait: (line) => progress.note(line),
      })
      if (!checks.some((c) => c.target === config.target)) checks.push({ target: config.target, entry: config.entry, status, bodyBytes, bodyVaries })
    }
    const byKey = new Map(running.map((r) => [configKey(r.config), r]))
    // Warm-up: JIT, lazily loaded undici, the first connections. Not timed.
    for (const server of running) {
      if (options.warmupMs === 0) break
      progress.step(`warming up ${describe(server.config, options.https)}`)
      await load(job(options, server.url, options.warmupMs))
      await drain(server.url, spec, server.config.workers, options.timeoutMs)
    }
    const plan = planRuns(options)
    for (const run of plan) {
      const server = byKey.get(configKey(run.config))!
      const what = `[${run.order}/${plan.length}] ${describe(run.config, options.https)}, round ${run.round}/${options.rounds}`
      progress.step(what)
      // What the check, the warm-up and earlier runs left: not this run's.
      await server.takeAbandoned()
      const started = new Date()
      const stats: LoadStats = await load(job(options, server.url, options.durationMs), (elapsedMs, perSecond) => {
        const rate = perSecond ? `, ${thousands(perSecond)} req/s` : ''
        progress.update(`${what}: ${(elapsedMs / 1000).toFixed(0)}/${options.durationMs / 1000} s${rate}`)
      })
      const endedAt = Date.now()
      // The drain's answers also show that the server has seen the generator's connections close.
      await drain(server.url, spec, run.config.workers, options.timeoutMs)
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
  } catch (error) {
    progress.clear()
    // The servers first: what they report as they stop (a stream the check gave
    // up on, cut by the shutdown) comes before the verdict, which is the last line.
    await Promise.allSettled(running.splice(0).map((server) => server.close()))
    sayFailures()
    const message = error instanceof HotcellError ? error.message : `the benchmark failed: ${(error as Error)?.message ?? String(error)}`
    if (options.json) stdout.report.write(JSON.stringify(failureDocument(message, checks, startedAt), null, 2) + '\n')
    return fail(message)
  } finally {
    progress.clear()
    await Promise.allSettled(running.map((server) => server.close()))
    stdout.release()
  }

  sayFailures()
  const doc = buildDocument(options, checks, records, startedAt, host)
  io.stdout.write(options.json ? JSON.stringify(doc, null, 2) + '\n' : renderText(doc))
  if (options.failOnErrors && doc.failures > 0)
    return fail(`${doc.failures} requests failed, got an unexpected status or were still unanswered when a run ended (--fail-on-errors)`)
  return 0
}

async function start(config: Variant, options: BenchOptions, serveSide: ServeSide, failures: FailureTally): Promise<Running> {
  const resolved = serverConfig(config, options, serveSide)
  if (config.target === 'baseline') {
    // The variables hotcell's workers get (dev-server.ts, #loadEnv), read the
    // same way: the baseline process's process.env, and a fetch handler's env.
    const loaded = loadEnvFiles(resolved.envFiles, resolved.cwd)
    if (loaded.problems.length > 0) throw new BenchError(loaded.problems[0]!.replace(/^hotcell: /, ''))
    const baseline = await startBaseline(config.entry, config.entry, resolved.handler, options.https, loaded.env)
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
  )
  // In this process: the bench's servers are the only ones here.
  watchAbandoned()
  return { config, url: server.url, takeAbandoned: async () => takeAbandoned(), close: () => server.close() }
}

/** The options a hotcell server under test runs with; the baseline takes what applies to it (env, handler) from the same. */
function serverConfig(config: Variant, { https, timeoutMs }: BenchOptions, serveSide: ServeSide): Config {
  const own = resolveConfig({
    entry: config.entry,
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

function job(options: BenchOptions, origin: string, durationMs: number): LoadJob {
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

/**
 * On a terminal, one line rewritten in place. Elsewhere (a pipe, a CI log)
 * each step is a line of its own on stderr, so that a long run shows it is
 * alive and stdout holds only the report.
 */
function createProgress(
  stream: NodeJS.WritableStream,
  live: boolean,
  log: NodeJS.WritableStream,
): { update(line: string): void; step(line: string): void; note(line: string): void; clear(): void } {
  let shown = false
  const update = (line: string) => {
    if (!live) return
    stream.write(`\r\x1b[K${line}`)
    shown = true
  }
  return {
    update,
    step(line) {
      if (live) update(line)
      else log.write(`hotcell bench: ${line}\n`)
    },
    /** A line that stays, on a terminal too: what it says must not be overwritten by the next step. */
    note(line) {
      this.clear()
      log.write(`hotcell bench: ${line}\n`)
    },
    clear() {
      if (shown) stream.write('\r\x1b[K')
      shown = false
    },
  }
}
