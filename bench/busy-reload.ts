// bench/busy-reload: edit → first new response while 4 keep-alive clients
// poll with no pause (a test loop, a benchmark, a page full of assets), and
// the same with no other traffic, on the hotcell CLI.
//   npm run bench:busy-reload                   # 30 edits idle, 30 under load, --workers 1
//   npm run bench:busy-reload -- --edits 10 --workers 2
import { spawn } from 'node:child_process'
import { cpSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { machine } from '../src/bench-command/document.js'
import { KeepAliveClient } from './keep-alive-client.js'
import { fmt } from './script-args.js'
import { cliScript } from './cli-script.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const { values } = parseArgs({
  options: { edits: { type: 'string', default: '30' }, workers: { type: 'string', default: '1' }, pollers: { type: 'string', default: '4' } },
})
const EDITS = Number(values.edits)
const POLLERS = Number(values.pollers)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const log = (line: string) => process.stderr.write(line + '\n')

const dir = join(ROOT, '.tmp', 'bench-busy-reload')
rmSync(dir, { recursive: true, force: true })
cpSync(join(ROOT, 'bench/apps/reload'), dir, { recursive: true })
const child = spawn(process.execPath, [cliScript(join(ROOT, 'dist')), 'app.ts', '--port', '0', '--workers', values.workers!], {
  cwd: dir,
  env: { ...process.env, NO_COLOR: '1' },
  stdio: ['ignore', 'pipe', 'pipe'],
  detached: true,
})
let output = ''
child.stdout.on('data', (d: Buffer) => (output += d))
child.stderr.on('data', (d: Buffer) => (output += d))

const pct = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

let version = 0
let seen: { version: number; at: number } = { version: 0, at: 0 }
let polled = 0
let failed = 0
const failures: string[] = []

/** One client polling with no pause until `stop` is set; notes the first reply of each new version. */
async function poll(url: string, stop: { now: boolean }): Promise<void> {
  let client = await KeepAliveClient.open(url)
  while (!stop.now) {
    try {
      const reply = await client.get()
      polled++
      const v = Number(reply.body.slice(1))
      if (reply.status !== 200 || !reply.body.startsWith('v')) {
        failed++
        failures.push(`${reply.status} ${reply.body.slice(0, 80)}`)
      } else if (v > seen.version) seen = { version: v, at: performance.now() }
    } catch (error) {
      polled++
      failed++
      failures.push(String((error as Error).message))
      client = await KeepAliveClient.open(url)
    }
  }
  client.close()
}

/** Watch with one more client (when nobody else polls) until version `v` is served. */
async function until(url: string, v: number, t0: number, alone: boolean): Promise<number> {
  const client = alone ? await KeepAliveClient.open(url) : undefined
  try {
    for (;;) {
      if (seen.version >= v) return seen.at - t0
      if (performance.now() - t0 > 10_000) throw new Error(`v${v} not served within 10 s\n${output.slice(-2000)}`)
      if (client) {
        const reply = await client.get()
        if (reply.status === 200 && reply.body === `v${v}`) seen = { version: v, at: performance.now() }
        await sleep(1)
      } else await sleep(1)
    }
  } finally {
    client?.close()
  }
}

async function edits(url: string, alone: boolean): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < EDITS; i++) {
    version++
    const t0 = performance.now()
    writeFileSync(join(dir, 'version.ts'), `export const version = ${version}\n`)
    times.push(await until(url, version, t0, alone))
    await sleep(300) // retirement of the old generation is not what is measured
  }
  return times
}

try {
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hotcell did not start:\n${output}`)), 30_000)
    const look = () => {
      const found = /http:\/\/(127\.0\.0\.1|localhost):\d+/.exec(output)
      if (found) {
        clearTimeout(timer)
        resolve(found[0].replace('localhost', '127.0.0.1'))
      } else setTimeout(look, 20)
    }
    look()
  })
  await sleep(500)
  log(`idle: ${EDITS} edits`)
  const idle = await edits(url, true)
  const stop = { now: false }
  const pollers = Array.from({ length: POLLERS }, () => poll(url, stop))
  await sleep(1000)
  const polledBefore = polled
  const t = performance.now()
  await sleep(1000)
  const rate = (polled - polledBefore) / ((performance.now() - t) / 1000)
  log(`under load (${POLLERS} pollers, ~${Math.round(rate)} req/s): ${EDITS} edits`)
  const busy = await edits(url, false)
  stop.now = true
  await Promise.all(pollers)
  const host = machine()
  const row = (name: string, xs: number[]) => `| ${name} | ${fmt.ms(pct(xs, 0))} | ${fmt.ms(pct(xs, 50))} | ${fmt.ms(pct(xs, 90))} | ${fmt.ms(pct(xs, 100))} |`
  const lines = [
    `### Reload under load, Node ${process.version} (${new Date().toISOString().slice(0, 16)}Z)`,
    '',
    `${host.cpu}, ${host.cores} cores, load average ${host.loadAverage}. hotcell --workers ${values.workers}, bench/apps/reload (Hono, 4 modules), ${EDITS} edits per row, 300 ms apart; edit → first response with the new text.`,
    '',
    '| traffic | min ms | p50 ms | p90 ms | max ms |',
    '|---|---:|---:|---:|---:|',
    row('none (one client checking)', idle),
    row(`${POLLERS} keep-alive clients polling with no pause (~${Math.round(rate)} req/s)`, busy),
    '',
    `- requests during the loaded edits: ${polled}, failed: ${failed}${failures.length ? ` (first: ${failures[0]})` : ''}`,
    `- target p50 ≤ 30 ms, p90 ≤ 50 ms under load, 0 failed: ${pct(busy, 50) <= 30 && pct(busy, 90) <= 50 && failed === 0 ? 'met' : 'NOT met'}`,
  ]
  process.stdout.write(lines.join('\n') + '\n')
} finally {
  try {
    process.kill(-child.pid!, 'SIGTERM')
  } catch {}
  await sleep(300)
  try {
    process.kill(-child.pid!, 'SIGKILL')
  } catch {}
  rmSync(dir, { recursive: true, force: true })
}
