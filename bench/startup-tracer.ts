// Loaded into every hotcell process by bench/startup.ts (NODE_OPTIONS=--import):
// appends each start and reload phase published on hotcell's diagnostics
// channels to the file named by HOTCELL_BENCH_TRACE, on the wall clock shared
// by all processes, with when this process started and finished booting Node.
import { subscribe } from 'node:diagnostics_channel'
import { appendFileSync } from 'node:fs'

const file = process.env.HOTCELL_BENCH_TRACE
if (file) {
  const now = () => performance.timeOrigin + performance.now()
  const mark = (phase: string, t = now()) => appendFileSync(file, JSON.stringify({ pid: process.pid, phase, t }) + '\n')
  mark('process', performance.timeOrigin)
  mark('node', performance.timeOrigin + performance.nodeTiming.bootstrapComplete)
  for (const name of ['hotcell:start', 'hotcell:reload']) subscribe(name, (message) => mark((message as { phase: string }).phase))
}
