// wrk (Debian package) as the reference load generator: C, one thread, no GC.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface WrkResult {
  reqPerSec: number
  requests: number
  durationS: number
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number }
  /** Socket errors, timeouts and non-2xx/3xx responses. */
  errors: number
}

/** True when wrk is on PATH, installing it with apt-get (non-interactive) when it is not. */
export function ensureWrk(log: (line: string) => void): boolean {
  if (spawnSync('wrk', ['--version']).error === undefined) return true
  log('wrk not found: installing it with apt-get (Debian package "wrk")…')
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n']
  const apt = (...args: string[]) => spawnSync(sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), ...args], { env, stdio: 'ignore' })
  if (apt('install', '-y', '-q', 'wrk').status !== 0) {
    apt('update', '-q')
    apt('install', '-y', '-q', 'wrk')
  }
  return spawnSync('wrk', ['--version']).error === undefined
}

// wrk's own summary rounds latencies to two digits; a done() hook prints exact microseconds as JSON.
const REPORT_LUA = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('HOTCELL_WRK {"requests":%d,"durationUs":%d,"errors":%d,"mean":%f,"p50":%d,"p90":%d,"p99":%d,"max":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
`

let scriptFile: string | undefined

/** One wrk run: one thread, `connections` connections, whole seconds. */
export function runWrk(url: string, connections: number, durationMs: number): Promise<WrkResult> {
  scriptFile ??= join(mkdtempSync(join(tmpdir(), 'hotcell-wrk-')), 'report.lua')
  writeFileSync(scriptFile, REPORT_LUA)
  const seconds = Math.max(1, Math.round(durationMs / 1000))
  const args = ['-t', '1', '-c', String(connections), '-d', `${seconds}s`, '--timeout', '10s', '-s', scriptFile, url]
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    child.stderr.on('data', (c: Buffer) => (out += c.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), durationMs + 30_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      const line = /HOTCELL_WRK (\{.*\})/.exec(out)?.[1]
      if (code !== 0 || !line) return reject(new Error(`wrk ${args.join(' ')} failed (exit ${code}): ${out.trim()}`))
      const r = JSON.parse(line) as { requests: number; durationUs: number; errors: number; mean: number; p50: number; p90: number; p99: number; max: number }
      const durationS = r.durationUs / 1e6
      resolve({
        reqPerSec: r.requests / durationS,
        requests: r.requests,
        durationS,
        latencyMs: { mean: r.mean / 1000, p50: r.p50 / 1000, p90: r.p90 / 1000, p99: r.p99 / 1000, max: r.max / 1000 },
        errors: r.errors,
      })
    })
  })
}

export function wrkVersion(): string {
  try {
    return execFileSync('wrk', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0]!.trim()
  } catch (error) {
    // wrk --version exits 1 after printing its version.
    const out = (error as { stdout?: string }).stdout ?? ''
    return out.split('\n')[0]?.trim() || 'wrk'
  }
}
