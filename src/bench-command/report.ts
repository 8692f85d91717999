import type { BenchDocument } from './document.js'
import type { ConfigSummary } from './summary.js'
import { thousands } from '../report/thousands.js'

const int = thousands
const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1))
const bytes = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB/s` : `${(n / 1024).toFixed(1)} KiB/s`)

/** The human report: a table per configuration, then scaling, A/B and baseline findings. */
export function renderText(doc: BenchDocument): string {
  const out: string[] = []
  const s = doc.settings
  const m = doc.machine
  const server = doc.request.scheme === 'https' ? 'node:https' : 'node:http'
  out.push(
    `hotcell bench ${doc.request.method} ${doc.request.path}${doc.request.scheme === 'https' ? ' over TLS' : ''}: ${s.connections} connections, ${s.durationMs / 1000} s per run, ${s.rounds} round${s.rounds > 1 ? 's' : ''}, warm-up ${s.warmupMs / 1000} s`,
  )
  const atStart = m.coresInUse === null ? `load average ${m.loadAverage}` : `${m.coresInUse} of ${m.cores} cores in use`
  out.push(`${m.cpu}, ${m.cores} cores, Node ${m.node}, ${atStart} at start; generator: ${doc.generator.name} ${doc.generator.version}, ${doc.generator.where}`)
  // Measured (bench/accuracy, docs/benchmarks.md): on 2 cores the undici generator reported 0.71–1.17×
  // wrk's req/s for a hello handler, round by round; its own CPU is taken from the server.
  if (doc.generator.name === 'undici')
    out.push(
      'note: the undici generator shares the CPU with the server and can under-report cheap handlers on few cores; wrk, when installed, spends 2–5× less CPU per request',
    )
  for (const check of doc.checks) {
    const varies = check.bodyVaries ? ' (body length varies between requests)' : ''
    out.push(`check ${label(check.target, check.entry, server)}: ${check.status}, ${check.bodyBytes} bytes${varies}`)
  }
  out.push('')
  for (const result of doc.results) out.push(...configTable(result, server), '')
  // Not the body length of the check above: a hello handler's ~100-byte head dwarfs its body.
  out.push('transfer: whole responses as read from the socket (status line, headers and body), as wrk counts them, with either generator')
  // Every run ends with requests in flight; only those that had waited long are counted (unfinished.ts).
  out.push(
    'unfinished: requests still unanswered when a run ended that had waited over 1 s and longer than its slowest response (stuck, not cut off by the end)',
    '',
  )
  out.push(...correctionNote(doc))

  if (doc.scaling) {
    out.push(...scalingTable('A', doc.scaling.A))
    if (doc.scaling.B) out.push('', ...scalingTable('B', doc.scaling.B))
    out.push('')
  }
  const most = Math.max(...doc.settings.workers)
  // hotcell's main thread takes every request off the socket, and the load generator runs here too:
  // said with one worker count as well (the default of 2 on 2 cores is slower than 1 there).
  if (most > Math.max(1, m.cores - 2))
    out.push(
      `note: ${most} worker${most > 1 ? 's' : ''}, hotcell's main thread and the load generator (${doc.generator.name}) share ${m.cores} cores: past ${Math.max(1, m.cores - 2)} worker${m.cores - 2 > 1 ? 's' : ''} they take CPU from each other, so more workers can be slower here. Scaling shows on a machine with more cores than workers + 2.`,
      '',
    )
  if (doc.compare) {
    out.push('A/B (B/A of req/s, per round, interleaved A B A B …)')
    for (const c of doc.compare) {
      out.push(
        `  ${c.workers} worker${c.workers > 1 ? 's' : ''}: median ${c.median.toFixed(3)}, min–max ${c.min.toFixed(3)}–${c.max.toFixed(3)} [${c.ratios.map((r) => r.toFixed(3)).join(', ')}]`,
      )
      // The tables' medians gave B/A 0.89 above a median of 1.04 here: said, so that neither reads as a mistake.
      if (Math.abs(c.ofMedians - c.median) >= 0.01)
        out.push(
          `    (the tables' medians give ${c.ofMedians.toFixed(3)}: each round sets B against the A run beside it in time, which cancels this machine's drift between rounds; the medians do not, so the rounds decide)`,
        )
      out.push(`    ${c.verdict}`)
    }
    out.push('')
  }
  if (doc.baseline) {
    out.push(`Cost of isolation (hotcell against the same handler inline on ${server}, in its own process)`)
    for (const b of doc.baseline.comparisons) {
      const workers = `${b.workers} worker${b.workers > 1 ? 's' : ''}`
      if (b.withheld) {
        out.push(`  ${workers}: no ratio: ${b.withheld}`)
        continue
      }
      const p50 = b.p50DeltaMs === null ? '' : `, p50 latency ${b.p50DeltaMs >= 0 ? '+' : ''}${b.p50DeltaMs.toFixed(2)} ms`
      out.push(
        `  ${workers}: ${b.ratio.toFixed(2)}× the baseline's req/s, ${Math.abs(b.overheadUsPerRequest).toFixed(1)} µs ${b.overheadUsPerRequest >= 0 ? 'more' : 'less'} per request (from req/s)${p50}`,
      )
    }
    out.push('')
  }
  if (doc.failures > 0)
    out.push(
      `${int(doc.failures)} requests failed, got an unexpected status or were still unanswered when a run ended (see the tables); req/s counts only the responses with the expected status.`,
      '',
    )
  if (m.coresInUse !== null && m.coresInUse > m.cores * 0.5)
    out.push(
      `note: the machine was busy when the bench started (${m.coresInUse} of ${m.cores} cores in use by other processes); compare ratios within this run, not absolute numbers.`,
    )
  return out.join('\n').trimEnd() + '\n'
}

function label(target: string, entry: string, server: string): string {
  return target === 'baseline' ? `baseline (${entry} inline on ${server})` : `${target} (${entry})`
}

/**
 * wrk's percentiles are not the responses' own once its correction changed them
 * (run-load.ts, latencyCorrectionMs): 1 response in 200 taking 200 ms read p90
 * 156 ms with wrk, 0.8 ms with undici. Said whenever that happened, with what to do.
 */
function correctionNote(doc: BenchDocument): string[] {
  const intervals = doc.runs.map((run) => run.stats.latencyCorrectionMs).filter((ms) => ms !== null)
  if (!intervals.length) return []
  const some = intervals.length === doc.runs.length ? 'every run' : `${intervals.length} of ${doc.runs.length} runs`
  return [
    `latency: in ${some}, responses slower than ${ms(2 * Math.min(...intervals))} ms or so made wrk add samples to p50/p90/p99 (its correction for coordinated omission: the waits of the requests a client sending on schedule would have sent meanwhile), so those describe such a client, not the responses; max is a response's own. The responses' own percentiles: -g undici.`,
    '',
  ]
}

function configTable(r: ConfigSummary, server: string): string[] {
  const title =
    r.target === 'baseline' ? label('baseline', r.entry, server) : `${label(r.target, r.entry, server)}, ${r.workers} worker${r.workers > 1 ? 's' : ''}`
  const spread = r.rounds > 1 ? `  (median of ${r.rounds} rounds, ${int(r.reqPerSecMin)}–${int(r.reqPerSecMax)})` : ''
  const failed = r.errors + r.timeouts + r.unexpected + r.unfinished
  const l = r.latencyMs
  // No response finished: no latency to show, and why.
  const none =
    l === null
      ? [
          `  no response finished within the ${r.rounds > 1 ? `${r.rounds} runs` : 'run'}: ${int(r.unfinished)} request${r.unfinished === 1 ? ' was' : 's were'} still waiting when ${r.rounds > 1 ? 'they' : 'it'} ended; do responses take longer than -d?`,
        ]
      : []
  return [
    title,
    table(
      ['req/s', 'stdev', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors', 'timeouts', 'unexpected', 'unfinished', 'transfer'],
      [
        [
          int(r.reqPerSec),
          r.reqPerSecStdev === null ? '—' : int(r.reqPerSecStdev),
          l ? ms(l.p50) : '—',
          l ? ms(l.p90) : '—',
          l ? ms(l.p99) : '—',
          l ? ms(l.max) : '—',
          String(r.errors),
          String(r.timeouts),
          String(r.unexpected),
          String(r.unfinished),
          bytes(r.bytesPerSec),
        ],
      ],
    ) +
      spread +
      (failed ? '  ← failures' : ''),
    ...none,
    // Beside medians, a total read as one round's count: 44,808 unexpected looked like 42 % of a run's responses where it was 20 %.
    ...(r.rounds > 1
      ? [
          `  errors, timeouts, unexpected, unfinished: totals over the ${r.rounds} rounds${failed ? ` (per round: ${perRound(r)})` : ''}; req/s and p50–p99: medians; max: the highest`,
        ]
      : []),
  ]
}

function perRound(r: ConfigSummary): string {
  const p = r.perRound
  return p.errors.map((errors, i) => int(errors + p.timeouts[i]! + p.unexpected[i]! + p.unfinished[i]!)).join(', ')
}

function scalingTable(target: string, rows: { workers: number; reqPerSec: number; speedup: number; efficiency: number }[]): string[] {
  const top = Math.max(...rows.map((r) => r.reqPerSec), 1)
  const width = 30
  return [
    `Scaling of ${target} across workers`,
    table(
      ['workers', 'req/s', 'speed-up', 'efficiency', ''],
      rows.map((r) => [
        String(r.workers),
        int(r.reqPerSec),
        `${r.speedup.toFixed(2)}×`,
        `${Math.round(r.efficiency * 100)}%`,
        '█'.repeat(Math.max(1, Math.round((r.reqPerSec / top) * width))),
      ]),
    ),
  ]
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
  const line = (cells: string[]) => '  ' + cells.map((c, i) => (i === cells.length - 1 && head[i] === '' ? c : c.padStart(widths[i]!))).join('  ')
  return [line(head), ...rows.map(line)].map((l) => l.trimEnd()).join('\n')
}
