// Cold start and idle memory of `hotcell <app>` against a bare node:http
// server started the same way (`node server.mjs`), in interleaved rounds, and
// where hotcell's start goes, phase by phase.
//   npm run bench:startup                        # 10 rounds, the fetch hello app
//   npm run bench:startup -- --app node-http     # the node:http app (listen() captured)
//   npm run bench:startup -- --rounds 3 --with bun,tsx,no-supervisor
// Cold start: spawn → the first 200 on GET /, polled every 2 ms on fresh
// connections. Memory: idle, 7 s after that response (hotcell collects its
// heap once the start has been quiet for 5 s, and again 1 s later), the median of 5 readings
// 200 ms apart, of every process of the tree (RSS, and PSS: RSS with the
// pages shared between processes, such as Node's own code, divided among them);
// and again `--late` s after it (20 by default): V8 shrinks an idle isolate's
// heap ~8 s after its last collection (its memory reducer), so each worker's
// heap shrinks ~8 s after start and the main thread's ~8 s after hotcell's
// collection, ~14 s (Node 20, --trace-gc).
// Phases: extra rounds of hotcell with bench/startup-tracer.js preloaded in each
// of its processes, which records hotcell's start channel on the wall clock.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { percentileOf as pct } from '../src/bench-command/stats.js'
import { freePort, settledTree, sleep, treeCpuMs, type ProcessMemory } from './process-tree.js'
import { cliScript } from './cli-script.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '10' },
    traced: { type: 'string', default: '5' },
    late: { type: 'string', default: '20' },
    app: { type: 'string', default: 'hello' },
    with: { type: 'string', default: '' },
    // Extra hotcell flags, e.g. --hotcell-args="--workers 1".
    'hotcell-args': { type: 'string', default: '' },
    help: { type: 'boolean', short: 'h' },
  },
})
if (values.help) {
  process.stdout.write(
    'npm run bench:startup -- [--rounds 10] [--traced 5] [--late 20] [--app hello|node-http|hono] [--with bun,tsx,no-supervisor,b] [--hotcell-args="--workers 2"]\n',
  )
  process.exit(0)
}
const ROUNDS = Number(values.rounds)
const TRACED = Number(values.traced)
/** Seconds after the first 200 of the second memory reading (0: none). */
const LATE_S = Number(values.late)
const EARLY_S = 7
const APPS: Record<string, string> = {
  hello: join(ROOT, 'bench/apps/hello.ts'),
  'node-http': join(ROOT, 'bench/apps/node-http/app.ts'),
  hono: join(ROOT, 'bench/apps/reload/app.ts'),
}
const app = APPS[values.app]
if (!app) throw new Error(`--app must be one of ${Object.keys(APPS).join(', ')}`)
const BUN = '/work/tools/node_modules/@oven/bun-linux-x64/bin/bun'

interface Variant {
  name: string
  command(port: number): { cmd: string; args: string[]; env?: NodeJS.ProcessEnv }
}
const variants: Variant[] = [
  { name: 'node:http', command: (port) => ({ cmd: process.execPath, args: [join(ROOT, 'bench/apps/node-http/server.mjs')], env: { PORT: String(port) } }) },
  {
    name: 'hotcell',
    command: (port) => ({
      cmd: process.execPath,
      args: [cliScript(join(ROOT, 'dist')), app, '--port', String(port), ...values['hotcell-args'].split(' ').filter(Boolean)],
    }),
  },
]
for (const extra of values.with.split(',').filter(Boolean)) {
  if (extra === 'bun')
    variants.push({
      name: 'bun',
      command: (port) => ({ cmd: process.env.BUN ?? BUN, args: [join(ROOT, 'bench/apps/node-http/server.mjs')], env: { PORT: String(port) } }),
    })
  // The same command in one process: what the supervisor costs.
  else if (extra === 'no-supervisor')
    variants.push({ name: 'hotcell, no supervisor', command: (port) => ({ ...variants[1]!.command(port), env: { HOTCELL_NO_SUPERVISOR: '1' } }) })
  else if (extra === 'tsx')
    variants.push({
      name: 'tsx',
      command: (port) => ({ cmd: join(ROOT, 'node_modules/.bin/tsx'), args: [join(ROOT, 'bench/apps/node-http/app.ts')], env: { PORT: String(port) } }),
    })
  // A/B of a change: HOTCELL_BUILD_B=<a copy of dist/ from another commit, inside this repository (for its node_modules)>.
  else if (extra === 'b') {
    const buildB = process.env.HOTCELL_BUILD_B
    if (!buildB) throw new Error('--with b needs HOTCELL_BUILD_B=<a dist/ folder of another build>')
    variants.push({
      name: 'hotcell B',
      command: (port) => ({ ...variants[1]!.command(port), args: [cliScript(buildB), ...variants[1]!.command(port).args.slice(1)] }),
    })
  } else throw new Error(`--with: unknown ${extra} (bun, tsx, no-supervisor, b)`)
}

// CLOCK_MONOTONIC, which every process on the machine shares (startup-tracer.ts):
// not the wall clock, which this VM steps by seconds now and then.
const monotonicNow = () => Number(process.hrtime.bigint()) / 1e6

function status(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', () => resolve(0))
    req.end()
  })
}

interface Run {
  coldMs: number
  /** CPU time of the whole tree when the first 200 arrived. */
  cpuMs: number
  memory: ProcessMemory[]
  /** The same, LATE_S after the first 200 (empty without). */
  lateMemory: ProcessMemory[]
  trace?: { pid: number; phase: string; t: number }[]
  startedAt: number
}

async function once(variant: Variant, traceFile?: string): Promise<Run> {
  const port = await freePort()
  const { cmd, args, env } = variant.command(port)
  const traceEnv = traceFile
    ? { NODE_OPTIONS: `--import=${pathToFileURL(join(ROOT, 'dist/bench/startup-tracer.js')).href}`, HOTCELL_BENCH_TRACE: traceFile }
    : {}
  const startedAt = monotonicNow()
  const started = performance.now()
  // Its own process group, so that stopping it ends the whole tree.
  const child: ChildProcess = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env, ...traceEnv }, stdio: 'ignore', detached: true })
  let exited = false
  child.once('exit', () => (exited = true))
  try {
    for (;;) {
      if ((await status(port)) === 200) break
      if (exited) throw new Error(`${variant.name} exited before it answered`)
      if (performance.now() - started > 30_000) throw new Error(`${variant.name} did not answer within 30 s`)
      await sleep(2)
    }
    const coldMs = performance.now() - started
    const cpuMs = treeCpuMs(child.pid!)
    await sleep(EARLY_S * 1000)
    const memory = await settledTree(child.pid!, 5)
    const lateMemory: ProcessMemory[] = []
    if (!traceFile && LATE_S > EARLY_S) {
      await sleep((LATE_S - EARLY_S) * 1000 - 1000)
      lateMemory.push(...(await settledTree(child.pid!, 5)))
    }
    const trace = traceFile
      ? readFileSync(traceFile, 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as { pid: number; phase: string; t: number })
      : undefined
    return { coldMs, cpuMs, memory, lateMemory, startedAt, ...(trace ? { trace } : {}) }
  } finally {
    try {
      process.kill(-child.pid!, 'SIGTERM')
    } catch {
      // Gone already.
    }
    if (!exited) await Promise.race([new Promise((r) => child.once('exit', r)), sleep(5000)])
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {
      // Gone.
    }
    await sleep(100)
  }
}

const runs = new Map<string, Run[]>(variants.map((v) => [v.name, []]))
for (let round = 0; round < ROUNDS; round++) {
  // Alternate the order so neither side always runs right after the other.
  for (const variant of round % 2 ? [...variants].reverse() : variants) runs.get(variant.name)!.push(await once(variant))
  process.stderr.write(`round ${round + 1}/${ROUNDS}\n`)
}

const traceDir = mkdtempSync(join(tmpdir(), 'hotcell-startup-'))
const tracedRuns = new Map<string, Run[]>()
for (const variant of variants.filter((v) => v.name.startsWith('hotcell'))) {
  const list: Run[] = []
  for (let i = 0; i < TRACED; i++) list.push(await once(variant, join(traceDir, `trace-${list.length}-${variant.name.length}.jsonl`)))
  tracedRuns.set(variant.name, list)
}
rmSync(traceDir, { recursive: true, force: true })

const spread = (xs: number[], digits = 0) => `${pct(xs, 0).toFixed(digits)}–**${pct(xs, 50).toFixed(digits)}**–${pct(xs, 100).toFixed(digits)}`
const sum = (memory: ProcessMemory[], key: 'rssMiB' | 'pssMiB') => memory.reduce((total, p) => total + p[key], 0)
const reference = runs.get('node:http')!
console.log(
  `\nCold start and idle memory, ${ROUNDS} interleaved rounds, app ${values.app} (${cpus()[0]?.model.trim()}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 16)}Z)\n`,
)
console.log(
  `| server | spawn → first 200, ms (min–median–max) | ratio to node:http (per round) | tree CPU ms by then | idle tree RSS MiB, ${EARLY_S} s after | idle tree PSS MiB | processes (RSS MiB, median) |${LATE_S > EARLY_S ? ` idle tree RSS MiB, ${LATE_S} s after | processes |` : ''}`,
)
console.log(`|---|---|---|---|---|---|---|${LATE_S > EARLY_S ? '---|---|' : ''}`)
for (const [name, list] of runs) {
  const ratios = list.map((r, i) => r.coldMs / reference[i]!.coldMs)
  const roles = (key: 'memory' | 'lateMemory') => {
    const byRole = new Map<string, number[]>()
    for (const run of list) for (const p of run[key]) byRole.set(p.role, [...(byRole.get(p.role) ?? []), p.rssMiB])
    return [...byRole].map(([role, xs]) => `${role} ${pct(xs, 50).toFixed(1)}`).join(', ')
  }
  const late =
    LATE_S > EARLY_S
      ? ` ${spread(
          list.map((r) => sum(r.lateMemory, 'rssMiB')),
          1,
        )} | ${roles('lateMemory')} |`
      : ''
  console.log(
    `| ${name} | ${spread(list.map((r) => r.coldMs))} | ${spread(ratios, 2)} | ${spread(list.map((r) => r.cpuMs))} | ${spread(
      list.map((r) => sum(r.memory, 'rssMiB')),
      1,
    )} | ${spread(
      list.map((r) => sum(r.memory, 'pssMiB')),
      1,
    )} | ${roles('memory')} |${late}`,
  )
}

for (const [variantName, traced] of tracedRuns) {
  if (!traced.length) continue
  // Each phase as ms since spawn: its first occurrence (the server process's when supervised).
  const phases = new Map<string, number[]>()
  for (const run of traced) {
    const pids = [...new Set(run.trace!.map((m) => m.pid))]
    const label = (pid: number) => (pids.length > 1 && pid === pids[0] ? 'supervisor: ' : '')
    const seen = new Set<string>()
    for (const m of run.trace!) {
      const key = label(m.pid) + m.phase
      if (seen.has(key)) continue
      seen.add(key)
      phases.set(key, [...(phases.get(key) ?? []), m.t - run.startedAt])
    }
    phases.set('first 200', [...(phases.get('first 200') ?? []), run.coldMs])
  }
  const order = [...phases].sort((a, b) => pct(a[1], 50) - pct(b[1], 50))
  console.log(`\n${variantName} start, ${TRACED} traced runs: when each phase was reached, ms since spawn (min–median–max)\n`)
  console.log('| phase | ms since spawn | step from the previous row (medians) |')
  console.log('|---|---|---|')
  let previous = 0
  for (const [phase, xs] of order) {
    console.log(`| ${phase} | ${spread(xs, 1)} | ${(pct(xs, 50) - previous).toFixed(1)} |`)
    previous = pct(xs, 50)
  }
}
