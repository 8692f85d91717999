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
import { createBuilder } from '../src/reload/builder.js'
import { checkTarget, drain } from '../src/bench-command/check.js'
import { machine } from '../src/bench-command/document.js'
import { summarizeProfiles } from './profile-summary.js'
import { scriptArgs } from './script-args.js'
import type { ChildServer } from './servers/start.js'
import { ensureWrk } from './wrk.js'
import { measure, type Sample } from './throughput-sample.js'
import { throughputTable } from './throughput-table.js'
import { allVariants, chosenVariants, EXPRESS, HONO, profileDir, type Variant } from './throughput-variants.js'

const USAGE = `node dist/bench/throughput.js [--duration 10s] [--connections 50] [--rounds 5] [--short] [--profile] [--fresh] [--only plain,hello-1,…] [--body <bytes>]\n`
const args = scriptArgs(USAGE, { duration: '10s', connections: 50, rounds: 5 })
const log = (line: string) => process.stderr.write(line + '\n')
const BODY = 'Hello, world!'
// --body: every variant is asked for GET /size/<n> (plain-http.ts and apps/sized.ts answer it with n bytes).
const PATH = args.body === undefined ? '/' : `/size/${args.body}`
const BODY_BYTES = args.body ?? BODY.length

const useWrk = ensureWrk(log)
if (!useWrk) log("wrk is not available: measuring with undici (hotcell bench's generator) instead.")

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
const variants = chosenVariants(allVariants(args, honoBundle, expressBundle), args, log)

const samples = new Map<string, Sample[]>(variants.map((v) => [v.id, []]))
const servers = new Map<string, ChildServer>()
const host = machine()
const spec = { method: 'GET', path: PATH, headers: [], body: undefined }

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
  await measure(servers.get(v.id)!, PATH, args.connections, Math.min(2000, args.durationMs), useWrk)
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
      samples.get(v.id)!.push(await measure(servers.get(v.id)!, PATH, args.connections, args.durationMs, useWrk))
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

process.stdout.write(throughputTable({ variants, samples, orders, startedAt, host, useWrk, path: PATH, bodyBytes: BODY_BYTES }, args).join('\n') + '\n')

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
