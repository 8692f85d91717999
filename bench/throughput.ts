// bench/throughput: what hotcell's isolation costs, against (a) the fetch
// hello handler inline on plain node:http and (b) the same hello as a Hono
// app on @hono/node-server; (c) hotcell with 1 and 2 workers on both apps.
// Every variant is its own process on 127.0.0.1, checked before timing,
// then driven by wrk (one thread) in interleaved rounds, shuffled per round.
//   npm run bench:throughput                 # 10 s runs, 3 rounds, 50 connections
//   npm run bench:throughput -- --short      # smoke test: 2 s, 1 round
//   npm run bench:throughput -- --profile    # also --cpu-prof the hotcell servers and say where time goes
import { mkdirSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createBuilder } from '../src/reload/builder.js'
import { startBaseline } from '../src/bench-command/baseline.js'
import { checkTarget, drain } from '../src/bench-command/check.js'
import { machine } from '../src/bench-command/document.js'
import { runLoad } from '../src/bench-command/run-load.js'
import { summarizeProfiles } from './profile-summary.js'
import { fmt, median, scriptArgs } from './script-args.js'
import { startChild, type ChildServer } from './servers/start.js'
import { runWrkLoad } from '../src/bench-command/wrk-load.js'
import { ensureWrk, wrkVersion } from './wrk.js'

const USAGE = `node dist/bench/throughput.js [--duration 10s] [--connections 50] [--rounds 3] [--short] [--profile]\n`
const args = scriptArgs(USAGE)
const log = (line: string) => process.stderr.write(line + '\n')
const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url))
const HELLO = repo('bench/apps/hello.ts')
const HONO = repo('bench/apps/hono.ts')
const BODY = 'Hello, world!'
const profileDir = repo('.tmp/profiles')

const useWrk = ensureWrk(log)
if (!useWrk) log('wrk is not available: measuring with autocannon (hotcell bench\'s generator) instead.')

interface Variant {
  id: string
  name: string
  /** Key of the variant this one is compared with. */
  against: 'a' | 'b' | null
  start(): Promise<ChildServer>
  workers: number
}

const honoBuilder = await createBuilder(HONO, process.cwd())
const honoBuild = await honoBuilder.build()
if (!honoBuild.ok) throw new Error(`building ${HONO} failed:\n${honoBuild.text}`)
const honoBundle = honoBuild.url

if (args.profile) {
  rmSync(profileDir, { recursive: true, force: true })
  mkdirSync(profileDir, { recursive: true })
}
const hotcell = (id: string, entry: string, workers: number) => () => {
  const execArgv = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}/${id}`] : []
  return startChild(new URL('./servers/hotcell-server.js', import.meta.url), [entry, String(workers)], execArgv)
}
const variants: Variant[] = [
  { id: 'a', name: '(a) node:http, fetch hello inline', against: null, workers: 0, start: () => startBaseline(HELLO, 'bench/apps/hello.ts').then((s) => ({ ...s, pid: 0 })) },
  { id: 'b', name: '(b) @hono/node-server, Hono hello', against: null, workers: 0, start: () => startChild(new URL('./servers/hono-node-server.js', import.meta.url), [honoBundle]) },
  { id: 'c1', name: '(c) hotcell 1 worker, fetch hello', against: 'a', workers: 1, start: hotcell('c1', HELLO, 1) },
  { id: 'c2', name: '(c) hotcell 2 workers, fetch hello', against: 'a', workers: 2, start: hotcell('c2', HELLO, 2) },
  { id: 'c3', name: '(c) hotcell 1 worker, Hono hello', against: 'b', workers: 1, start: hotcell('c3', HONO, 1) },
  { id: 'c4', name: '(c) hotcell 2 workers, Hono hello', against: 'b', workers: 2, start: hotcell('c4', HONO, 2) },
]

interface Sample { reqPerSec: number; p50: number; p99: number; errors: number }
const samples = new Map<string, Sample[]>(variants.map((v) => [v.id, []]))
const servers = new Map<string, ChildServer>()
const host = machine()
const spec = { method: 'GET', path: '/', headers: [], body: undefined }

async function measure(url: string, durationMs: number): Promise<Sample> {
  const job = { url: url + '/', method: 'GET', headers: [], body: undefined, connections: args.connections, durationMs, expectStatus: undefined }
  const s = useWrk ? await runWrkLoad(job) : await runLoad(job)
  return { reqPerSec: s.reqPerSec, p50: s.latencyMs.p50, p99: s.latencyMs.p99, errors: s.errors + s.timeouts + s.unexpected }
}

const orders: string[] = []
try {
  for (const v of variants) {
    log(`starting ${v.name}`)
    const server = await v.start()
    servers.set(v.id, server)
    // Same answer from every variant, or the comparison means nothing.
    const check = await checkTarget(v.name, server.url, spec, 200)
    if (check.bodyBytes !== BODY.length || check.bodyVaries) throw new Error(`${v.name} answered ${check.bodyBytes} bytes, expected "${BODY}"`)
  }
  for (const v of variants) {
    log(`warming up ${v.name}`)
    await measure(servers.get(v.id)!.url, Math.min(2000, args.durationMs))
    await drain(servers.get(v.id)!.url, spec, v.workers)
  }
  for (let round = 1; round <= args.rounds; round++) {
    const order = shuffle([...variants])
    orders.push(order.map((v) => v.id).join(' '))
    for (const v of order) {
      log(`round ${round}/${args.rounds}: ${v.name}`)
      samples.get(v.id)!.push(await measure(servers.get(v.id)!.url, args.durationMs))
      await drain(servers.get(v.id)!.url, spec, v.workers)
    }
  }
} finally {
  await Promise.allSettled([...servers.values()].map((s) => s.close()))
  await honoBuilder.dispose()
}

const med = (id: string, key: keyof Sample) => median(samples.get(id)!.map((s) => s[key]))
const rows = variants.map((v) => {
  const rps = med(v.id, 'reqPerSec')
  const toA = rps / med('a', 'reqPerSec')
  const toB = v.against === 'b' || v.id === 'b' ? fmt.ratio(rps / med('b', 'reqPerSec')) : ''
  const per = samples.get(v.id)!.map((s) => fmt.int(s.reqPerSec)).join(' / ')
  return `| ${v.name} | ${fmt.int(rps)} | ${per} | ${fmt.ms(med(v.id, 'p50'))} | ${fmt.ms(med(v.id, 'p99'))} | ${fmt.ratio(toA)} | ${toB} | ${med(v.id, 'errors')} |`
})
const best = (ids: string[], against: 'a' | 'b') => Math.max(...ids.map((id) => med(id, 'reqPerSec'))) / med(against, 'reqPerSec')
const helloRatio = best(['c1', 'c2'], 'a')
const honoRatio = best(['c3', 'c4'], 'b')
const out = [
  `### Throughput (${new Date().toISOString()}${args.profile ? ', with --cpu-prof on the hotcell servers: slower than normal' : ''})`,
  '',
  `${host.cpu}, ${host.cores} cores, Node ${host.node}, ${host.os}, load average ${host.loadAverage} at start. ` +
    `${useWrk ? `wrk ${wrkVersion()}, 1 thread` : 'autocannon (wrk unavailable)'}, ${args.connections} connections, ${args.durationMs / 1000} s per run, median of ${args.rounds} round(s); order per round: ${orders.join(' | ')}.`,
  '',
  '| variant | req/s (median) | req/s per round | p50 ms | p99 ms | × (a) | × (b) | failed |',
  '|---|---:|---|---:|---:|---:|---:|---:|',
  ...rows,
  '',
  `- hotcell fetch hello, best of 1/2 workers: ${fmt.ratio(helloRatio)}× (a) — target ≥ 0.75: ${helloRatio >= 0.75 ? 'met' : 'NOT met'}`,
  `- hotcell Hono, best of 1/2 workers: ${fmt.ratio(honoRatio)}× (b) — target ≥ 1.0: ${honoRatio >= 1 ? 'met' : 'NOT met'}`,
]
process.stdout.write(out.join('\n') + '\n')

if (args.profile) {
  // Profiles are written when the processes exit, which they just did.
  for (const v of variants.filter((x) => x.id.startsWith('c'))) {
    process.stdout.write(`\nCPU profile of ${v.name} (${profileDir}/${v.id}):\n${summarizeProfiles(`${profileDir}/${v.id}`)}\n`)
  }
}

function shuffle<T>(list: T[]): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[list[i], list[j]] = [list[j]!, list[i]!]
  }
  return list
}
