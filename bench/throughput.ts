// bench/throughput: req/s of hotcell against the servers a user would
// otherwise run, every figure a ratio taken in the same run:
//   plain     node:http, res.end('Hello, world!')
//   hono-ns   the Hono hello app on @hono/node-server
//   express-http  the Express hello app on node:http (app passed to createServer)
//   hop       no hotcell code: node:http → a raw Worker → back, batched per turn (servers/batched-hop.ts):
//             the floor of hotcell's request path
//   hotcell   through serve() (bench/servers/hotcell-server.ts: quiet, not watching): the fetch hello handler
//             (default workers, and --workers 1), the Hono app, a Node (req, res) hello and the Express app (--workers 1);
//             and the `hotcell` command as a user runs it (request log on, watching) on the fetch hello
// Every variant is its own process on 127.0.0.1, checked before timing, then
// driven by wrk (one thread) in interleaved rounds, shuffled per round.
// Run it with the Node binary to measure: the servers are forked with it.
//   npm run bench:throughput                 # 10 s runs, 5 rounds, 50 connections
//   npm run bench:throughput -- --short      # smoke test: 2 s, 1 round
//   npm run bench:throughput -- --profile    # also --cpu-prof the hotcell servers and say where time goes
//   npm run bench:throughput -- --body 65536 # a 64 KiB string body instead of the hello: plain and sized-1 only
//   npm run bench:throughput -- --fresh      # a new server per variant and round: one hotcell process keeps
//                                            # its speed for its life (17 or 21 µs of main thread a request,
//                                            # the same code), so one process for all rounds samples that once
import { mkdirSync, rmSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { createBuilder } from '../src/reload/builder.js'
import { checkTarget, drain } from '../src/bench-command/check.js'
import { machine } from '../src/bench-command/document.js'
import { runLoad } from '../src/bench-command/run-load.js'
import { summarizeProfiles } from './profile-summary.js'
import { fmt, median, scriptArgs, spread } from './script-args.js'
import { startChild, startCommand, type ChildServer } from './servers/start.js'
import { runWrkLoad } from '../src/bench-command/wrk-load.js'
import { threadCpu } from './thread-cpu.js'
import { ensureWrk, wrkVersion } from './wrk.js'
import { cliScript } from './cli-script.js'

const USAGE = `node dist/bench/throughput.js [--duration 10s] [--connections 50] [--rounds 5] [--short] [--profile] [--fresh] [--only plain,hello-1,…] [--body <bytes>]\n`
const args = scriptArgs(USAGE, { duration: '10s', connections: 50, rounds: 5 })
const log = (line: string) => process.stderr.write(line + '\n')
const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url))
const HELLO = repo('bench/apps/hello.ts')
const HONO = repo('bench/apps/hono.ts')
const NODE_HELLO = repo('bench/apps/node-hello.ts')
const EXPRESS = repo('bench/apps/express.ts')
const SIZED = repo('bench/apps/sized.ts')
const BODY = 'Hello, world!'
// --body: every variant is asked for GET /size/<n> (plain-http.ts and apps/sized.ts answer it with n bytes).
const PATH = args.body === undefined ? '/' : `/size/${args.body}`
const BODY_BYTES = args.body ?? BODY.length
const profileDir = repo('.tmp/profiles')

const useWrk = ensureWrk(log)
if (!useWrk) log("wrk is not available: measuring with undici (hotcell bench's generator) instead.")

interface Variant {
  id: string
  name: string
  /** The reference this variant is a ratio of. */
  against: 'plain' | 'hono-ns' | 'express-http' | null
  start(): Promise<ChildServer>
  workers: number
}

// The references import the same bundle of the app as hotcell serves.
const builders: Awaited<ReturnType<typeof createBuilder>>[] = []
async function bundle(entry: string): Promise<string> {
  const builder = await createBuilder(entry, process.cwd())
  builders.push(builder)
  const built = await builder.build()
  if (!built.ok) throw new Error(`building ${entry} failed:\n${built.text}`)
  return built.url
}
const honoBundle = await bundle(HONO)
const expressBundle = await bundle(EXPRESS)

if (args.profile) {
  rmSync(profileDir, { recursive: true, force: true })
  mkdirSync(profileDir, { recursive: true })
}
const server = (name: string) => new URL(`./servers/${name}.js`, import.meta.url)
const hotcell = (id: string, entry: string, workers: number | 'default') => () => {
  const execArgv = args.profile ? ['--cpu-prof', '--cpu-prof-interval=100', `--cpu-prof-dir=${profileDir}/${id}`] : []
  return startChild(server('hotcell-server'), [entry, String(workers)], execArgv)
}
// A/B of a change: HOTCELL_BUILD_B=<a copy of dist/ from another commit, kept inside this repository so that
// its imports resolve> adds that build's fetch hello, Hono and Node hello (--workers 1; pick with --only
// hello-1-b,hono-1-b,node-1-b) to the same interleaved rounds; with --body, that build's sized app (sized-1-b).
const buildB = process.env.HOTCELL_BUILD_B
const allVariants: Variant[] = [
  { id: 'plain', name: 'node:http res.end()', against: null, workers: 0, start: () => startChild(server('plain-http'), []) },
  { id: 'hono-ns', name: 'Hono on @hono/node-server', against: null, workers: 0, start: () => startChild(server('hono-node-server'), [honoBundle]) },
  // No hotcell code: node:http, one raw Worker, batched both ways (servers/batched-hop.ts).
  {
    id: 'hop',
    name: 'node:http → a raw Worker → back, batched per turn (no hotcell code)',
    against: 'plain',
    workers: 1,
    start: () => startChild(server('batched-hop'), []),
  },
  { id: 'hello', name: 'hotcell, fetch hello (serve(), default workers, quiet)', against: 'plain', workers: 1, start: hotcell('hello', HELLO, 'default') },
  { id: 'hello-1', name: 'hotcell --workers 1, fetch hello (serve(), quiet)', against: 'plain', workers: 1, start: hotcell('hello-1', HELLO, 1) },
  {
    id: 'hello-cli',
    name: 'the hotcell command, fetch hello (defaults: request log to a pipe, watching)',
    against: 'plain',
    workers: 1,
    start: () => startCommand(pathToFileURL(cliScript(fileURLToPath(new URL('..', import.meta.url)))), [HELLO]),
  },
  // The lean door's share: the same server with every request read by node:http (src/http/lean/).
  {
    id: 'hello-1-nodehttp',
    name: 'hotcell --workers 1, fetch hello, every request through node:http (HOTCELL_NODE_HTTP=1)',
    against: 'plain',
    workers: 1,
    start: () => startChild(server('hotcell-server'), [HELLO, '1'], [], undefined, { HOTCELL_NODE_HTTP: '1' }),
  },
  { id: 'hono-1', name: 'hotcell --workers 1, Hono hello', against: 'hono-ns', workers: 1, start: hotcell('hono-1', HONO, 1) },
  { id: 'node-1', name: 'hotcell --workers 1, Node (req, res) hello', against: 'plain', workers: 1, start: hotcell('node-1', NODE_HELLO, 1) },
  // The size of a body: only with --body, against plain node:http answering the same bytes.
  { id: 'sized-1', name: `hotcell --workers 1, a ${args.body ?? 0}-byte string body`, against: 'plain', workers: 1, start: hotcell('sized-1', SIZED, 1) },
  {
    id: 'express-http',
    name: 'Express on node:http',
    against: null,
    workers: 0,
    start: () => startChild(server('express-http'), [expressBundle]),
  },
  {
    id: 'express',
    name: 'hotcell, Express hello (serve(), default workers, quiet)',
    against: 'express-http',
    workers: 1,
    start: hotcell('express', EXPRESS, 'default'),
  },
  { id: 'express-1', name: 'hotcell --workers 1, Express hello', against: 'express-http', workers: 1, start: hotcell('express-1', EXPRESS, 1) },
  ...(buildB
    ? [
        {
          id: 'hello-1-b',
          name: `hotcell --workers 1, fetch hello, build ${buildB}`,
          against: 'plain' as const,
          workers: 1,
          start: () => startChild(new URL(`file://${buildB}/bench/servers/hotcell-server.js`), [HELLO, '1']),
        },
        {
          id: 'hono-1-b',
          name: `hotcell --workers 1, Hono hello, build ${buildB}`,
          against: 'hono-ns' as const,
          workers: 1,
          start: () => startChild(new URL(`file://${buildB}/bench/servers/hotcell-server.js`), [HONO, '1']),
        },
        {
          id: 'sized-1-b',
          name: `hotcell --workers 1, a ${args.body ?? 0}-byte string body, build ${buildB}`,
          against: 'plain' as const,
          workers: 1,
          start: () => startChild(new URL(`file://${buildB}/bench/servers/hotcell-server.js`), [SIZED, '1']),
        },
        {
          id: 'node-1-b',
          name: `hotcell --workers 1, Node (req, res) hello, build ${buildB}`,
          against: 'plain' as const,
          workers: 1,
          start: () => startChild(new URL(`file://${buildB}/bench/servers/hotcell-server.js`), [NODE_HELLO, '1']),
        },
      ]
    : []),
]

// A variant's reference always runs with it.
const SIZED_IDS = new Set(['plain', 'sized-1', 'sized-1-b'])
if (args.body !== undefined && args.only?.some((id) => !SIZED_IDS.has(id))) {
  log('--body measures only plain, sized-1 and sized-1-b (with HOTCELL_BUILD_B): the other variants answer the hello body.')
  process.exit(2)
}
if (args.body === undefined && args.only?.some((id) => id.startsWith('sized-1'))) {
  log('sized-1 needs --body <bytes>: the size of the body it answers.')
  process.exit(2)
}
const only = args.only ?? (args.body === undefined ? undefined : buildB ? ['sized-1', 'sized-1-b'] : ['sized-1'])
const wanted = only && new Set(only.flatMap((id) => [id, ...allVariants.filter((v) => v.id === id && v.against).map((v) => v.against!)]))
const variants = wanted ? allVariants.filter((v) => wanted.has(v.id)) : allVariants.filter((v) => !v.id.startsWith('sized-1'))

interface Sample {
  reqPerSec: number
  p50: number
  p99: number
  errors: number
  mainUs: number
  othersUs: number
}
const samples = new Map<string, Sample[]>(variants.map((v) => [v.id, []]))
const servers = new Map<string, ChildServer>()
const host = machine()
const spec = { method: 'GET', path: PATH, headers: [], body: undefined }

async function measure(server: ChildServer, durationMs: number): Promise<Sample> {
  const job = { url: server.url + PATH, method: 'GET', headers: [], body: undefined, connections: args.connections, durationMs, expectStatus: undefined }
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

async function startChecked(v: Variant): Promise<void> {
  log(`starting ${v.name}`)
  const started = await v.start()
  servers.set(v.id, started)
  // Same answer from every variant, or the comparison means nothing.
  const check = await checkTarget(v.name, started.url, spec, 200)
  if (check.bodyBytes !== BODY_BYTES || check.bodyVaries) throw new Error(`${v.name} answered ${check.bodyBytes} bytes at ${PATH}, expected ${BODY_BYTES}`)
}
async function warmUp(v: Variant): Promise<void> {
  log(`warming up ${v.name}`)
  await measure(servers.get(v.id)!, Math.min(2000, args.durationMs))
  await drain(servers.get(v.id)!.url, spec, v.workers)
}

const orders: string[] = []
const startedAt = new Date()
try {
  if (!args.fresh) {
    for (const v of variants) await startChecked(v)
    for (const v of variants) await warmUp(v)
  }
  for (let round = 1; round <= args.rounds; round++) {
    const order = shuffle([...variants])
    orders.push(order.map((v) => v.id).join(' '))
    for (const v of order) {
      if (args.fresh) {
        await startChecked(v)
        await warmUp(v)
      }
      log(`round ${round}/${args.rounds}: ${v.name}`)
      samples.get(v.id)!.push(await measure(servers.get(v.id)!, args.durationMs))
      await drain(servers.get(v.id)!.url, spec, v.workers)
      if (args.fresh) {
        await servers.get(v.id)!.close()
        servers.delete(v.id)
      }
    }
  }
} finally {
  await Promise.allSettled([...servers.values()].map((s) => s.close()))
  await Promise.all(builders.map((builder) => builder.dispose()))
}

const med = (id: string, key: keyof Sample) => median(samples.get(id)!.map((s) => s[key]))
// Ratios are paired per round: both runs of a round met the same machine.
const ratios = (id: string, against: string) => samples.get(id)!.map((s, i) => s.reqPerSec / samples.get(against)![i]!.reqPerSec)
const rows = variants.map((v) => {
  const per = samples.get(v.id)!.map((s) => s.reqPerSec)
  const ratio = v.against ? spread(ratios(v.id, v.against), fmt.ratio) : ''
  const cpu = (key: 'mainUs' | 'othersUs') => fmt.int(med(v.id, key))
  return `| ${v.name} | ${fmt.int(med(v.id, 'reqPerSec'))} | ${spread(per, fmt.int)} | ${fmt.ms(med(v.id, 'p50'))} | ${fmt.ms(med(v.id, 'p99'))} | ${ratio}${v.against ? ` × ${v.against}` : ''} | ${cpu('mainUs')} | ${cpu('othersUs')} | ${med(v.id, 'errors')} |`
})
const target = (id: string, against: string, goal: number) => {
  if (!samples.has(id)) return undefined
  const r = median(ratios(id, against))
  return `- ${variants.find((v) => v.id === id)!.name}: ${fmt.ratio(r)}× ${against} (median of rounds) — target ≥ ${goal}: ${r >= goal ? 'met' : 'NOT met'}`
}
const out = [
  `### Throughput, Node ${process.version} (${startedAt.toISOString().slice(0, 16)}Z${args.profile ? ', with --cpu-prof on the hotcell servers: slower than normal' : ''})`,
  '',
  `${host.cpu}, ${host.cores} cores, ${host.os}, load average ${host.loadAverage} at start. ` +
    `${useWrk ? `wrk ${wrkVersion()}, 1 thread` : 'undici (wrk unavailable)'}, GET ${PATH} (${BODY_BYTES}-byte body), ${args.connections} connections, ${args.durationMs / 1000} s per run, ${args.rounds} round(s)${args.fresh ? ', a new server process for each variant in each round' : ', one server process per variant for all rounds'}; order per round: ${orders.join(' | ')}.`,
  '',
  '| variant | req/s (median) | req/s min–median–max | p50 ms | p99 ms | ratio per round, min–median–max | CPU µs/request, main thread | CPU µs/request, other threads | failed |',
  '|---|---:|---|---:|---:|---|---:|---:|---:|',
  ...rows,
  '',
  ...[
    target('hello', 'plain', 0.75),
    target('hello-1', 'plain', 0.75),
    target('hello-cli', 'plain', 0.75),
    target('hono-1', 'hono-ns', 1.0),
    target('hello-1-b', 'plain', 0.75),
  ].filter((line) => line !== undefined),
  // This build against build B, paired per round.
  ...variants
    .filter((v) => v.id.endsWith('-b') && samples.has(v.id.slice(0, -2)))
    .map(
      (v) =>
        `- ${v.id.slice(0, -2)} / ${v.id}, req/s per round: ${ratios(v.id.slice(0, -2), v.id).map(fmt.ratio).join(', ')} (median ${fmt.ratio(median(ratios(v.id.slice(0, -2), v.id)))}×)`,
    ),
]
process.stdout.write(out.join('\n') + '\n')

if (args.profile) {
  // Profiles are written when the processes exit, which they just did.
  for (const v of variants.filter((x) => x.against)) {
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
