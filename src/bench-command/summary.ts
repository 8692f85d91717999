import type { Variant } from './plan.js'
import type { LoadStats } from './run-load.js'
import { median } from './stats.js'

export interface RunRecord {
  order: number
  round: number
  target: Variant['target']
  entry: string
  workers: number
  /** Wall-clock bounds of the timed run: they show the order runs really happened in. */
  startedAt: string
  finishedAt: string
  stats: RunStats
}

/** The generator's figures, and what the server saw: requests stuck when the run ended (unfinished.ts). */
export type RunStats = LoadStats & { unfinished: number }

/** Medians across the rounds of one configuration. */
export interface ConfigSummary {
  target: Variant['target']
  entry: string
  workers: number
  rounds: number
  reqPerSec: number
  reqPerSecMin: number
  reqPerSecMax: number
  /** Median of the runs' per-second standard deviations; null without per-second samples. */
  reqPerSecStdev: number | null
  /** Null when no response finished in any round: zeros would read as measured. */
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number } | null
  /** Responses that finished, with any status (the latencies are theirs), over the rounds. */
  responses: number
  /** Totals over the rounds (not medians, unlike the figures above): see `aggregation` and `perRound`. */
  errors: number
  timeouts: number
  unexpected: number
  /** Requests still unanswered when a run ended, that had waited long (unfinished.ts): a stuck connection, not a finished failure. */
  unfinished: number
  bytesPerSec: number
  /** What each figure is across rounds, said in the document itself: a median req/s sat unlabeled beside summed failures. */
  aggregation: typeof AGGREGATION
  /** The failure counts of each round, in round order. */
  perRound: { errors: number[]; timeouts: number[]; unexpected: number[]; unfinished: number[] }
}

export const AGGREGATION =
  'reqPerSec, reqPerSecStdev, latencyMs (but max) and bytesPerSec: medians over rounds; latencyMs.max: the highest; errors, timeouts, unexpected, unfinished, responses: totals over rounds'

export interface ScalingRow {
  workers: number
  reqPerSec: number
  /** Against the smallest worker count measured. */
  speedup: number
  /** speed-up / (workers / smallest workers); 1.0 is perfect scaling. */
  efficiency: number
}

export interface Comparison {
  workers: number
  /** B/A per round, in round order. */
  ratios: number[]
  /** Of `ratios`: what the verdict goes by. */
  median: number
  /**
   * B's median req/s over A's, as the tables show them. It can differ from
   * `median`, even in direction: each round's ratio sets B against the A run
   * beside it in time, which cancels the machine's drift; the medians do not.
   */
  ofMedians: number
  min: number
  max: number
  inconclusive: boolean
  /**
   * How often two equal handlers would have every round agree as these do
   * (a sign test, two-sided: 2 × 0.5^rounds); 1 when the rounds disagree.
   */
  chance: number
  /**
   * Every round's B/A is further from 1 than either side's own spread across
   * rounds (its fastest round over its slowest): firm with fewer rounds than
   * the sign test needs.
   */
  beyondSpread: boolean
  verdict: string
}

export interface BaselineComparison {
  workers: number
  /** hotcell req/s ÷ baseline req/s. */
  ratio: number
  /** Extra time per request that isolation costs at full load: 1e6/hotcell − 1e6/baseline. */
  overheadUsPerRequest: number
  /** Null when a side finished no response. */
  p50DeltaMs: number | null
  /** Why the ratio is not a verdict (a side had requests stuck, stuckSides()), or null. */
  withheld: string | null
}

export function summarizeConfig(runs: RunRecord[]): ConfigSummary {
  const first = runs[0]!
  const pick = (f: (s: LoadStats) => number) => median(runs.map((r) => f(r.stats)))
  const rps = runs.map((r) => r.stats.reqPerSec)
  // Latencies from the runs where some response finished: the others have none, not zeros.
  const finished = (s: RunStats) => s.requests + s.unexpected
  const measured = runs.filter((r) => finished(r.stats) > 0)
  const sum = (f: (s: RunStats) => number) => runs.reduce((total, r) => total + f(r.stats), 0)
  const each = (f: (s: RunStats) => number) => [...runs].sort((a, b) => a.round - b.round).map((r) => f(r.stats))
  return {
    target: first.target,
    entry: first.entry,
    workers: first.workers,
    rounds: runs.length,
    reqPerSec: median(rps),
    reqPerSecMin: Math.min(...rps),
    reqPerSecMax: Math.max(...rps),
    reqPerSecStdev: runs.some((r) => r.stats.reqPerSecStdev === null) ? null : pick((s) => s.reqPerSecStdev!),
    latencyMs: measured.length
      ? {
          mean: median(measured.map((r) => r.stats.latencyMs.mean)),
          p50: median(measured.map((r) => r.stats.latencyMs.p50)),
          p90: median(measured.map((r) => r.stats.latencyMs.p90)),
          p99: median(measured.map((r) => r.stats.latencyMs.p99)),
          max: Math.max(...measured.map((r) => r.stats.latencyMs.max)),
        }
      : null,
    responses: sum(finished),
    errors: sum((s) => s.errors),
    timeouts: sum((s) => s.timeouts),
    unexpected: sum((s) => s.unexpected),
    unfinished: sum((s) => s.unfinished ?? 0),
    bytesPerSec: pick((s) => s.bytesPerSec),
    aggregation: AGGREGATION,
    perRound: {
      errors: each((s) => s.errors),
      timeouts: each((s) => s.timeouts),
      unexpected: each((s) => s.unexpected),
      unfinished: each((s) => s.unfinished ?? 0),
    },
  }
}

export function scaling(rows: ConfigSummary[]): ScalingRow[] {
  const sorted = [...rows].sort((a, b) => a.workers - b.workers)
  const base = sorted[0]!
  return sorted.map((row) => {
    const speedup = base.reqPerSec > 0 ? row.reqPerSec / base.reqPerSec : 0
    return { workers: row.workers, reqPerSec: row.reqPerSec, speedup, efficiency: speedup / (row.workers / base.workers) }
  })
}

// Two equal handlers still differ round by round, each round as likely to
// favour either: all rounds agree by chance 25 % of the time at 3 rounds, 3 %
// at 6. Below 5 % the verdict is firm; above it, it says how likely chance is.
const FIRM_CHANCE = 0.05

/** Fastest round over slowest, of one side. */
function spreadOf(runs: RunRecord[]): number {
  const rates = runs.map((r) => r.stats.reqPerSec).filter((x) => x > 0)
  return rates.length ? Math.max(...rates) / Math.min(...rates) : Number.POSITIVE_INFINITY
}

/** B/A per round. The difference is called inconclusive when the rounds disagree on its direction. */
export function compareRounds(workers: number, a: RunRecord[], b: RunRecord[], labels: { a: string; b: string }): Comparison {
  const ratios = a
    .map((runA) => {
      const runB = b.find((r) => r.round === runA.round)
      return runB && runA.stats.reqPerSec > 0 ? runB.stats.reqPerSec / runA.stats.reqPerSec : NaN
    })
    .filter(Number.isFinite)
  const mid = median(ratios)
  const rateA = median(a.map((r) => r.stats.reqPerSec))
  const ofMedians = rateA > 0 ? median(b.map((r) => r.stats.reqPerSec)) / rateA : Number.NaN
  const min = Math.min(...ratios)
  const max = Math.max(...ratios)
  const inconclusive = ratios.length < 3 || (min <= 1 && max >= 1)
  const chance = inconclusive ? 1 : 2 * 0.5 ** ratios.length
  // A difference much larger than the noise (a handler 60× slower) is plain in
  // 3 rounds, which the sign test ignores. Equal handlers with independent
  // normal noise pass this 1.4 % of the time at 3 rounds, 0.15 % at 4
  // (simulated, 200,000 pairs of runs each).
  const spread = Math.max(spreadOf(a), spreadOf(b))
  const beyondSpread = !inconclusive && ratios.every((r) => r > spread || r < 1 / spread)
  const pct = (x: number) => `${Math.abs((x - 1) * 100).toFixed(1)}%`
  // Three places, as the ratios line above it: with two, 0.9995 read 1.00 beside an 'inconclusive'.
  const range = `B/A ${min.toFixed(3)}–${max.toFixed(3)} in every round`
  const side = mid > 1 ? 'faster' : 'slower'
  // "1469.4% more req/s" read worse than "15.7× A's req/s".
  const difference =
    mid >= 2
      ? `${mid.toFixed(1)}× A's req/s`
      : mid > 1
        ? `${pct(mid)} more req/s`
        : mid > 0.5
          ? `${pct(mid)} fewer req/s`
          : `1/${(1 / mid).toFixed(1)} of A's req/s`
  let verdict: string
  if (inconclusive)
    verdict = `inconclusive: B/A ranged from ${min.toFixed(3)} to ${max.toFixed(3)} across ${ratios.length} rounds, so the rounds disagree on which is faster`
  else if (chance <= FIRM_CHANCE) verdict = `${labels.b} is ${side} than ${labels.a}: ${difference} (${range})`
  else if (beyondSpread)
    verdict = `${labels.b} is ${side} than ${labels.a}: ${difference} (${range}, each further from 1 than either side's spread across rounds, ${pct(spread)})`
  else {
    const enough = Math.ceil(Math.log2(2 / FIRM_CHANCE))
    verdict =
      `${labels.b} looks ${side} than ${labels.a}: ${difference} (${range}), but two equal handlers agree in all ${ratios.length} rounds ` +
      `${Math.round(chance * 100)}% of the time: --rounds ${enough} or more to be sure`
  }
  return { workers, ratios, median: mid, ofMedians, min, max, inconclusive, chance, beyondSpread, verdict }
}

export function againstBaseline(hotcell: ConfigSummary, baseline: ConfigSummary): BaselineComparison {
  const us = (rps: number) => (rps > 0 ? 1e6 / rps : 0)
  return {
    workers: hotcell.workers,
    ratio: baseline.reqPerSec > 0 ? hotcell.reqPerSec / baseline.reqPerSec : 0,
    overheadUsPerRequest: us(hotcell.reqPerSec) - us(baseline.reqPerSec),
    p50DeltaMs: hotcell.latencyMs && baseline.latencyMs ? hotcell.latencyMs.p50 - baseline.latencyMs.p50 : null,
    withheld: stuckSides([
      ['hotcell', hotcell.unfinished],
      ['the baseline', baseline.unfinished],
    ]),
  }
}

/**
 * Why a verdict built on these sides' req/s would mislead, or null: a side
 * whose connections got stuck on requests that never ended is slow without
 * failing (a stuck baseline made hotcell look 2.00× plain node:http).
 */
export function stuckSides(sides: [string, number][]): string | null {
  const stuck = sides.filter(([, n]) => n > 0)
  if (stuck.length === 0) return null
  const said = stuck.map(([name, n]) => `${name} had ${n.toLocaleString('en-US')} request${n === 1 ? '' : 's'} still unanswered when its runs ended`).join(', ')
  return `${said}: its connections were stuck, so its req/s is not its speed; make every request end, then compare`
}
