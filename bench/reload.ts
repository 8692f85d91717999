// Edit → first new response, for hotcell and the usual alternatives, in one run.
//   npm run bench:reload                 # 50 edits per tool, 500 for hotcell's RSS check
//   npm run bench:reload -- --edits 10 --long 50   # a quick smoke run
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, request as httpRequest, Agent } from 'node:http'
import type { AddressInfo } from 'node:net'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { median, percentileOf as pct } from '../src/bench-command/stats.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const TEMPLATE = join(ROOT, 'bench/apps/reload')
const { values } = parseArgs({ options: { edits: { type: 'string', default: '50' }, long: { type: 'string', default: '500' }, only: { type: 'string' } } })
const EDITS = Number(values.edits)
const LONG = Number(values.long)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Tool {
  name: string
  /** Start the tool in `dir` on `port`; returns the processes to stop afterwards. */
  start(dir: string, port: number): ChildProcess[]
}

const bin = (name: string) => join(ROOT, 'node_modules/.bin', name)
const run = (cmd: string, args: string[], dir: string, env: NodeJS.ProcessEnv = {}) =>
  // Its own process group: the tools start children of their own (nodemon → tsx → node),
  // and only killing the group ends them all.
  spawn(cmd, args, { cwd: dir, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })

const tools: Tool[] = [
  { name: 'hotcell', start: (dir, port) => [run(process.execPath, [join(ROOT, 'dist/src/cli/bin.js'), 'app.ts', '--port', String(port), '--quiet'], dir)] },
  { name: 'tsx watch', start: (dir, port) => [run(bin('tsx'), ['watch', '--clear-screen=false', 'server.ts'], dir, { PORT: String(port) })] },
  {
    name: 'nodemon + tsx',
    start: (dir, port) => [run(bin('nodemon'), ['--quiet', '--ext', 'ts', '--exec', `${bin('tsx')} server.ts`], dir, { PORT: String(port) })],
  },
  {
    name: 'wrangler dev',
    start: (dir, port) => {
      writeFileSync(join(dir, 'wrangler.toml'), 'name = "bench"\nmain = "app.ts"\ncompatibility_date = "2025-01-01"\n')
      return [run(wrangler(), ['dev', '--port', String(port), '--ip', '127.0.0.1', '--log-level', 'warn'], dir, { CI: 'true', WRANGLER_SEND_METRICS: 'false' })]
    },
  },
  {
    name: 'node --watch (esbuild --watch output)',
    start: (dir, port) => {
      const esbuild = run(bin('esbuild'), ['server.ts', '--bundle', '--platform=node', '--format=esm', '--packages=external', '--outfile=out/server.mjs', '--watch=forever', '--log-level=warning'], dir)
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
  const bin = join(prefix, 'node_modules', '.bin', 'wrangler')
  if (!existsSync(bin)) {
    process.stderr.write('installing wrangler into .tmp/wrangler-tool (first run only)…\n')
    execFileSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', 'wrangler@4'], { stdio: 'ignore' })
  }
  return bin
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 })

/** GET / → body, or throws. Keep-alive, like a browser; a restarting server breaks it. */
function get(port: number, timeoutMs = 2000): Promise<{ status: number; body: string }> {
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

/** A port nothing listens on now (fixed ports collide with ephemeral ones on a busy machine). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

async function waitForFile(path: string): Promise<void> {
  for (;;) {
    try {
      readFileSync(path)
      return
    } catch {
      await sleep(5)
    }
  }
}

async function untilBody(port: number, expected: string, deadlineMs: number): Promise<number> {
  const started = performance.now()
  for (;;) {
    try {
      const res = await get(port, 1000)
      if (res.status === 200 && res.body === expected) return performance.now() - started
    } catch {
      // Restarting: keep polling.
    }
    if (performance.now() - started > deadlineMs) throw new Error(`no "${expected}" within ${deadlineMs} ms`)
    await sleep(1)
  }
}

/**
 * RSS of a process and all its descendants. The `hotcell` command is a thin
 * supervisor whose child runs the server (and esbuild's service): measuring
 * the first pid alone would only see the supervisor.
 */
function treeRss(pid: number, role = 'supervisor'): { role: string; mib: number }[] {
  const kB = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
  const rows = [{ role, mib: kB / 1024 }]
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim()
    for (const child of children ? children.split(/\s+/) : []) {
      const name = readFileSync(`/proc/${child}/comm`, 'utf8').trim()
      rows.push(...treeRss(Number(child), name === 'esbuild' ? 'esbuild' : 'server'))
    }
  }
  return rows
}
/**
 * One reading moves with garbage collection in five isolates (±15 MiB on a
 * ~230 MiB tree between two readings a few seconds apart): the median of ten
 * readings over 5 s, per process.
 */
async function settledRss(pid: number): Promise<{ role: string; mib: number }[]> {
  const readings: { role: string; mib: number }[][] = []
  for (let i = 0; i < 10; i++) {
    readings.push(treeRss(pid))
    await sleep(500)
  }
  return readings[0]!.map((row, i) => ({ role: row.role, mib: median(readings.map((r) => r[i]?.mib ?? 0)) }))
}
const sumMiB = (rows: { mib: number }[]) => rows.reduce((sum, r) => sum + r.mib, 0)
const describeRss = (rows: { role: string; mib: number }[]) => rows.map((r) => `${r.role} ${r.mib.toFixed(1)}`).join(', ')

interface Result {
  tool: string
  coldMs: number
  latencies: number[]
  polled: number
  failed: number
  rss50?: { role: string; mib: number }[]
  rss500?: { role: string; mib: number }[]
  phases?: { wait: number[]; build: number[]; load: number[]; total: number[] }
}

async function measure(tool: Tool, index: number): Promise<Result> {
  const dir = join(ROOT, '.tmp', `bench-reload-${index}`)
  rmSync(dir, { recursive: true, force: true })
  cpSync(TEMPLATE, dir, { recursive: true })
  const port = await freePort()
  const startedAt = performance.now()
  const procs = tool.start(dir, port)
  const all: ChildProcess[] = []
  let output = ''
  for (const p of procs) {
    const later = (p as ChildProcess & { later?: Promise<ChildProcess> }).later
    const attach = (c: ChildProcess) => {
      all.push(c)
      c.stdout?.on('data', (d: Buffer) => (output += d))
      c.stderr?.on('data', (d: Buffer) => (output += d))
    }
    if (later) void later.then(attach)
    else attach(p)
  }
  try {
    await untilBody(port, 'v0', 30_000)
    const coldMs = performance.now() - startedAt

    // A concurrent poller, as a browser tab or a test loop would be.
    let polling = true
    let polled = 0
    let failed = 0
    const poller = (async () => {
      while (polling) {
        try {
          const res = await get(port)
          polled++
          if (res.status !== 200) failed++
        } catch {
          polled++
          failed++
        }
        await sleep(5)
      }
    })()

    const latencies: number[] = []
    let version = 0
    const edit = async () => {
      version++
      writeFileSync(join(dir, 'version.ts'), `export const version = ${version}\n`)
      return untilBody(port, `v${version}`, 30_000)
    }
    for (let i = 0; i < EDITS; i++) {
      latencies.push(await edit())
      await sleep(250) // let restarts and retirements finish before the next edit
    }
    polling = false
    await poller
    const result: Result = { tool: tool.name, coldMs, latencies, polled, failed }

    if (tool.name === 'hotcell') {
      const pid = all[0]!.pid!
      await sleep(1000)
      result.rss50 = await settledRss(pid)
      for (let i = EDITS; i < LONG; i++) {
        await edit()
        await sleep(20)
      }
      await sleep(6000) // retired generations end within their 5 s grace
      result.rss500 = await settledRss(pid)
      const lines = [...output.matchAll(/build ([\d.]+) ms · load ([\d.]+) ms · generation \d+ serving ([\d.]+) ms/g)].slice(0, EDITS)
      result.phases = {
        wait: [],
        build: lines.map((m) => Number(m[1])),
        load: lines.map((m) => Number(m[2])),
        total: lines.map((m) => Number(m[3])),
      }
    }
    return result
  } catch (error) {
    throw new Error(`${tool.name}: ${(error as Error).message}\n--- its output ---\n${output.slice(-3000)}`)
  } finally {
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
}

const f = (n: number | undefined) => (n === undefined ? '–' : n.toFixed(1))

const chosen = values.only ? tools.filter((t) => values.only!.split(',').some((name) => t.name.startsWith(name))) : tools
if (chosen.some((t) => t.name === 'wrangler dev')) wrangler() // install before anything is timed
const results: Result[] = []
for (const [i, tool] of chosen.entries()) {
  process.stderr.write(`measuring ${tool.name}…\n`)
  results.push(await measure(tool, i))
}
agent.destroy()

const hot = results[0]!
console.log(`\nEdit → first new response, ${EDITS} edits per tool (${cpus()[0]?.model.trim()}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 16)}Z)\n`)
console.log('| tool | cold start ms | min | p50 | p90 | max | failed / polled during reloads |')
console.log('|---|---|---|---|---|---|---|')
for (const r of results) {
  console.log(`| ${r.tool} | ${f(r.coldMs)} | ${f(pct(r.latencies, 0))} | ${f(median(r.latencies))} | ${f(pct(r.latencies, 90))} | ${f(pct(r.latencies, 100))} | ${r.failed} / ${r.polled} |`)
}
for (const r of results.slice(1)) console.log(`\nhotcell p50 is ${(median(r.latencies) / median(hot.latencies)).toFixed(1)}× faster than ${r.tool}`)
if (hot.phases) {
  const p = hot.phases
  const rest = median(hot.latencies) - median(p.total)
  console.log(`\nhotcell breakdown (medians, ms): build ${f(median(p.build))} · load into standby ${f(median(p.load))} · trigger→serving ${f(median(p.total))} (of which debounce + swap ${f(median(p.total) - median(p.build) - median(p.load))}) · file event + first response ${f(rest)}`)
  const [before, later] = [sumMiB(hot.rss50!), sumMiB(hot.rss500!)]
  console.log(`hotcell RSS after ${EDITS} reloads ${f(before)} MiB, after ${LONG} reloads ${f(later)} MiB (${(((later - before) / before) * 100).toFixed(1)} %)`)
  console.log(`  by process (MiB): after ${EDITS}: ${describeRss(hot.rss50!)}; after ${LONG}: ${describeRss(hot.rss500!)}`)
}
