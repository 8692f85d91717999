// bench/accuracy: does `hotcell bench` measure what wrk measures? For a fetch
// hello handler and a CPU-bound handler (~1 ms), one hotcell server each, in
// the same process layout as `hotcell bench` (server in this process, load
// from hotcell bench's generator module in a worker thread), driven
// alternately by hotcell bench's generator and by wrk with the same
// connections and duration. Target: req/s and p50 within 10 % of wrk.
//   npm run bench:accuracy                # 10 s runs, 3 rounds, 50 connections
//   npm run bench:accuracy -- --short     # smoke test: 2 s, 1 round
import { fileURLToPath } from 'node:url'
import { serve } from '../src/dev-server.js'
import { checkTarget, drain } from '../src/bench-command/check.js'
import { machine } from '../src/bench-command/document.js'
import { runLoad, type LoadStats } from '../src/bench-command/run-load.js'
import { fmt, median, scriptArgs } from './script-args.js'
import { runWrkLoad } from '../src/bench-command/wrk-load.js'
import { ensureWrk, wrkVersion } from './wrk.js'

const USAGE = `node dist/bench/accuracy.js [--duration 10s] [--connections 50] [--rounds 3] [--short]\n`
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
}
const sample = (s: LoadStats): Sample => ({ reqPerSec: s.reqPerSec, p50: s.latencyMs.p50, p99: s.latencyMs.p99, errors: s.errors + s.timeouts + s.unexpected })

const host = machine()
const rows: string[] = []
const verdicts: string[] = []
for (const { name, entry } of APPS) {
  const server = await serve({ entry, port: 0, reload: false, quiet: true, workers: WORKERS })
  try {
    const job = (durationMs: number) => ({ url: server.url + '/', method: 'GET', headers: [], body: undefined, connections: args.connections, durationMs, expectStatus: undefined })
    const spec = { method: 'GET', path: '/', headers: [], body: undefined }
    await checkTarget(name, server.url, spec, undefined)
    log(`${name}: warming up`)
    await runWrkLoad(job(Math.min(2000, args.durationMs)))
    await drain(server.url, spec, WORKERS)
    const hotcell: Sample[] = []
    const wrk: Sample[] = []
    for (let round = 1; round <= args.rounds; round++) {
      // Alternate which goes first, so drift on a shared machine hits both alike.
      const order = round % 2 ? ['hotcell', 'wrk'] : ['wrk', 'hotcell']
      for (const who of order) {
        log(`${name}: round ${round}/${args.rounds}, ${who}`)
        if (who === 'hotcell') hotcell.push(sample(await runLoad(job(args.durationMs))))
        else wrk.push(sample(await runWrkLoad(job(args.durationMs))))
        await drain(server.url, spec, WORKERS)
      }
    }
    const m = (list: Sample[], key: keyof Sample) => median(list.map((s) => s[key]))
    const per = (list: Sample[]) => list.map((s) => fmt.int(s.reqPerSec)).join(' / ')
    rows.push(`| ${name} | hotcell bench (autocannon) | ${fmt.int(m(hotcell, 'reqPerSec'))} | ${per(hotcell)} | ${fmt.ms(m(hotcell, 'p50'))} | ${fmt.ms(m(hotcell, 'p99'))} | ${m(hotcell, 'errors')} |`)
    rows.push(`| ${name} | wrk | ${fmt.int(m(wrk, 'reqPerSec'))} | ${per(wrk)} | ${fmt.ms(m(wrk, 'p50'))} | ${fmt.ms(m(wrk, 'p99'))} | ${m(wrk, 'errors')} |`)
    // Paired by round (the two runs were back to back), which cancels slow drift better than a ratio of medians.
    const paired = (key: 'reqPerSec' | 'p50') => hotcell.map((h, i) => h[key] / wrk[i]![key])
    const within = (r: number) => (Math.abs(r - 1) <= 0.1 ? 'yes' : 'NO')
    const cell = (key: 'reqPerSec' | 'p50') => {
      const ratios = paired(key)
      const mid = median(ratios)
      const range = ratios.length > 1 ? ` (${fmt.ratio(Math.min(...ratios))}–${fmt.ratio(Math.max(...ratios))})` : ''
      return `${fmt.ratio(mid)}${range} | ${within(mid)}`
    }
    verdicts.push(`| ${name} | ${cell('reqPerSec')} | ${cell('p50')} |`)
  } finally {
    await server.close()
  }
}

const out = [
  `### hotcell bench vs wrk (${new Date().toISOString()})`,
  '',
  `${host.cpu}, ${host.cores} cores, Node ${host.node}, ${host.os}, load average ${host.loadAverage} at start. ` +
    `hotcell ${WORKERS} worker, ${args.connections} connections, ${args.durationMs / 1000} s per run, ${args.rounds} round(s) alternating; wrk ${wrkVersion()} with 1 thread.`,
  '',
  '| handler | generator | req/s (median) | req/s per round | p50 ms | p99 ms | failed |',
  '|---|---|---:|---|---:|---:|---:|',
  ...rows,
  '',
  '| handler | req/s hotcell/wrk, median of rounds (min–max) | within 10 % | p50 hotcell/wrk | within 10 % |',
  '|---|---:|---|---:|---|',
  ...verdicts,
]
process.stdout.write(out.join('\n') + '\n')
