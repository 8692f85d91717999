// With several rounds, req/s and latencies are medians but the failure counts
// are totals: the table and the JSON must say which is which (a trial read a
// 3-round total of 44,808 unexpected statuses as one run's).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { BenchDocument } from '../src/bench-command/document.js'
import { renderText } from '../src/bench-command/report.js'
import { compareRounds, summarizeConfig, type RunRecord, type RunStats } from '../src/bench-command/summary.js'

export function stats(over: Partial<RunStats> = {}): RunStats {
  return {
    durationS: 1,
    reqPerSec: 1000,
    reqPerSecMean: 1000,
    reqPerSecStdev: null,
    requests: 1000,
    latencyMs: { mean: 1, p50: 1, p90: 2, p99: 3, max: 4 },
    latencyCorrectionMs: null,
    errors: 0,
    timeouts: 0,
    unexpected: 0,
    statuses: null,
    bytesPerSec: 100_000,
    generatorCpuMs: null,
    unfinished: 0,
    ...over,
  }
}

export function run(round: number, over: Partial<RunStats> = {}, target: RunRecord['target'] = 'A'): RunRecord {
  return { order: round, round, target, entry: 'app.ts', workers: 1, startedAt: '', finishedAt: '', stats: stats(over) }
}

export function docOf(runs: RunRecord[], rounds: number): BenchDocument {
  return {
    tool: 'hotcell bench',
    version: '0.0.0',
    date: '2026-01-02T03:04:05.000Z',
    machine: { cpu: 'test cpu', cores: 8, node: 'v20.19.0', os: 'linux', loadAverage: 0, coresInUse: 0 },
    generator: { name: 'wrk', version: '4.1.0', where: 'on this machine' },
    request: { method: 'GET', path: '/', headers: [], bodyBytes: 0, scheme: 'http' },
    settings: { connections: 50, durationMs: 1000, warmupMs: 0, rounds, workers: [1], expectStatus: null, timeoutMs: 30_000 },
    checks: [],
    runs,
    results: [summarizeConfig(runs)],
    scaling: null,
    compare: null,
    baseline: null,
    failures: runs.reduce((n, r) => n + r.stats.errors + r.stats.timeouts + r.stats.unexpected, 0),
  }
}

describe('hotcell bench with several rounds', () => {
  const runs = [run(1, { unexpected: 15_817, reqPerSec: 900 }), run(2, { unexpected: 16_603, reqPerSec: 1100 }), run(3, { unexpected: 15_990 })]

  test('the JSON says the counts are totals, and gives them per round', () => {
    const result = summarizeConfig(runs)
    assert.equal(result.reqPerSec, 1000)
    assert.equal(result.unexpected, 48_410)
    assert.deepEqual(result.perRound.unexpected, [15_817, 16_603, 15_990])
    assert.match(result.aggregation, /errors, timeouts, unexpected, unfinished, responses: totals over rounds/)
  })

  test('the table says the counts are totals over the rounds, with each round', () => {
    const text = renderText(docOf(runs, 3))
    assert.match(
      text,
      /\n {2}errors, timeouts, unexpected, unfinished: totals over the 3 rounds \(per round: 15,817, 16,603, 15,990\); req\/s and p50–p99: medians/,
    )
    // One round: nothing to tell apart.
    assert.doesNotMatch(renderText(docOf([run(1)], 1)), /totals over/)
  })
})

describe('hotcell bench --compare: the report', () => {
  test("the tables' medians disagreeing with the rounds' ratios: the report gives both and says why the rounds decide", () => {
    // A trial's run of two identical handlers: medians 13,002 against 11,595 (B/A 0.89), rounds' median 1.038.
    const a = [9500, 17150, 13002].map((reqPerSec, i) => run(i + 1, { reqPerSec }))
    const b = [11595, 11595, 13496].map((reqPerSec, i) => run(i + 1, { reqPerSec }, 'B'))
    const labels = { a: 'A', b: 'B' }
    const cmp = compareRounds(1, a, b, labels)
    assert.equal(cmp.median.toFixed(3), '1.038')
    assert.equal(cmp.ofMedians.toFixed(3), '0.892')
    const doc = { ...docOf([...a, ...b], 3), compare: [cmp] }
    const text = renderText(doc)
    assert.match(
      text,
      /\n {4}\(the tables' medians give 0\.892: each round sets B against the A run beside it in time, which cancels this machine's drift between rounds; the medians do not, so the rounds decide\)\n {4}inconclusive: /,
    )
    // Equal figures both ways: no such line.
    const same = compareRounds(
      1,
      [100, 100, 100].map((reqPerSec, i) => run(i + 1, { reqPerSec })),
      [104, 97, 102].map((reqPerSec, i) => run(i + 1, { reqPerSec }, 'B')),
      labels,
    )
    assert.doesNotMatch(renderText({ ...doc, compare: [same] }), /the tables' medians/)
  })
})
