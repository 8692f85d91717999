// bench/latency: one keep-alive client, one request at a time — the time a
// request takes when nothing else is going on (a page loading its assets,
// a test loop). hotcell against plain node:http and a bare Worker hop, each
// its own process, in interleaved rounds.
//   npm run bench:latency                  # 5 rounds of 3000 requests per server
//   npm run bench:latency -- --short       # 1 round
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { machine } from '../src/bench-command/document.js'
import { KeepAliveClient } from './keep-alive-client.js'
import { fmt, median, spread } from './script-args.js'
import { startChild, type ChildServer } from './servers/start.js'

const { values } = parseArgs({ options: { rounds: { type: 'string' }, requests: { type: 'string' }, short: { type: 'boolean' } } })
const ROUNDS = Number(values.rounds ?? (values.short ? 1 : 5))
const REQUESTS = Number(values.requests ?? 3000)
const log = (line: string) => process.stderr.write(line + '\n')
const HELLO = fileURLToPath(new URL('../../bench/apps/hello.ts', import.meta.url))
const server = (name: string) => new URL(`./servers/${name}.js`, import.meta.url)

const variants: { id: string; name: string; start(): Promise<ChildServer> }[] = [
  { id: 'plain', name: 'node:http res.end()', start: () => startChild(server('plain-http'), []) },
  { id: 'bare', name: 'bare Worker hop (no hotcell code)', start: () => startChild(server('bare-worker'), []) },
  { id: 'hotcell', name: 'hotcell --workers 1, fetch hello', start: () => startChild(server('hotcell-server'), [HELLO, '1']) },
]

/** Per-request times (ms) of `n` sequential requests on one connection. */
async function run(url: string, n: number): Promise<number[]> {
  const client = await KeepAliveClient.open(url)
  const times: number[] = []
  try {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now()
      const reply = await client.get()
      times.push(performance.now() - t0)
      if (reply.status !== 200 || reply.body !== 'Hello, world!') throw new Error(`${url}: got ${reply.status} ${JSON.stringify(reply.body)}`)
    }
  } finally {
    client.close()
  }
  return times
}

const servers = new Map<string, ChildServer>()
const perRound = new Map<string, { mean: number; p50: number; p90: number }[]>(variants.map((v) => [v.id, []]))
const startedAt = new Date()
try {
  for (const v of variants) servers.set(v.id, await v.start())
  for (const v of variants) await run(servers.get(v.id)!.url, 500) // warm-up
  for (let round = 1; round <= ROUNDS; round++) {
    for (const v of round % 2 ? variants : [...variants].reverse()) {
      log(`round ${round}/${ROUNDS}: ${v.name}`)
      const times = await run(servers.get(v.id)!.url, REQUESTS)
      const sorted = times.sort((a, b) => a - b)
      perRound
        .get(v.id)!
        .push({ mean: times.reduce((s, t) => s + t, 0) / times.length, p50: sorted[sorted.length >> 1]!, p90: sorted[Math.floor(sorted.length * 0.9)]! })
    }
  }
} finally {
  await Promise.allSettled([...servers.values()].map((s) => s.close()))
}

const host = machine()
const us = (ms: number) => `${Math.round(ms * 1000)}`
const ratio = (id: string, key: 'mean' | 'p50') => perRound.get(id)!.map((r, i) => r[key] / perRound.get('plain')![i]![key])
const lines = [
  `### One keep-alive client, Node ${process.version} (${startedAt.toISOString().slice(0, 16)}Z)`,
  '',
  `${host.cpu}, ${host.cores} cores, load average ${host.loadAverage} at start. ${REQUESTS} sequential requests per server per round, ${ROUNDS} round(s), alternating order.`,
  '',
  '| server | µs per request (mean), min–median–max of rounds | p50 µs | p90 µs | × plain (mean, per round) |',
  '|---|---|---:|---:|---|',
  ...variants.map((v) => {
    const rounds = perRound.get(v.id)!
    return `| ${v.name} | ${spread(
      rounds.map((r) => r.mean),
      us,
    )} | ${us(median(rounds.map((r) => r.p50)))} | ${us(median(rounds.map((r) => r.p90)))} | ${v.id === 'plain' ? '1' : spread(ratio(v.id, 'mean'), fmt.ratio)} |`
  }),
  '',
  `- hotcell: ${fmt.ratio(median(ratio('hotcell', 'mean')))}× plain's time per request (median of rounds) — target ≤ 2.5: ${median(ratio('hotcell', 'mean')) <= 2.5 ? 'met' : 'NOT met'}`,
]
process.stdout.write(lines.join('\n') + '\n')
