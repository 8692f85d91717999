// bench/accuracy: does `hotcell bench` measure what wrk measures, and what does
// its load generator cost? For a fetch hello handler and a CPU-bound handler
// (~1 ms), one hotcell server each, in the same process layout as `hotcell
// bench` (server in this process, load from a worker thread of it), driven in
// turn by each in-thread generator and by wrk (1 thread) with the same
// connections and duration. Per run: req/s, p50, p99, and the generator's own
// CPU per request (its thread's CPU time; for wrk, the CPU of the reaped wrk
// process). Target: req/s and p50 within 10 % of wrk.
//   npm run bench:accuracy                # 10 s runs, 3 rounds, 50 connections
//   npm run bench:accuracy -- --short     # smoke test: 2 s, 1 round
//   npm run bench:accuracy -- --generators undici,node-http   # + Node's own client, for comparison
import { fileURLToPath } from 'node:url'
import { serve } from '../src/dev-server.js'
import { checkTarget, drain } from '../src/bench-command/check.js'
import { machine } from '../src/bench-command/document.js'
import { runLoad, type LoadJob, type LoadStats } from '../src/bench-command/run-load.js'
import { fmt, median, scriptArgs } from './script-args.js'
import { runWrkLoad } from '../src/bench-command/wrk-load.js'
import { ensureWrk, wrkVersion } from './wrk.js'

// In-thread generators: hotcell bench's own (undici) and, for comparison, the ones in bench/generators/.
const VARIANTS: Record<string, { label: string; script: URL | undefined }> = {
  undici: { label: 'hotcell bench (undici)', script: undefined },
  'node-http': { label: 'node:http client', script: new URL('./generators/node-http-worker.js', import.meta.url) },
}
const USAGE = `node dist/bench/accuracy.js [--duration 10s] [--connections 50] [--rounds 3] [--short] [--generators ${Object.keys(VARIANTS).join(',')}]\n`
const at = process.argv.indexOf('--generators')
const chosen = at > 0 ? process.argv.splice(at, 2)[1]!.split(',') : ['undici']
for (const name of chosen) {
  if (!VARIANTS[name]) {
    process.stderr.write(`bench/accuracy: unknown generator "${name}"; choose from ${Object.keys(VARIANTS).join(', ')}\n`)
    process.exit(1)
  }
}
const args = scriptArgs(USAGE)
const WORKERS = 1
const app = (name: string) => fileURLToPath(new URL(`../../bench/apps/${name}`, import.meta.url))
const APPS = [
  { name: 'fetch hello', entry: app('hello.ts') },
  { name: 'CPU-bound (~1 ms)', entry: app('cpu.ts') },
]
const log = (line: string) => process.stderr.write(line + '\n')

if (!ensureWrk(log)) {
  log('bench/accuracy: wrk is not installed and apt-get could not install it; install the Debian package "wrk" and run again.')
  process.exit(1)
}

interface Sample {
  reqPerSec: number
  p50: number
  p99: number
  errors: number
  /** Generator CPU per completed request, µs. */
  cpuUs: number
}
const sample = (s: LoadStats): Sample => ({
  reqPerSec: s.reqPerSec,
  p50: s.latencyMs.p50,
  p99: s.latencyMs.p99,
  errors: s.errors + s.timeouts + s.unexpected,
  cpuUs: s.generatorCpuMs === null ? NaN : (s.generatorCpuMs * 1000) / Math.max(1, s.requests + s.unexpected),
})
const spread = (values: number[], f: (n: number) => string) =>
  values.length > 1 ? `${f(median(values))} (${f(Math.min(...values))}–${f(Math.max(...values))})` : f(values[0]!)

const host = machine()
const names = ['wrk', ...chosen]
const label = (name: string) => (name === 'wrk' ? 'wrk' : VARIANTS[name]!.label)
const rows: string[] = []
const verdicts: string[] = []
for (const { name, entry } of APPS) {
  const server = await serve({ entry, port: 0, reload: false, quiet: true, workers: WORKERS })
  try {
    const job = (durationMs: number): LoadJob => ({
      url: server.url + '/',
      method: 'GET',
      headers: [],
      body: undefined,
      connections: args.connections,
      durationMs,
      expectStatus: undefined,
    })
    const spec = { method: 'GET', path: '/', headers: [], body: undefined }
    const load = (who: string, durationMs: number) => (who === 'wrk' ? runWrkLoad(job(durationMs)) : runLoad(job(durationMs), undefined, VARIANTS[who]!.script))
    await checkTarget(name, server.url, spec, undefined)
    for (const who of names) {
      log(`${name}: warming up with ${who}`)
      await load(who, Math.min(2000, args.durationMs))
      await drain(server.url, spec, WORKERS)
    }
    const samples = new Map<string, Sample[]>(names.map((n) => [n, []]))
    for (let round = 1; round <= args.rounds; round++) {
      // Rotate the order every round, so drift on a shared machine hits every generator alike.
      const order = names.map((_, i) => names[(i + round - 1) % names.length]!)
      for (const who of order) {
        log(`${name}: round ${round}/${args.rounds}, ${who}`)
        samples.get(who)!.push(sample(await load(who, args.durationMs)))
        await drain(server.url, spec, WORKERS)
      }
    }
    const wrk = samples.get('wrk')!
    for (const who of names) {
      const list = samples.get(who)!
      const m = (key: keyof Sample) => median(list.map((s) => s[key]))
      const per = list.map((s) => fmt.int(s.reqPerSec)).join(' / ')
      rows.push(
        `| ${name} | ${label(who)} | ${fmt.int(m('reqPerSec'))} | ${per} | ${fmt.ms(m('p50'))} | ${fmt.ms(m('p99'))} | ${spread(
          list.map((s) => s.cpuUs),
          (n) => n.toFixed(0),
        )} | ${m('errors')} |`,
      )
      if (who === 'wrk') continue
      // Paired by round (the runs were back to back), which cancels slow drift better than a ratio of medians.
      const paired = (key: 'reqPerSec' | 'p50') => list.map((s, i) => s[key] / wrk[i]![key])
      const within = (ratios: number[]) => (Math.abs(median(ratios) - 1) <= 0.1 ? 'yes' : 'NO')
      const rps = paired('reqPerSec')
      const p50 = paired('p50')
      verdicts.push(`| ${name} | ${label(who)} | ${spread(rps, fmt.ratio)} | ${within(rps)} | ${spread(p50, fmt.ratio)} | ${within(p50)} |`)
    }
  } finally {
    await server.close()
  }
}

const out = [
  `### hotcell bench vs wrk (${new Date().toISOString()})`,
  '',
  `${host.cpu}, ${host.cores} cores, Node ${host.node}, ${host.os}, load average ${host.loadAverage} at start. ` +
    `hotcell ${WORKERS} worker, ${args.connections} connections, ${args.durationMs / 1000} s per run, ${args.rounds} round(s), order rotated each round; wrk ${wrkVersion()} with 1 thread.`,
  '',
  '| handler | generator | req/s (median) | req/s per round | p50 ms | p99 ms | generator CPU µs/request, median (min–max) | failed |',
  '|---|---|---:|---|---:|---:|---:|---:|',
  ...rows,
  '',
  '| handler | generator | req/s ÷ wrk, paired per round: median (min–max) | within 10 % | p50 ÷ wrk | within 10 % |',
  '|---|---|---:|---|---:|---|',
  ...verdicts,
]
process.stdout.write(out.join('\n') + '\n')
