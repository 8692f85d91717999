// The server `hotcell bench` starts serves every connection of its -c. hotcell's
// own caps (512 connections, 1024 queued requests) protect a dev server from
// clients it does not know; the bench's server has one client, itself, and
// those caps turned a -c 520 run into 488 "failed requests" with no reason given.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fixture, runCli } from './helpers.js'

describe('hotcell bench -c past the serve caps', () => {
  it('1400 connections on 1 worker: none refused, no 503 from a full queue, hotcell and the baseline alike', async () => {
    // 1400: past 512 connections, and past the 256 tasks of the one worker plus
    // 1024 queued while bench-burst.ts holds the worker's 256 for 1.5 s.
    const args = ['bench', fixture('bench-burst.ts'), '-c', '1400', '-d', '2s', '--warmup', '0', '-w', '1', '-g', 'undici', '--baseline', '--json']
    const { code, stdout, stderr } = await runCli(args, { timeoutMs: 90_000 })
    assert.equal(code, 0, stderr)
    const doc = JSON.parse(stdout)
    assert.deepEqual(
      doc.runs.map(
        ({ target, stats }: { target: string; stats: { requests: number; errors: number; timeouts: number; unexpected: number; statuses: object } }) => ({
          target,
          answered: stats.requests > 0,
          errors: stats.errors,
          timeouts: stats.timeouts,
          unexpected: stats.unexpected,
          statuses: Object.keys(stats.statuses),
        }),
      ),
      [
        { target: 'A', answered: true, errors: 0, timeouts: 0, unexpected: 0, statuses: ['200'] },
        { target: 'baseline', answered: true, errors: 0, timeouts: 0, unexpected: 0, statuses: ['200'] },
      ],
    )
  })
})
