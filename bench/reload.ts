// Edit → first new response, for hotcell and the usual alternatives, in one
// run, at several editing paces; and hotcell's memory over 1,000 reloads.
//   npm run bench:reload                                  # the Hono app, every tool, edits 500, 150 and 50 ms apart
//   npm run bench:reload -- --app node-http --only hotcell,bun   # the node:http app against Bun --hot
//   npm run bench:reload -- --edits 10 --memory 0         # a quick smoke run
//   npm run bench:reload -- --only hotcell --edits 0 --memory 1000   # memory only
//   HOTCELL_BUILD_B=$PWD/.tmp/base/dist npm run bench:reload -- --app node-http --only hotcell --memory 0   # A/B: 'hotcell' and 'hotcell B'
// Each pace: `--edits` saves of one module on a fixed schedule (save v at
// t0 + v × pace), in `--rounds` blocks that take the tools in turn, while
// one keep-alive client per tool polls GET /: every ~1 ms from
// the moment of a save until it is served, every 20 ms otherwise (a browser
// tab does not poll, and a poller at full speed takes a core from the server
// it measures). Until 2026-12-04 a save did not cut short a 20 ms wait that
// had begun before it, which added 0-20 ms to some reloads of every tool.
// An edit's time is from its write until a response shows that version or a
// later one. Every non-200 answer or failed request during the edits counts.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { cpSync, existsSync, rmSync, writeFileSync } from 'node:fs'
import { Agent, request as httpRequest } from 'node:http'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { percentileOf as pct } from '../src/bench-command/stats.js'
import { freePort, settledTree, sleep, type ProcessMemory } from './process-tree.js'
import { cliScript } from './cli-script.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const { values } = parseArgs({
  options: {
    app: { type: 'string', default: 'hono' },
    edits: { type: 'string', default: '40' },
    paces: { type: 'string', default: '500,150,50' },
    memory: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '3' },
    only: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
})
if (values.help) {
  process.stdout.write('npm run bench:reload -- [--app hono|node-http] [--edits 40] [--paces 500,150,50] [--memory 1000] [--rounds 3] [--only hotcell,bun,…]\n')
  process.exit(0)
}
const EDITS = Number(values.edits)
const ROUNDS = Math.max(1, Number(values.rounds))
const QUIET_WORK_MS = 7000
const PACES = values.paces.split(',').map(Number)
const MEMORY_RELOADS = Number(values.memory)
const APPS: Record<string, { dir: string; server: string }> = {
  // A few TS modules and one package (hono); server.ts starts it for the tools that need a server.
  hono: { dir: join(ROOT, 'bench/apps/reload'), server: 'server.ts' },
  // A bare node:http server; it starts itself, and hotcell captures its listen().
  'node-http': { dir: join(ROOT, 'bench/apps/node-http'), server: 'app.ts' },
}
if (!APPS[values.app]) throw new Error(`--app must be one of ${Object.keys(APPS).join(', ')}`)
const APP = APPS[values.app]!
const BUN = process.env.BUN ?? '/work/tools/node_modules/@oven/bun-linux-x64/bin/bun'

interface Tool {
  name: string
  /** Start the tool in `dir` on `port`; returns the processes to stop afterwards. */
  start(dir: string, port: number): ChildProcess[]
  /** The app shapes the tool can run. */
  apps?: string[]
}

const bin = (name: string) => join(ROOT, 'node_modules/.bin', name)
const run = (cmd: string, args: string[], dir: string, env: NodeJS.ProcessEnv = {}) =>
  // Its own process group: the tools start children of their own (nodemon → tsx → node),
  // and only killing the group ends them all.
  spawn(cmd, args, { cwd: dir, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })

const tools: Tool[] = [
  { name: 'hotcell', start: (dir, port) => [run(process.execPath, [cliScript(join(ROOT, 'dist')), 'app.ts', '--port', String(port), '--quiet'], dir)] },
  // A/B of a change: HOTCELL_BUILD_B=<a copy of dist/ from another commit, inside this repository (for its node_modules)>.
  ...(process.env.HOTCELL_BUILD_B
    ? [
        {
          name: 'hotcell B',
          start: (dir: string, port: number) => [
            run(process.execPath, [cliScript(process.env.HOTCELL_BUILD_B!), 'app.ts', '--port', String(port), '--quiet'], dir),
          ],
        },
      ]
    : []),
  // Bun serves a default export with fetch() itself, and node:http through its Node compatibility.
  { name: 'bun --hot', start: (dir, port) => [run(BUN, ['--hot', 'app.ts'], dir, { PORT: String(port) })] },
  { name: 'tsx watch', start: (dir, port) => [run(bin('tsx'), ['watch', '--clear-screen=false', APP.server], dir, { PORT: String(port) })] },
  {
    name: 'nodemon + tsx',
    start: (dir, port) => [run(bin('nodemon'), ['--quiet', '--ext', 'ts', '--exec', `${bin('tsx')} ${APP.server}`], dir, { PORT: String(port) })],
  },
  {
    name: 'wrangler dev',
    apps: ['hono'],
    start: (dir, port) => {
      writeFileSync(join(dir, 'wrangler.toml'), 'name = "bench"\nmain = "app.ts"\ncompatibility_date = "2025-01-01"\n')
      return [run(wrangler(), ['dev', '--port', String(port), '--ip', '127.0.0.1', '--log-level', 'warn'], dir, { CI: 'true', WRANGLER_SEND_METRICS: 'false' })]
    },
  },
  {
    name: 'node --watch (esbuild --watch output)',
    start: (dir, port) => {
      const esbuild = run(
        bin('esbuild'),
        [
          APP.server,
          '--bundle',
          '--platform=node',
          '--format=esm',
          '--packages=external',
          '--outfile=out/server.mjs',
          '--watch=forever',
          '--log-level=warning',
        ],
        dir,
      )
      const node = waitForFile(join(dir, 'out/server.mjs')).then(() => run(process.execPath, ['--watch', 'out/server.mjs'], dir, { PORT: String(port) }))
      const holder = new Proxy({} as ChildProcess, {}) as ChildProcess & { later?: Promise<ChildProcess> }
      holder.later = node
      return [esbuild, holder]
    },
  },
]

/**
 * wrangler (with workerd, ~100 MB) is installed on first use into .tmp/
 * rather than being a devDependency every install of hotcell pays for.
 */
function wrangler(): string {
  const prefix = join(ROOT, '.tmp', 'wrangler-tool')
  const file = join(prefix, 'node_modules', '.bin', 'wrangler')
  if (!existsSync(file)) {
    process.stderr.write('installing wrangler into .tmp/wrangler-tool (first run only)…\n')
    execFileSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', 'wrangler@4'], { stdio: 'ignore' })
  }
  return file
}

async function waitForFile(path: string): Promise<void> {
  while (!existsSync(path)) await sleep(5)
}

/** GET / → body, or throws. Keep-alive, like a browser; a restarting server breaks it. */
function get(agent: Agent, port: number, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/', agent, timeout: timeoutMs }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end()
  })
}

/** Polls GET / and remembers when each version was first seen. */
class Poller {
  seen = new Map<number, number>()
  newest = -1
  /** The newest version saved: polled for every ~1 ms until it is served. */
  wanted = 0
  /** While set, no requests: memory is read with the server idle, as between two edits. */
  paused = false
  requests = 0
  failed = 0
  /** The first few failures, as status and body or the error. */
  readonly failures: string[] = []
  #running = true
  #done: Promise<void>
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 1 })
  #wake: (() => void) | undefined

  constructor(private readonly port: number) {
    this.#done = this.#loop()
  }

  async #loop(): Promise<void> {
    while (this.#running) {
      if (this.paused) {
        await sleep(20)
        continue
      }
      try {
        const res = await get(this.#agent, this.port)
        this.requests++
        const version = /^v(\d+)$/.exec(res.body)?.[1]
        if (res.status !== 200 || version === undefined) this.#fail(`${res.status} ${res.body.slice(0, 160)}`)
        else this.#saw(Number(version))
        await (this.newest < this.wanted ? sleep(1) : this.#idle())
      } catch (error) {
        this.requests++
        this.#fail(String(error))
        await sleep(1)
      }
    }
  }

  /** The next save: poll for it from now on (a poller that slept on would add up to 20 ms to a reload). */
  want(version: number): void {
    this.wanted = Math.max(this.wanted, version)
    this.#wake?.()
  }

  // Between saves: 20 ms, or until the next save.
  #idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#woken(resolve), 20)
      this.#wake = () => {
        clearTimeout(timer)
        this.#woken(resolve)
      }
    })
  }

  #woken(resolve: () => void): void {
    this.#wake = undefined
    resolve()
  }

  #fail(what: string): void {
    this.failed++
    if (this.failures.length < 5) this.failures.push(what.replaceAll('\n', ' '))
  }

  #saw(version: number): void {
    if (version <= this.newest) return
    const now = performance.now()
    for (let v = this.newest + 1; v <= version; v++) this.seen.set(v, now)
    this.newest = version
  }

  /** Resolves when `version` (or a later one) has been served. */
  async until(version: number, deadlineMs: number): Promise<void> {
    this.wanted = Math.max(this.wanted, version)
    const started = performance.now()
    while (this.newest < version) {
      if (performance.now() - started > deadlineMs) throw new Error(`v${version} not served within ${deadlineMs} ms`)
      await sleep(1)
    }
  }

  async stop(): Promise<void> {
    this.#running = false
    await this.#done
    this.#agent.destroy()
  }
}

interface PaceResult {
  pace: number
  latencies: number[]
  requests: number
  failed: number
}

interface Result {
  tool: string
  coldMs: number
  paces: PaceResult[]
  memory?: { reloads: number; mib: number; byRole: ProcessMemory[] }[]
}

/** The tree's memory once settled: the median of ten readings over 2 s, per process. */
async function settledTreeMiB(pid: number): Promise<{ mib: number; byRole: ProcessMemory[] }> {
  const byRole = await settledTree(pid, 10)
  return { mib: byRole.reduce((sum, p) => sum + p.rssMiB, 0), byRole }
}

/** One tool serving its copy of the app, with its poller; idle (no requests) while another tool is measured. */
interface Session {
  tool: Tool
  coldMs: number
  poller: Poller
  /** Its server process (the tree read for memory). */
  readonly pid: number
  /** Writes the next version; returns it. */
  save(): number
  /** The tool's last output, for an error. */
  output(): string
  close(): Promise<void>
}

async function open(tool: Tool, index: number): Promise<Session> {
  const dir = join(ROOT, '.tmp', `bench-reload-${index}`)
  rmSync(dir, { recursive: true, force: true })
  cpSync(APP.dir, dir, { recursive: true })
  writeFileSync(join(dir, 'version.ts'), 'export const version = 0\n')
  const port = await freePort()
  const startedAt = performance.now()
  const procs = tool.start(dir, port)
  const all: ChildProcess[] = []
  let output = ''
  for (const p of procs) {
    const later = (p as ChildProcess & { later?: Promise<ChildProcess> }).later
    const attach = (c: ChildProcess) => {
      all.push(c)
      c.stdout?.on('data', (d: Buffer) => (output = (output + d).slice(-20_000)))
      c.stderr?.on('data', (d: Buffer) => (output = (output + d).slice(-20_000)))
    }
    if (later) void later.then(attach)
    else attach(p)
  }
  let version = 0
  const poller = new Poller(port)
  const close = async () => {
    await poller.stop()
    const signalGroup = (p: ChildProcess, signal: NodeJS.Signals) => {
      try {
        process.kill(-p.pid!, signal)
      } catch {
        // Already gone.
      }
    }
    for (const p of all) signalGroup(p, 'SIGTERM')
    await sleep(500)
    for (const p of all) signalGroup(p, 'SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
  const session: Session = {
    tool,
    coldMs: 0,
    poller,
    get pid() {
      return all[0]?.pid ?? 0
    },
    save() {
      writeFileSync(join(dir, 'version.ts'), `export const version = ${++version}\n`)
      poller.want(version)
      return version
    },
    output: () => output,
    close,
  }
  try {
    await poller.until(0, 60_000)
    session.coldMs = performance.now() - startedAt
    // Connections refused before the server listened are not failures of a reload.
    poller.failures.splice(0)
    // A first edit outside the timed ones: tools that compile lazily pay for it once.
    await poller.until(session.save(), 30_000)
    await sleep(1000)
    poller.paused = true
    return session
  } catch (error) {
    await close()
    throw new Error(`${tool.name}: ${(error as Error).message}\n--- its output ---\n${output.slice(-3000)}`)
  }
}

/** `count` saves `pace` ms apart, the poller on meanwhile; each save's time until a response shows it. */
async function edits(session: Session, pace: number, count: number): Promise<PaceResult> {
  const { poller } = session
  poller.paused = false
  const before = { requests: poller.requests, failed: poller.failed }
  const writtenAt = new Map<number, number>()
  let last = 0
  try {
    const t0 = performance.now()
    for (let i = 0; i < count; i++) {
      const due = t0 + i * pace - performance.now()
      if (due > 0) await sleep(due)
      last = session.save()
      writtenAt.set(last, performance.now())
    }
    await poller.until(last, 30_000)
  } catch (error) {
    throw new Error(`${session.tool.name}: ${(error as Error).message}\n--- its output ---\n${session.output().slice(-3000)}`)
  }
  poller.paused = true
  const latencies = [...writtenAt].map(([v, at]) => poller.seen.get(v)! - at)
  return { pace, latencies, requests: poller.requests - before.requests, failed: poller.failed - before.failed }
}

/** hotcell's tree RSS over MEMORY_RELOADS reloads, read with the server idle. */
async function memoryOver(session: Session): Promise<NonNullable<Result['memory']>> {
  const { poller } = session
  poller.paused = false
  // Readings with the server idle (no requests), after the reloads'
  // leftovers are gone: retired generations end once their last request
  // has (at the latest 5 s after their swap), and the main thread's heap
  // is collected once the server has been quiet for 5 s, and again 1 s later.
  const reading = async (reloads: number) => {
    poller.paused = true
    await sleep(7000)
    const tree = await settledTreeMiB(session.pid)
    poller.paused = false
    process.stderr.write(`  after ${reloads} reloads: ${tree.mib.toFixed(1)} MiB\n`)
    return { reloads, ...tree }
  }
  const memory = [await reading(0)]
  const step = Math.max(1, Math.round(MEMORY_RELOADS / 5))
  for (let done = 0; done < MEMORY_RELOADS; ) {
    for (let i = 0; i < step && done < MEMORY_RELOADS; i++, done++) {
      await poller.until(session.save(), 30_000)
      await sleep(20)
    }
    memory.push(await reading(done))
  }
  return memory
}

const f = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '–' : n.toFixed(1))

const eligible = tools.filter((t) => !t.apps || t.apps.includes(values.app))
const chosen = values.only ? eligible.filter((t) => values.only!.split(',').some((name) => t.name.startsWith(name))) : eligible
if (chosen.some((t) => t.name === 'wrangler dev')) wrangler() // install before anything is timed
// Every tool serves at once, idle but for the one measured; rounds of each
// pace take the tools in turn, in a rotating order. Measured one tool after
// the other (until 2026-12-07), the first read slower whichever it was: an
// A/B of two builds said 1.17× one way round and 0.95× the other.
const sessions: Session[] = []
const results: Result[] = []
try {
  for (const [i, tool] of chosen.entries()) {
    process.stderr.write(`starting ${tool.name}…\n`)
    sessions.push(await open(tool, i))
  }
  const byTool = sessions.map((s) => ({
    tool: s.tool.name,
    coldMs: s.coldMs,
    paces: PACES.map((pace) => ({ pace, latencies: [] as number[], requests: 0, failed: 0 })),
  }))
  const rounds = Math.min(ROUNDS, Math.max(1, EDITS))
  for (let round = 0; round < rounds; round++) {
    // This round's share of the edits: the rest of EDITS spread over the first rounds.
    const count = Math.floor(EDITS / rounds) + (round < EDITS % rounds ? 1 : 0)
    for (const [p, pace] of PACES.entries()) {
      for (let k = 0; k < sessions.length; k++) {
        const t = (k + round) % sessions.length
        process.stderr.write(`round ${round + 1}/${rounds}, ${pace} ms apart: ${sessions[t]!.tool.name}\n`)
        const got = await edits(sessions[t]!, pace, count)
        const into = byTool[t]!.paces[p]!
        into.latencies.push(...got.latencies)
        into.requests += got.requests
        into.failed += got.failed
        // The tool just measured goes quiet: hotcell collects its heap 5 s and 6 s into a quiet (settle-heap.ts), which
        // would land in the next tool's edits. Blocks start once it has.
        await sleep(QUIET_WORK_MS)
      }
    }
  }
  for (const [t, session] of sessions.entries()) {
    if (session.poller.failures.length)
      process.stderr.write(`${session.tool.name}: requests failed after the start; the first: ${session.poller.failures.join(' | ')}\n`)
    results.push(byTool[t]!)
  }
  const hotcell = sessions.findIndex((s) => s.tool.name === 'hotcell')
  if (hotcell >= 0 && MEMORY_RELOADS > 0) {
    // Alone: the others' processes are not its tree, but their CPU would be.
    for (const s of sessions.filter((_, i) => i !== hotcell)) await s.close()
    sessions.splice(0, sessions.length, sessions[hotcell]!)
    results[hotcell]!.memory = await memoryOver(sessions[0]!)
  }
} finally {
  for (const s of sessions) await s.close()
}

console.log(
  `\nEdit → first response showing it, app ${values.app}, ${EDITS} edits per pace in ${Math.min(ROUNDS, Math.max(1, EDITS))} interleaved rounds (${cpus()[0]?.model.trim()}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 16)}Z)\n`,
)
console.log('| tool | cold start ms | edits apart ms | min | p50 | p90 | max | failed / requests during the edits |')
console.log('|---|---|---|---|---|---|---|---|')
for (const r of results) {
  for (const p of r.paces) {
    console.log(
      `| ${r.tool} | ${f(r.coldMs)} | ${p.pace} | ${f(pct(p.latencies, 0))} | ${f(pct(p.latencies, 50))} | ${f(pct(p.latencies, 90))} | ${f(pct(p.latencies, 100))} | ${p.failed} / ${p.requests} |`,
    )
  }
}
const hot = results.find((r) => r.tool === 'hotcell')
if (hot) {
  for (const other of results.filter((r) => r !== hot)) {
    const ratios = hot.paces.map((p, i) => `${p.pace} ms: ${(pct(p.latencies, 50) / pct(other.paces[i]!.latencies, 50)).toFixed(2)}×`)
    console.log(`\nhotcell p50 / ${other.tool} p50 — ${ratios.join(', ')}`)
  }
  if (hot.memory && hot.memory.length > 1) {
    const xs = hot.memory.map((m) => m.reloads)
    const ys = hot.memory.map((m) => m.mib)
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length
    const my = ys.reduce((a, b) => a + b, 0) / ys.length
    const slope = xs.reduce((s, x, i) => s + (x - mx) * (ys[i]! - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0)
    console.log(
      `\nhotcell tree RSS (MiB, median of 10 readings over 2 s, 7 s after the last reload): ${hot.memory.map((m) => `${m.reloads} → ${m.mib.toFixed(1)}`).join(', ')}`,
    )
    console.log(`growth: ${(slope * 100).toFixed(2)} MiB per 100 reloads (least squares over the readings)`)
    const describe = (m: { byRole: ProcessMemory[] }) => m.byRole.map((p) => `${p.role} ${p.rssMiB.toFixed(1)}`).join(', ')
    console.log(`by process: first ${describe(hot.memory[0]!)}; last ${describe(hot.memory.at(-1)!)}`)
  }
}
