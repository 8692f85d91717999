// bench/reload.ts's report: one table row per tool and pace, hotcell's p50
// against each other tool's, and its memory's growth over the reloads.
import { cpus } from 'node:os'
import { percentileOf as pct } from '../src/bench-command/stats.js'
import type { ProcessMemory } from './process-tree.js'
import type { Result } from './reload-session.js'

const f = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '–' : n.toFixed(1))

/** `app`, `edits`, `rounds`: as given on the command line (--app, --edits, --rounds). */
export function printReloadTable(results: Result[], app: string, edits: number, rounds: number): void {
  console.log(
    `\nEdit → first response showing it, app ${app}, ${edits} edits per pace in ${Math.min(rounds, Math.max(1, edits))} interleaved rounds (${cpus()[0]?.model.trim()}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 16)}Z)\n`,
  )
  console.log('| tool | cold start ms | edits apart ms | min | p50 | p90 | max | failed / requests during the edits |')
  console.log('|---|---|---|---|---|---|---|---|')
  for (const r of results) {
    for (const p of r.paces) {
      console.log(
        `| ${r.tool} | ${f(r.coldMs)} | ${p.pace} | ${f(pct(p.latencies, 0))} | ${f(pct(p.latencies, 50))} | ${f(pct(p.latencies, 90))} | ${f(pct(p.latencies, 100))} | ${p.failed} / ${p.requests} |`,
      )
    }
  }
  const hot = results.find((r) => r.tool === 'hotcell')
  if (hot) {
    for (const other of results.filter((r) => r !== hot)) {
      const ratios = hot.paces.map((p, i) => `${p.pace} ms: ${(pct(p.latencies, 50) / pct(other.paces[i]!.latencies, 50)).toFixed(2)}×`)
      console.log(`\nhotcell p50 / ${other.tool} p50 — ${ratios.join(', ')}`)
    }
    if (hot.memory && hot.memory.length > 1) {
      const xs = hot.memory.map((m) => m.reloads)
      const ys = hot.memory.map((m) => m.mib)
      const mx = xs.reduce((a, b) => a + b, 0) / xs.length
      const my = ys.reduce((a, b) => a + b, 0) / ys.length
      const slope = xs.reduce((s, x, i) => s + (x - mx) * (ys[i]! - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0)
      console.log(
        `\nhotcell tree RSS (MiB, median of 10 readings over 2 s, 7 s after the last reload): ${hot.memory.map((m) => `${m.reloads} → ${m.mib.toFixed(1)}`).join(', ')}`,
      )
      console.log(`growth: ${(slope * 100).toFixed(2)} MiB per 100 reloads (least squares over the readings)`)
      const describe = (m: { byRole: ProcessMemory[] }) => m.byRole.map((p) => `${p.role} ${p.rssMiB.toFixed(1)}`).join(', ')
      console.log(`by process: first ${describe(hot.memory[0]!)}; last ${describe(hot.memory.at(-1)!)}`)
    }
  }
}
