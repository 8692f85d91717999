// wrk (a C load generator, Debian/Homebrew package), preferred to the undici
// generator when installed: it spends 2–5× less CPU per request, CPU that on
// a machine with few cores is taken from the server. Spawned as its own
// process; hotcell never imports it.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AbortError, BenchError } from '../errors.js'
import type { LoadJob } from './load-protocol.js'
import type { LoadStats } from './run-load.js'

export function hasWrk(): boolean {
  return spawnSync('wrk', ['--version']).error === undefined
}

/** e.g. "debian/4.1.0-3+b2" (wrk --version prints it, then exits 1). */
export function wrkVersion(): string {
  const out = spawnSync('wrk', ['--version'], { encoding: 'utf8' }).stdout ?? ''
  return /^wrk (\S+)/.exec(out)?.[1] ?? 'unknown'
}

/**
 * CPU time (user + system, ms) of this process's children that have exited and
 * been reaped: read before and after a wrk run, the difference is wrk's own
 * (the bench starts no other child that ends meanwhile). Linux only.
 */
function reapedChildrenCpuMs(): number | null {
  try {
    // Fields 16 and 17 (cutime, cstime) in 1/100 s (USER_HZ); the name in field 2 may hold spaces, so count after ')'.
    const stat = readFileSync('/proc/self/stat', 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[13]) + Number(fields[14])) * 10
  } catch {
    return null
  }
}

const lua = (s: string) => JSON.stringify(s) // a JSON string literal is a valid Lua string literal for printable text

function script(job: LoadJob, bodyFile: string | undefined): string {
  const lines = [`wrk.method = ${lua(job.method)}`]
  for (let i = 0; i < job.headers.length; i += 2) lines.push(`wrk.headers[${lua(job.headers[i]!)}] = ${lua(job.headers[i + 1]!)}`)
  if (bodyFile) lines.push(`local f = io.open(${lua(bodyFile)}, "rb")`, 'wrk.body = f:read("*a")', 'f:close()')
  // Counting statuses in Lua slows wrk down, so only when a specific status is expected.
  if (job.expectStatus !== undefined) {
    // response() runs in each wrk thread's own Lua state; done() reads the counts back through setup()'s handles.
    lines.push(
      'local threads = {}',
      'setup = function(thread) table.insert(threads, thread) end',
      'init = function(args) bad = 0 end',
      `response = function(status) if status ~= ${job.expectStatus} then bad = bad + 1 end end`,
    )
  }
  lines.push(
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    job.expectStatus !== undefined
      ? '  local unexpected = 0\n  for _, t in ipairs(threads) do unexpected = unexpected + t:get("bad") end'
      : '  local unexpected = e.status',
    // wrk's interval for its coordinated-omission correction, as wrk.c computes it: it adds samples below any response slower than twice it.
    `  local perConnection = math.floor(summary.requests / ${job.connections})`,
    '  local interval = perConnection > 0 and math.floor(summary.duration / perConnection) or 0',
    '  io.write(string.format(\'HOTCELL_WRK {"requests":%d,"durationUs":%d,"bytes":%d,"socket":%d,"timeouts":%d,"unexpected":%d,"mean":%f,"p50":%d,"p90":%d,"p99":%d,"max":%d,"interval":%d}\\n\',',
    '    summary.requests, summary.duration, summary.bytes, e.connect + e.read + e.write, e.timeout, unexpected,',
    '    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, interval))',
    'end',
  )
  return lines.join('\n') + '\n'
}

/**
 * Whether wrk's coordinated-omission correction changed its figures enough to
 * say so (µs). stats_correct() in wrk.c adds samples only below responses slower
 * than twice the interval, which on a busy machine a GC pause is: on a hello
 * handler it always ran, and moved nothing. Each connection has one request in
 * flight at all times, so the responses' own mean is the interval (Little's law:
 * connections ÷ req/s): wrk's mean, taken after its correction, tells how much it
 * added. Hello: 0.596 against 0.614 ms; 1 response in 200 taking 200 ms: 42.6
 * against 1.23 ms, and p90 153 ms where undici measured 0.8.
 */
export function wrkCorrected(meanUs: number, maxUs: number, intervalUs: number): boolean {
  return intervalUs > 0 && maxUs > 2 * intervalUs && meanUs > 1.25 * intervalUs
}

/**
 * One timed run with wrk (1 thread). Without --expect-status, statuses ≥ 400
 * count as unexpected (wrk's own rule); wrk gives no per-second samples, so
 * there is no stdev, and it runs whole seconds only.
 */
export async function runWrkLoad(job: LoadJob, onTick?: (elapsedMs: number, perSecond: number) => void, signal?: AbortSignal): Promise<LoadStats> {
  if (signal?.aborted) throw new AbortError(signal.reason)
  if (!hasWrk()) throw new BenchError('--generator wrk: wrk is not installed (Debian/Ubuntu: apt-get install wrk; macOS: brew install wrk)')
  const dir = mkdtempSync(join(tmpdir(), 'hotcell-wrk-'))
  try {
    const bodyFile = job.body ? join(dir, 'body') : undefined
    if (bodyFile) writeFileSync(bodyFile, job.body!)
    writeFileSync(join(dir, 'run.lua'), script(job, bodyFile))
    const seconds = Math.max(1, Math.round(job.durationMs / 1000))
    const args = ['-t', '1', '-c', String(job.connections), '-d', `${seconds}s`, '--timeout', '10s', '-s', join(dir, 'run.lua'), job.url]
    const cpuBefore = reapedChildrenCpuMs()
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] })
      let text = ''
      child.stdout.on('data', (c: Buffer) => (text += c.toString()))
      child.stderr.on('data', (c: Buffer) => (text += c.toString()))
      const started = performance.now()
      const ticker = setInterval(() => onTick?.(performance.now() - started, 0), 1000)
      // Aborted: wrk ends now, and the run with it once it has.
      const aborted = () => child.kill('SIGTERM')
      signal?.addEventListener('abort', aborted, { once: true })
      child.once('error', reject)
      child.once('exit', (code) => {
        clearInterval(ticker)
        signal?.removeEventListener('abort', aborted)
        if (signal?.aborted) reject(new AbortError(signal.reason))
        else if (code === 0) resolve(text)
        else reject(new BenchError(`wrk failed (exit ${code}): ${text.trim().split('\n')[0]}`))
      })
    })
    const line = /HOTCELL_WRK (\{.*\})/.exec(out)?.[1]
    if (!line) throw new BenchError(`wrk printed no result: ${out.trim().split('\n')[0]}`)
    const r = JSON.parse(line) as Record<
      'requests' | 'durationUs' | 'bytes' | 'socket' | 'timeouts' | 'unexpected' | 'mean' | 'p50' | 'p90' | 'p99' | 'max' | 'interval',
      number
    >
    const durationS = r.durationUs / 1e6
    const unexpected = Math.max(0, r.unexpected)
    const good = r.requests - unexpected
    return {
      durationS,
      reqPerSec: good / durationS,
      reqPerSecMean: null,
      reqPerSecStdev: null,
      requests: good,
      latencyMs: { mean: r.mean / 1000, p50: r.p50 / 1000, p90: r.p90 / 1000, p99: r.p99 / 1000, max: r.max / 1000 },
      latencyCorrectionMs: wrkCorrected(r.mean, r.max, r.interval) ? r.interval / 1000 : null,
      errors: r.socket,
      timeouts: r.timeouts,
      unexpected,
      // Counting each status in Lua would slow wrk down: not counted, rather than an empty count.
      statuses: null,
      bytesPerSec: r.bytes / durationS,
      generatorCpuMs: cpuBefore === null ? null : reapedChildrenCpuMs()! - cpuBefore,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
