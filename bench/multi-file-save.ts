// bench/multi-file-save: saves that change several files at once (Save All,
// a rename touching its importers, a code generator, a shell loop), written
// back to back by another process (as an editor or a shell would: the server's
// loop runs between the writes) while a client polls the server. Counts, per
// save, the builds and the swaps, the polled requests that failed (a module
// read half-saved is an empty module: the app then calls undefined, a 500),
// and checks what each swap served: a generation must never hold part of a
// save.
//   npm run bench:multi-file-save                       # 5 files, 20 saves
//   npm run bench:multi-file-save -- --files 20 --saves 10
// HOTCELL_BUILD_B=<a dist/ of another commit, inside this repository> runs that build too, after this one.
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { mustBeInteger } from '../src/config/resolve-config.js'

const { values } = parseArgs({ options: { files: { type: 'string', default: '5' }, saves: { type: 'string', default: '20' } } })
const FILES = mustBeInteger(values.files, '--files', 2, 200)
const SAVES = mustBeInteger(values.saves, '--saves', 1, 500)
const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Outcome {
  builds: number[]
  swaps: number[]
  /** Answers read right after a swap that did not show a whole save. */
  partial: string[]
  polled: number
  failed: number
}

// The writer: one line on stdin per save, the save's number; the files are
// written back to back (each writeFileSync truncates, then writes), then "ok".
const WRITER = `
const { writeFileSync } = require('node:fs'); const { join } = require('node:path')
const [dir, files] = [process.argv[1], Number(process.argv[2])]
require('node:readline').createInterface({ input: process.stdin }).on('line', (save) => {
  for (let i = 0; i < files; i++) writeFileSync(join(dir, 'm' + i + '.ts'), 'export const v' + i + ' = () => ' + save + '\\n')
  process.stdout.write('ok\\n')
})`

async function run(dist: string): Promise<Outcome> {
  const { serve } = (await import(pathToFileURL(join(dist, 'src/index.js')).href)) as typeof import('../src/index.js')
  const { RELOAD_CHANNEL } = (await import(pathToFileURL(join(dist, 'src/reload/trace.js')).href)) as typeof import('../src/reload/trace.js')
  // Inside the repository, as the other benches: imports resolve the same way.
  const dir = repo('.tmp/bench-multi-file-save')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  for (let i = 0; i < FILES; i++) writeFileSync(join(dir, `m${i}.ts`), `export const v${i} = () => 0\n`)
  const names = Array.from({ length: FILES }, (_, i) => `v${i}`)
  writeFileSync(
    join(dir, 'app.ts'),
    `${names.map((n, i) => `import { ${n} } from './m${i}'`).join('\n')}\nexport default { fetch: () => new Response([${names.map((n) => `${n}()`).join(', ')}].join(' ')) }\n`,
  )
  const writer = spawn(process.execPath, ['-e', WRITER, dir, String(FILES)], { stdio: ['pipe', 'pipe', 'inherit'] })
  writer.stdout.setEncoding('utf8')
  const write = async (save: number) => {
    const done = once(writer.stdout, 'data')
    writer.stdin.write(`${save}\n`)
    await done
  }
  const server = await serve({ entry: join(dir, 'app.ts'), port: 0, quiet: true, workers: 1 })
  let builds = 0
  let swaps = 0
  const checks: Promise<void>[] = []
  const outcome: Outcome = { builds: [], swaps: [], partial: [], polled: 0, failed: 0 }
  const onPhase = (message: unknown) => {
    const { phase } = message as { phase: string }
    if (phase === 'build') builds++
    if (phase !== 'swap') return
    swaps++
    // What the swapped-in generation serves: one value in every module, or a half-saved bundle.
    checks.push(
      fetch(server.url)
        .then((res) => res.text())
        .then((text) => {
          if (new Set(text.split(' ')).size !== 1) outcome.partial.push(text)
        }),
    )
  }
  subscribe(RELOAD_CHANNEL, onPhase)
  let polling = true
  const poller = (async () => {
    while (polling) {
      let ok = false
      try {
        const res = await fetch(server.url)
        await res.text()
        ok = res.status === 200
      } catch {
        // A refused or reset connection counts as failed.
      }
      outcome.polled++
      if (!ok) outcome.failed++
    }
  })()
  try {
    await sleep(500)
    for (let save = 1; save <= SAVES; save++) {
      const [b, s] = [builds, swaps]
      await write(save)
      await sleep(300)
      outcome.builds.push(builds - b)
      outcome.swaps.push(swaps - s)
    }
    await Promise.all(checks)
  } finally {
    polling = false
    await poller
    writer.kill()
    unsubscribe(RELOAD_CHANNEL, onPhase)
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  }
  return outcome
}

const count = (values: number[]) => {
  const tally = new Map<number, number>()
  for (const v of values) tally.set(v, (tally.get(v) ?? 0) + 1)
  return [...tally]
    .sort(([a], [b]) => a - b)
    .map(([v, n]) => `${v}: ${n}`)
    .join(', ')
}
const builds = [['hotcell', repo('dist')]]
if (process.env.HOTCELL_BUILD_B) builds.push(['hotcell B', process.env.HOTCELL_BUILD_B])
// The servers print their reload lines as they go: the table comes once, at the end.
const rows: string[] = []
for (const [name, dist] of builds) {
  const o = await run(dist!)
  rows.push(
    `| ${name} | ${count(o.builds)} | ${count(o.swaps)} | ${o.partial.length}${o.partial.length ? ` (e.g. "${o.partial[0]!.split('\n')[0]}")` : ''} | ${o.failed} of ${o.polled} |`,
  )
}
process.stdout.write(
  `\n${FILES} files written back to back by another process, ${SAVES} saves 300 ms apart, one client polling, Node ${process.version}\n\n` +
    '| build | builds per save (count of saves) | swaps per save | swaps that served part of a save | polled requests failed |\n|---|---|---|---|---|\n' +
    `${rows.join('\n')}\n`,
)
