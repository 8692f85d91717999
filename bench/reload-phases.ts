// Where the time of a reload goes, at several editing paces: save → chokidar
// event → debounce → build → import into the standby → swap → first new
// response. The server runs in this process so the phases published on the
// `hotcell:reload` diagnostics channel (src/reload/trace.ts) share a clock with
// the saves and the poller.
//   npm run bench:reload-phases                       # 40 edits at each of 500, 150 and 50 ms apart, default workers
//   npm run bench:reload-phases -- --edits 20 --paces 150 --workers 2 --app node-http
// Saves follow a fixed schedule (save v at t0 + v × pace); one keep-alive
// client polls GET /, every ~1 ms from a save until it is served and every
// 20 ms otherwise. Builds never overlap, so the phases of
// each reload are the marks between one 'build' and the next.
import { subscribe } from 'node:diagnostics_channel'
import { cpSync, rmSync, writeFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { serve } from '../src/index.js'
import { RELOAD_CHANNEL, type ReloadPhase } from '../src/reload/trace.js'
import { percentileOf as pct } from '../src/bench-command/stats.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const { values } = parseArgs({
  options: {
    edits: { type: 'string', default: '40' },
    paces: { type: 'string', default: '500,150,50' },
    workers: { type: 'string' },
    app: { type: 'string', default: 'hono' },
  },
})
const EDITS = Number(values.edits)
const PACES = values.paces.split(',').map(Number)
const APPS: Record<string, string> = { hono: 'bench/apps/reload', 'node-http': 'bench/apps/node-http' }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const dir = join(ROOT, '.tmp', 'bench-reload-phases')
rmSync(dir, { recursive: true, force: true })
cpSync(join(ROOT, APPS[values.app] ?? APPS.hono!), dir, { recursive: true })
writeFileSync(join(dir, 'version.ts'), 'export const version = 0\n')

// The server's own reload lines would bury the table.
const write = process.stdout.write.bind(process.stdout)
process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) =>
  String(chunk).includes('↻') ? true : write(chunk, ...rest)) as typeof process.stdout.write

const marks: { phase: ReloadPhase; at: number }[] = []
subscribe(RELOAD_CHANNEL, (message) => marks.push({ phase: (message as { phase: ReloadPhase }).phase, at: performance.now() }))

const server = await serve({ entry: join(dir, 'app.ts'), port: 0, quiet: true, ...(values.workers ? { workers: Number(values.workers) } : {}) })
const agent = new Agent({ keepAlive: true, maxSockets: 1 })
const get = () =>
  new Promise<string>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: '/', agent }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve(body))
    })
    req.on('error', reject)
    req.end()
  })

// Which version was first seen when, and when the request that saw it was sent.
const seen = new Map<number, { at: number; sentAt: number }>()
let newest = 0
// The newest version saved: polled for every ~1 ms until served, every 20 ms otherwise.
let wanted = 0
let polling = true
// A save cuts short the 20 ms wait between polls: a poller that slept on would add up to 20 ms to a reload.
let wake: (() => void) | undefined
const idle = () =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(() => wake?.(), 20)
    wake = () => {
      clearTimeout(timer)
      wake = undefined
      resolve()
    }
  })
const poller = (async () => {
  while (polling) {
    const sentAt = performance.now()
    const version = Number(/^v(\d+)$/.exec(await get())?.[1] ?? -1)
    const at = performance.now()
    for (let v = newest + 1; v <= version; v++) seen.set(v, { at, sentAt })
    newest = Math.max(newest, version)
    await (newest < wanted ? sleep(1) : idle())
  }
})()
const until = async (version: number) => {
  while (newest < version) await sleep(1)
}

type Row = Record<'event' | 'debounce' | 'build' | 'load' | 'swap' | 'request' | 'total', number>
let version = 0
const results: { pace: number; rows: Row[] }[] = []
for (const pace of PACES) {
  await sleep(1000) // the standby is up again
  const writtenAt = new Map<number, number>()
  const from = marks.length
  const t0 = performance.now()
  for (let i = 0; i < EDITS; i++) {
    const due = t0 + i * pace - performance.now()
    if (due > 0) await sleep(due)
    writeFileSync(join(dir, 'version.ts'), `export const version = ${++version}\n`)
    writtenAt.set(version, performance.now())
    wanted = version
    wake?.()
  }
  await until(version)
  await sleep(200)
  // One reload per 'build' mark; its trigger is the last 'trigger' before it.
  const cycles: Partial<Record<ReloadPhase, number>>[] = []
  let trigger: number | undefined
  for (const { phase, at } of marks.slice(from)) {
    if (phase === 'trigger') trigger = at
    else if (phase === 'build') cycles.push({ trigger: trigger ?? at, build: at })
    else if (cycles.length) cycles.at(-1)![phase] ??= at
  }
  const rows: Row[] = []
  for (const [v, at] of writtenAt) {
    const first = seen.get(v)!
    // The reload that served v: the first one that started building after the save.
    const cycle = cycles.find((c) => c.build! >= at && c.swap !== undefined)
    if (!cycle || cycle.swap! > first.at) continue
    rows.push({
      event: Math.max(0, cycle.trigger! - at),
      debounce: cycle.build! - cycle.trigger!,
      build: cycle.built! - cycle.build!,
      load: cycle.loaded! - cycle.built!,
      swap: cycle.swap! - cycle.loaded!,
      request: first.at - Math.max(first.sentAt, cycle.swap!),
      total: first.at - at,
    })
  }
  results.push({ pace, rows })
}
polling = false
await poller
await server.close()
agent.destroy()
rmSync(dir, { recursive: true, force: true })

console.log(
  `\nsave → first new response, app ${values.app}, ${EDITS} edits per pace, ${server.info.workers} worker(s) (${cpus()[0]?.model.trim()}, ${cpus().length} cores, Node ${process.version})\n`,
)
const phases: (keyof Row)[] = ['event', 'debounce', 'build', 'load', 'swap', 'request', 'total']
console.log(`| phase | ${results.map((r) => `${r.pace} ms apart: p50 / p90`).join(' | ')} |`)
console.log(`|---|${results.map(() => '---').join('|')}|`)
for (const phase of phases)
  console.log(
    `| ${phase} | ${results
      .map(
        (r) =>
          `${pct(
            r.rows.map((x) => x[phase]),
            50,
          ).toFixed(1)} / ${pct(
            r.rows.map((x) => x[phase]),
            90,
          ).toFixed(1)}`,
      )
      .join(' | ')} |`,
  )
console.log(
  `\nsaves with a row: ${results.map((r) => `${r.pace} ms apart: ${r.rows.length} of ${EDITS}`).join('; ')} (a save read by a build that had started before it has none)`,
)
