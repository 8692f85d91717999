// Loaded into every hotcell process by bench/startup.ts (NODE_OPTIONS=--import):
// appends each start and reload phase published on hotcell's diagnostics
// channels to the file named by HOTCELL_BENCH_TRACE, with when this process
// started and finished booting Node. Times are CLOCK_MONOTONIC (process.hrtime),
// which all processes share; the wall clock (performance.timeOrigin) is read
// once per process, and this VM steps it by seconds now and then.
import { subscribe } from 'node:diagnostics_channel'
import { appendFileSync } from 'node:fs'

const file = process.env.HOTCELL_BENCH_TRACE
if (file) {
  const now = () => Number(process.hrtime.bigint()) / 1e6
  const mark = (phase: string, t = now()) => appendFileSync(file, JSON.stringify({ pid: process.pid, phase, t }) + '\n')
  // performance.now() counts from the process's start on the same clock.
  const origin = now() - performance.now()
  mark('process', origin)
  mark('node', origin + performance.nodeTiming.bootstrapComplete)
  for (const name of ['hotcell:start', 'hotcell:reload']) subscribe(name, (message) => mark((message as { phase: string }).phase))
}
