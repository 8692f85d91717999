// bench/throughput's report: one table row per variant (req/s, latency, its
// ratio to its reference per round, CPU per request), the targets, and with
// HOTCELL_BUILD_B this build against build B, paired per round.
import type { Machine } from '../src/bench-command/document.js'
import { fmt, median, type ScriptArgs, spread } from './script-args.js'
import type { Sample } from './throughput-sample.js'
import type { Variant } from './throughput-variants.js'
import { wrkVersion } from './wrk.js'

export interface ThroughputRun {
  variants: Variant[]
  samples: Map<string, Sample[]>
  /** Each round's order of variants, ids joined by spaces. */
  orders: string[]
  startedAt: Date
  host: Machine
  useWrk: boolean
  /** What was asked for (GET `path`) and the size of its answer. */
  path: string
  bodyBytes: number
}

/** The report's lines, Markdown. */
export function throughputTable({ variants, samples, orders, startedAt, host, useWrk, path, bodyBytes }: ThroughputRun, args: ScriptArgs): string[] {
  const med = (id: string, key: keyof Sample) => median(samples.get(id)!.map((s) => s[key]))
  // Ratios are paired per round: both runs of a round met the same machine.
  const ratios = (id: string, against: string) => samples.get(id)!.map((s, i) => s.reqPerSec / samples.get(against)![i]!.reqPerSec)
  const rows = variants.map((v) => {
    const per = samples.get(v.id)!.map((s) => s.reqPerSec)
    const ratio = v.against ? spread(ratios(v.id, v.against), fmt.ratio) : ''
    const cpu = (key: 'mainUs' | 'othersUs') => fmt.int(med(v.id, key))
    return `| ${v.name} | ${fmt.int(med(v.id, 'reqPerSec'))} | ${spread(per, fmt.int)} | ${fmt.ms(med(v.id, 'p50'))} | ${fmt.ms(med(v.id, 'p99'))} | ${ratio}${v.against ? ` × ${v.against}` : ''} | ${cpu('mainUs')} | ${cpu('othersUs')} | ${med(v.id, 'errors')} |`
  })
  const target = (id: string, against: string, goal: number) => {
    if (!samples.has(id)) return undefined
    const r = median(ratios(id, against))
    return `- ${variants.find((v) => v.id === id)!.name}: ${fmt.ratio(r)}× ${against} (median of rounds) — target ≥ ${goal}: ${r >= goal ? 'met' : 'NOT met'}`
  }
  return [
    `### Throughput, Node ${process.version} (${startedAt.toISOString().slice(0, 16)}Z${args.profile ? ', with --cpu-prof on the hotcell servers: slower than normal' : ''})`,
    '',
    `${host.cpu}, ${host.cores} cores, ${host.os}, load average ${host.loadAverage} at start. ` +
      `${useWrk ? `wrk ${wrkVersion()}, 1 thread` : 'undici (wrk unavailable)'}, GET ${path} (${bodyBytes}-byte body), ${args.connections} connections, ${args.durationMs / 1000} s per run, ${args.rounds} round(s)${args.fresh ? ', a new server process for each variant in each round' : ', one server process per variant for all rounds'}; order per round: ${orders.join(' | ')}.`,
    '',
    '| variant | req/s (median) | req/s min–median–max | p50 ms | p99 ms | ratio per round, min–median–max | CPU µs/request, main thread | CPU µs/request, other threads | failed |',
    '|---|---:|---|---:|---:|---|---:|---:|---:|',
    ...rows,
    '',
    ...[
      target('hello', 'plain', 0.75),
      target('hello-1', 'plain', 0.75),
      target('hello-cli', 'plain', 0.75),
      target('hono-1', 'hono-ns', 1.0),
      target('hello-1-b', 'plain', 0.75),
    ].filter((line) => line !== undefined),
    // This build against build B, paired per round.
    ...variants
      .filter((v) => v.id.endsWith('-b') && samples.has(v.id.slice(0, -2)))
      .map(
        (v) =>
          `- ${v.id.slice(0, -2)} / ${v.id}, req/s per round: ${ratios(v.id.slice(0, -2), v.id).map(fmt.ratio).join(', ')} (median ${fmt.ratio(median(ratios(v.id.slice(0, -2), v.id)))}×)`,
      ),
  ]
}
