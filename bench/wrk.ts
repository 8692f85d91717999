// wrk (Debian package) as the reference load generator: C, one thread, no GC.
// Runs go through src/bench/wrk-load.ts, the runner of `hotcell bench --generator wrk`.
import { execFileSync, spawnSync } from 'node:child_process'

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

export function wrkVersion(): string {
  try {
    return execFileSync('wrk', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0]!.trim()
  } catch (error) {
    // wrk --version exits 1 after printing its version.
    const out = (error as { stdout?: string }).stdout ?? ''
    return out.split('\n')[0]?.trim() || 'wrk'
  }
}
