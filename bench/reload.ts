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
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { sleep } from './process-tree.js'
import { edits, memoryOver, open, type Result, type Session } from './reload-session.js'
import { printReloadTable } from './reload-table.js'
import { reloadTools, wrangler } from './reload-tools.js'

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

const eligible = reloadTools(ROOT, APP.server).filter((t) => !t.apps || t.apps.includes(values.app))
const chosen = values.only ? eligible.filter((t) => values.only!.split(',').some((name) => t.name.startsWith(name))) : eligible
if (chosen.some((t) => t.name === 'wrangler dev')) wrangler(ROOT) // install before anything is timed
// Every tool serves at once, idle but for the one measured; rounds of each
// pace take the tools in turn, in a rotating order. Measured one tool after
// the other (until 2026-12-07), the first read slower whichever it was: an
// A/B of two builds said 1.17× one way round and 0.95× the other.
const sessions: Session[] = []
const results: Result[] = []
try {
  for (const [i, tool] of chosen.entries()) {
    process.stderr.write(`starting ${tool.name}…\n`)
    sessions.push(await open(tool, i, ROOT, APP.dir))
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
    results[hotcell]!.memory = await memoryOver(sessions[0]!, MEMORY_RELOADS)
  }
} finally {
  for (const s of sessions) await s.close()
}

printReloadTable(results, values.app, EDITS, ROUNDS)
