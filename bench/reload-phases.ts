// Where the time of one reload goes: save → chokidar event → debounce →
// build → import into the standby → swap → first new response. The server runs
// in this process so the phases published on the `hotcell:reload` diagnostics
// channel (src/reload/trace.ts) share a clock with the save and the poller.
//   npm run bench:reload-phases                 # 50 edits, 2 workers
//   npm run bench:reload-phases -- --edits 20 --workers 1
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
const { values } = parseArgs({ options: { edits: { type: 'string', default: '50' }, workers: { type: 'string', default: '2' } } })
const EDITS = Number(values.edits)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const dir = join(ROOT, '.tmp', 'bench-reload-phases')
rmSync(dir, { recursive: true, force: true })
cpSync(join(ROOT, 'bench/apps/reload'), dir, { recursive: true })

// The server's own reload lines would bury the table.
const write = process.stdout.write.bind(process.stdout)
process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => (String(chunk).startsWith('↻') ? true : write(chunk, ...rest))) as typeof process.stdout.write

let marks: Partial<Record<ReloadPhase, number>> = {}
subscribe(RELOAD_CHANNEL, (message) => {
  const { phase } = message as { phase: ReloadPhase }
  marks[phase] ??= performance.now()
})

const server = await serve({ entry: join(dir, 'app.ts'), port: 0, workers: Number(values.workers), quiet: true })
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

type Row = Record<'event' | 'debounce' | 'build' | 'load' | 'swap' | 'nextPoll' | 'request' | 'total', number>
const rows: Row[] = []
for (let version = 1; version <= EDITS; version++) {
  await sleep(300) // the standby is up again, and no burst rule applies
  marks = {}
  const savedAt = performance.now()
  writeFileSync(join(dir, 'version.ts'), `export const version = ${version}\n`)
  let sentAt = 0
  for (;;) {
    sentAt = performance.now()
    if ((await get()) === `v${version}`) break
    await sleep(1)
  }
  const seenAt = performance.now()
  const m = marks as Required<typeof marks>
  rows.push({
    event: m.trigger - savedAt,
    debounce: m.build - m.trigger,
    build: m.built - m.build,
    load: m.loaded - m.built,
    swap: m.swap - m.loaded,
    // The poller's own cadence: a request already on its way when the swap happened still got the old code.
    nextPoll: Math.max(0, sentAt - m.swap),
    request: seenAt - Math.max(sentAt, m.swap),
    total: seenAt - savedAt,
  })
}
await server.close()
agent.destroy()
rmSync(dir, { recursive: true, force: true })

const phases = Object.keys(rows[0]!) as (keyof Row)[]
console.log(`\nsave → first new response, ${EDITS} edits, ${values.workers} workers (${cpus()[0]?.model.trim()}, ${cpus().length} cores, Node ${process.version})\n`)
console.log('| phase | p50 ms | p90 ms |')
console.log('|---|---|---|')
for (const phase of phases) console.log(`| ${phase} | ${pct(rows.map((r) => r[phase]), 50).toFixed(1)} | ${pct(rows.map((r) => r[phase]), 90).toFixed(1)} |`)
