// wrk (Debian package) as the reference load generator: C, one thread, no GC.
// Runs go through src/bench-command/wrk-load.ts, the runner of `hotcell bench --generator wrk`.
import { spawnSync } from 'node:child_process'

export { wrkVersion } from '../src/bench-command/wrk-load.js'

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
