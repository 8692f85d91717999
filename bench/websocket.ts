// bench/websocket: what carrying a WebSocket through the worker costs. The
// same echo app runs (r) on plain node:http + ws in one process, the
// reference; (h) under hotcell, Node style (ws in the worker, the main thread
// relaying bytes); (f) under hotcell, fetch style (a WebSocketPair); and
// (p) a prototype of the design hotcell did not take (framing in the main
// thread, whole messages to a worker). Each is its own process on 127.0.0.1;
// ws clients in this process drive them in interleaved rounds, shuffled:
//   small: `connections` sockets each echoing a 32-byte text message back and forth
//   large: 2 sockets each echoing a 1 MiB binary message back and forth
//   npm run bench:websocket                  # 5 s runs, 3 rounds, 50 connections
//   npm run bench:websocket -- --short       # smoke test: 2 s, 1 round
//   ONLY=r,h npm run bench:websocket         # only these variants
import { fileURLToPath } from 'node:url'
import { WebSocket } from 'ws'
import { machine } from '../src/bench-command/document.js'
import { fmt, median, scriptArgs } from './script-args.js'
import { startChild, type ChildServer } from './servers/start.js'

const USAGE = 'node dist/bench/websocket.js [--duration 5s] [--connections 50] [--rounds 3] [--short]\n'
const args = scriptArgs(USAGE, { duration: '5s', connections: 50, rounds: 3 })
const log = (line: string) => process.stderr.write(line + '\n')
const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url))
const WARMUP_MS = 1000
const MiB = 1024 * 1024

interface Variant {
  id: string
  name: string
  start(): Promise<ChildServer>
}

const only = process.env.ONLY?.split(',')
const hotcell = (entry: string) => () => startChild(new URL('./servers/hotcell-server.js', import.meta.url), [repo(entry), '1'])
const allVariants: Variant[] = [
  { id: 'r', name: '(r) node:http + ws, one process', start: () => startChild(new URL('./servers/ws-echo-server.js', import.meta.url), []) },
  { id: 'h', name: '(h) hotcell, 1 worker, node:http + ws', start: hotcell('bench/apps/ws-echo.ts') },
  { id: 'f', name: '(f) hotcell, 1 worker, WebSocketPair', start: hotcell('bench/apps/ws-pair.ts') },
  {
    id: 'p',
    name: '(p) prototype: framing in main, messages to a worker',
    start: () => startChild(new URL('./servers/ws-main-framing.js', import.meta.url), []),
  },
]
const variants = only ? allVariants.filter((v) => only.includes(v.id)) : allVariants

interface Load {
  /** Round trips per second. */
  rate: number
  /** Round-trip times, ms. */
  p50: number
  p99: number
}

/** `connections` sockets, each sending `payload` and sending it again when the echo is back, for `ms`. */
async function echoLoad(url: string, connections: number, payload: string | Buffer, ms: number): Promise<Load> {
  const sockets = await Promise.all(
    Array.from(
      { length: connections },
      () =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(url.replace(/^http/, 'ws') + '/echo', { perMessageDeflate: false })
          ws.once('open', () => resolve(ws))
          ws.once('error', reject)
        }),
    ),
  )
  const times: number[] = []
  let measuring = false
  let stopped = false
  let count = 0
  await new Promise<void>((resolve) => {
    let running = connections
    for (const ws of sockets) {
      let sentAt = 0
      const send = () => {
        sentAt = performance.now()
        ws.send(payload)
      }
      ws.on('message', () => {
        if (measuring) {
          count++
          times.push(performance.now() - sentAt)
        }
        if (stopped) {
          if (--running === 0) resolve()
          return
        }
        send()
      })
      send()
    }
    setTimeout(() => {
      measuring = true
      setTimeout(() => {
        measuring = false
        stopped = true
      }, ms)
    }, WARMUP_MS)
  })
  for (const ws of sockets) ws.close()
  times.sort((a, b) => a - b)
  return { rate: count / (ms / 1000), p50: times[Math.floor(times.length * 0.5)] ?? NaN, p99: times[Math.floor(times.length * 0.99)] ?? NaN }
}

/** One echo of each kind: the server is up and echoes intact. */
async function check(url: string): Promise<void> {
  const ws = new WebSocket(url.replace(/^http/, 'ws') + '/echo')
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
  const big = Buffer.alloc(MiB, 5)
  const back = await new Promise<Buffer>((resolve) => {
    ws.once('message', (data: Buffer) => resolve(data))
    ws.send(big)
  })
  if (!back.equals(big)) throw new Error(`${url} did not echo 1 MiB intact`)
  ws.close()
}

const small = 'x'.repeat(32)
const large = Buffer.alloc(MiB, 7)
const results = new Map<string, { small: Load[]; large: Load[] }>(variants.map((v) => [v.id, { small: [], large: [] }]))
const host = machine()
log(`${host.cpu}, ${host.cores} cores, Node ${host.node}, ${host.os}, load average ${host.loadAverage} at start; ${new Date().toISOString()}`)
log(
  `${args.rounds} round(s), ${args.durationMs / 1000} s per run after ${WARMUP_MS / 1000} s of warm-up; small: ${args.connections} connections × 32 B; large: 2 connections × 1 MiB`,
)
for (let round = 1; round <= args.rounds; round++) {
  const order = [...variants].sort(() => Math.random() - 0.5)
  for (const variant of order) {
    const server = await variant.start()
    try {
      await check(server.url)
      const r = results.get(variant.id)!
      r.small.push(await echoLoad(server.url, args.connections, small, args.durationMs))
      r.large.push(await echoLoad(server.url, 2, large, args.durationMs))
      log(`round ${round} ${variant.name}: ${fmt.int(r.small.at(-1)!.rate)} msg/s small, ${fmt.int(r.large.at(-1)!.rate)} MiB/s large`)
    } finally {
      await server.close()
    }
  }
}

const spread = (values: number[], digits = 0) => {
  const sorted = [...values].sort((a, b) => a - b)
  const f = (n: number) => (digits ? n.toFixed(digits) : fmt.int(n))
  return `${f(sorted[0]!)} / ${f(median(values))} / ${f(sorted.at(-1)!)}`
}
const reference = results.get('r')!
const lines = [
  '| variant | small: round trips/s (min / median / max) | × (r) | p50 / p99 ms | large: MiB/s each way (min / median / max) | × (r) |',
  '|---|---|---|---|---|---|',
]
for (const variant of variants) {
  const r = results.get(variant.id)!
  const smallRatio = median(r.small.map((l) => l.rate)) / median(reference.small.map((l) => l.rate))
  const largeRatio = median(r.large.map((l) => l.rate)) / median(reference.large.map((l) => l.rate))
  lines.push(
    `| ${variant.name} | ${spread(r.small.map((l) => l.rate))} | ${fmt.ratio(smallRatio)} | ${median(r.small.map((l) => l.p50)).toFixed(2)} / ${median(r.small.map((l) => l.p99)).toFixed(2)} | ${spread(
      r.large.map((l) => l.rate),
      1,
    )} | ${fmt.ratio(largeRatio)} |`,
  )
}
process.stdout.write(lines.join('\n') + '\n')
