// One timed run of bench/throughput against one server: req/s and latency
// from the load generator (wrk, else undici), and the server's CPU time per
// request from /proc, its main thread apart from the others.
import { runLoad } from '../src/bench-command/run-load.js'
import { runWrkLoad } from '../src/bench-command/wrk-load.js'
import type { ChildServer } from './servers/start.js'
import { threadCpu } from './thread-cpu.js'

export interface Sample {
  reqPerSec: number
  p50: number
  p99: number
  errors: number
  mainUs: number
  othersUs: number
}

/** GET `path` over `connections` for `durationMs`; `useWrk`: wrk is there (wrk.ts). */
export async function measure(server: ChildServer, path: string, connections: number, durationMs: number, useWrk: boolean): Promise<Sample> {
  const job = { url: server.url + path, method: 'GET', headers: [], body: undefined, connections, durationMs, expectStatus: undefined }
  const before = threadCpu(server.pid)
  const s = useWrk ? await runWrkLoad(job) : await runLoad(job)
  const after = threadCpu(server.pid)
  const per = (key: 'mainUs' | 'othersUs') => (before && after && s.requests ? (after[key] - before[key]) / s.requests : NaN)
  return {
    reqPerSec: s.reqPerSec,
    p50: s.latencyMs.p50,
    p99: s.latencyMs.p99,
    errors: s.errors + s.timeouts + s.unexpected,
    mainUs: per('mainUs'),
    othersUs: per('othersUs'),
  }
}
