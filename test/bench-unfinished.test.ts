// Requests still unanswered when a run ends: counted by the server under test
// (hotcell's dispatch, the baseline's own server), so with either generator. A
// handler slower than -d must not read as 0 req/s with latencies of 0.00 and
// exit 0 under --fail-on-errors, and a baseline whose connections got stuck
// must not make hotcell look twice as fast.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fixture, requires, runCli } from './helpers.js'

const SHORT = ['--warmup', '0', '-c', '4', '-w', '1']

describe('hotcell bench: requests still unanswered when a run ends', () => {
  for (const generator of ['undici', 'wrk']) {
    it(`a handler slower than -d (${generator}): counted, no latencies shown, exit 1 with --fail-on-errors`, {
      skip: generator === 'wrk' && requires('/usr/bin/wrk', 'apt-get install wrk'),
    }, async () => {
      const args = ['bench', fixture('bench-veryslow.ts'), '-d', '1s', ...SHORT, '-g', generator, '--fail-on-errors']
      const text = await runCli(args, { timeoutMs: 60_000 })
      assert.equal(text.code, 1, text.stderr)
      assert.match(text.stdout, /unfinished +transfer\n +0 +— +— +— +— +— +0 +0 +0 +4 /)
      assert.match(text.stdout, /no response finished within the run: 4 requests were still waiting when it ended; do responses take longer than -d\?/)
      assert.match(text.stderr, /hotcell bench: 4 requests failed, got an unexpected status or were still unanswered when a run ended \(--fail-on-errors\)\n$/)
      const json = await runCli([...args, '--json'], { timeoutMs: 60_000 })
      const doc = JSON.parse(json.stdout)
      assert.equal(doc.runs[0].stats.unfinished, 4)
      assert.equal(doc.results[0].unfinished, 4)
      assert.equal(doc.results[0].latencyMs, null)
      assert.equal(doc.failures, 4)
    })
  }

  it('a baseline whose connections got stuck: counted, and no cost-of-isolation ratio from it', async () => {
    const args = ['bench', fixture('bench-hangs.ts'), '-d', '2s', ...SHORT, '-g', 'undici', '--timeout', '1s', '--baseline', '--json']
    const { code, stdout, stderr } = await runCli(args, { timeoutMs: 90_000 })
    assert.equal(code, 0, stderr)
    const doc = JSON.parse(stdout)
    // Every one of its 4 connections meets a request that never ends within the first 200.
    assert.equal(doc.baseline.result.unfinished, 4)
    assert.match(doc.baseline.comparisons[0].withheld, /^the baseline had 4 requests still unanswered when its runs ended: its connections were stuck/)
  })
})
