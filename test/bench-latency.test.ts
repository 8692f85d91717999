// What the latency columns of `hotcell bench` describe. wrk "corrects" its
// figures for coordinated omission: a few slow responses add samples that made
// p90 156 ms where every response but 1 in 200 took under a millisecond. The
// report says so when it happened; undici's figures are the responses' own,
// of every status (a 503 after 300 ms is 300 ms a client waited).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { wrkCorrected } from '../src/bench-command/wrk-load.js'
import { cleanup, projectDir, requires, runCli } from './helpers.js'

/** After 20 quick requests, every `every`th waits `ms`, then answers `status`. */
function slowEvery(every: number, ms: number, status: number) {
  const project = projectDir({
    'app.ts': `let n = 0
export default {
  async fetch() {
    n++
    if (n > 20 && n % ${every} === 0) {
      await new Promise((resolve) => setTimeout(resolve, ${ms}))
      return new Response('slow', { status: ${status} })
    }
    return new Response('ok')
  },
}
`,
  })
  cleanup(project.remove)
  return project
}

async function benchJson(dir: string, generator: 'wrk' | 'undici', json = true) {
  const args = ['bench', 'app.ts', '-d', '1s', '--warmup', '0', '-c', '4', '-w', '1', '-g', generator, ...(json ? ['--json'] : [])]
  const { code, stdout, stderr } = await runCli(args, { cwd: dir, timeoutMs: 60_000 })
  assert.equal(code, 0, stderr)
  return stdout
}

describe('hotcell bench latency', () => {
  it('wrk: when its correction changed the percentiles, the JSON and the report say so, and point to -g undici', {
    skip: requires('/usr/bin/wrk', 'apt-get install wrk'),
  }, async () => {
    const { dir } = slowEvery(50, 100, 200)
    const { stats } = JSON.parse(await benchJson(dir, 'wrk')).runs[0]
    assert.equal(typeof stats.latencyCorrectionMs, 'number', JSON.stringify(stats))
    assert.ok(stats.latencyCorrectionMs > 0)
    assert.match(
      await benchJson(dir, 'wrk', false),
      /latency: in every run, responses slower than [\d.]+ ms or so made wrk add samples to p50\/p90\/p99 .* -g undici\./,
    )
  })

  it("wrk's correction counts only when it moved the mean off the one its request rate implies", () => {
    // µs. A hello handler on 50 connections: one GC pause over twice the interval, and a mean where Little's law puts it.
    assert.equal(wrkCorrected(596, 9_000, 614), false)
    // 1 response in 200 taking 200 ms.
    assert.equal(wrkCorrected(42_578, 206_000, 1_231), true)
    // Nothing slower than twice the interval: wrk added nothing.
    assert.equal(wrkCorrected(900, 1_200, 614), false)
  })

  it('undici: every response counts in the latency, whatever its status, and none is "corrected"', async () => {
    const { dir } = slowEvery(10, 300, 503)
    const { stats } = JSON.parse(await benchJson(dir, 'undici')).runs[0]
    assert.ok(stats.unexpected > 0, JSON.stringify(stats))
    assert.ok(stats.latencyMs.max >= 300, `max ${stats.latencyMs.max} ms: the 503s after 300 ms are missing`)
    assert.equal(stats.latencyCorrectionMs, null)
  })
})
