// bench/busy-folder: what writes to files that are not sources cost the
// server, when they land in the folders it watches (an app's log or SQLite
// file in the project folder). An idle server; the bench appends a line to
// app.log in the server's working folder at a fixed rate and reads the
// server's CPU time from /proc, in interleaved rounds:
//   plain        node:http, started in the project folder: the reference (nothing there watches)
//   hotcell src  the `hotcell` command on src/app.ts: only the env files' watcher sees the project folder
//   hotcell root the `hotcell` command on app.ts at the project root: the source watcher sees it too
//   npm run bench:busy-folder                       # 1,000 writes a second for 4 s, 3 rounds
//   npm run bench:busy-folder -- --rate 200 --rounds 5
// HOTCELL_BUILD_B=<a dist/ of another commit, inside this repository> adds that build's two variants.
import { appendFileSync, cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { mustBeInteger } from '../src/config/resolve-config.js'
import { machine } from '../src/bench-command/document.js'
import { fmt, median, spread } from './script-args.js'
import { startChild, startCommand, type ChildServer } from './servers/start.js'
import { threadCpu } from './thread-cpu.js'
import { cliScript } from './cli-script.js'

const { values } = parseArgs({
  options: { rate: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '4' }, rounds: { type: 'string', default: '3' } },
})
const RATE = mustBeInteger(values.rate, '--rate', 1, 100_000)
const SECONDS = mustBeInteger(values.seconds, '--seconds', 1, 600)
const ROUNDS = mustBeInteger(values.rounds, '--rounds', 1, 50)
const log = (line: string) => process.stderr.write(line + '\n')
const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// Two copies of the hello app: in src/, and at the project root. Inside the
// repository, so that the app's imports resolve the way they do for the other benches.
const base = repo('.tmp/bench-busy-folder')
rmSync(base, { recursive: true, force: true })
const project = (name: string, entry: string) => {
  const dir = join(base, name)
  mkdirSync(join(dir, 'src'), { recursive: true })
  cpSync(repo('bench/apps/hello.ts'), join(dir, entry))
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
  return { dir, entry }
}
const src = project('src-layout', 'src/app.ts')
const root = project('root-layout', 'app.ts')
const bin = (dist: string) => pathToFileURL(cliScript(dist))
const here = repo('dist')
const buildB = process.env.HOTCELL_BUILD_B

interface Variant {
  id: string
  dir: string
  start(): Promise<ChildServer>
}
const variants: Variant[] = [
  { id: 'plain node:http', dir: src.dir, start: () => startChild(new URL('./servers/plain-http.js', import.meta.url), [], [], src.dir) },
  { id: 'hotcell src/app.ts', dir: src.dir, start: () => startCommand(bin(here), [src.entry], src.dir) },
  { id: 'hotcell app.ts (root)', dir: root.dir, start: () => startCommand(bin(here), [root.entry], root.dir) },
  ...(buildB
    ? [
        { id: `B src/app.ts (${buildB})`, dir: src.dir, start: () => startCommand(bin(buildB), [src.entry], src.dir) },
        { id: `B app.ts (root) (${buildB})`, dir: root.dir, start: () => startCommand(bin(buildB), [root.entry], root.dir) },
      ]
    : []),
]

/** CPU µs the server spends per line appended to app.log in its folder, at RATE a second for SECONDS. */
async function measure(variant: Variant): Promise<number> {
  const server = await variant.start()
  try {
    await sleep(1_000) // the start's own work is over
    const file = join(variant.dir, 'app.log')
    const before = threadCpu(server.pid)!
    const t0 = performance.now()
    let writes = 0
    while (performance.now() - t0 < SECONDS * 1000) {
      appendFileSync(file, `GET / ${writes}\n`)
      writes++
      const due = t0 + (writes * 1000) / RATE - performance.now()
      if (due > 0) await sleep(due)
    }
    await sleep(200) // events still being handled
    const after = threadCpu(server.pid)!
    return (after.mainUs + after.othersUs - before.mainUs - before.othersUs) / writes
  } finally {
    await server.close()
    rmSync(join(variant.dir, 'app.log'), { force: true })
  }
}

const results = new Map<string, number[]>(variants.map((v) => [v.id, []]))
for (let round = 1; round <= ROUNDS; round++) {
  // Rotated each round: no variant always runs first.
  const order = variants.map((_, i) => variants[(i + round - 1) % variants.length]!)
  for (const variant of order) {
    log(`round ${round}/${ROUNDS}: ${variant.id}`)
    results.get(variant.id)!.push(await measure(variant))
  }
}
rmSync(base, { recursive: true, force: true })

const host = machine()
console.log(`### Writes to a non-source file in the project folder, Node ${process.version} (${new Date().toISOString().slice(0, 16)}Z)\n`)
console.log(`${host.cpu}, ${host.cores} cores. An idle server; ${RATE} appends a second to ./app.log for ${SECONDS} s, ${ROUNDS} round(s).\n`)
console.log('| server | CPU µs per write (median) | min–median–max |')
console.log('|---|---:|---|')
for (const [id, values] of results) console.log(`| ${id} | ${fmt.int(median(values))} | ${spread(values, fmt.int)} |`)
