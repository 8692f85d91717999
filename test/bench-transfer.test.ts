// "transfer" is one measure whichever generator runs: whole responses as read
// from the socket (status line, headers, body), which is what wrk counts. A
// size, not a speed: each generator's bytes per request must agree.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fixture, requires, runCli } from './helpers.js'

interface Run {
  bytesPerRequest: number
  text: string
}

async function bench(generator: 'wrk' | 'undici', json: boolean): Promise<Run> {
  // 1 s of load, no warm-up: a handful of requests cut off at the deadline are noise among thousands.
  const args = ['bench', fixture('bench-hello.ts'), '-d', '1s', '--warmup', '0', '-c', '4', '-w', '1', '-g', generator]
  const { code, stdout, stderr } = await runCli(json ? [...args, '--json'] : args)
  assert.equal(code, 0, stderr)
  if (!json) return { bytesPerRequest: Number.NaN, text: stdout }
  const { stats } = JSON.parse(stdout).runs[0]
  assert.ok(stats.requests > 100, `${generator}: ${stats.requests} requests`)
  assert.equal(stats.unexpected + stats.errors, 0)
  // Both figures are per second of the same run: their ratio is bytes per response.
  return { bytesPerRequest: stats.bytesPerSec / stats.reqPerSec, text: stdout }
}

describe('hotcell bench transfer', () => {
  it('wrk and undici report the same bytes per response: the head counts, not only the 6-byte body', {
    skip: requires('/usr/bin/wrk', 'apt-get install wrk'),
  }, async () => {
    const wrk = await bench('wrk', true)
    const undici = await bench('undici', true)
    // hotcell's head for this response (status line, date, content-type, content-length, keep-alive) is ~100 bytes.
    assert.ok(wrk.bytesPerRequest > 60, `wrk: ${wrk.bytesPerRequest} bytes per response`)
    const ratio = undici.bytesPerRequest / wrk.bytesPerRequest
    assert.ok(ratio > 0.9 && ratio < 1.1, `undici ${undici.bytesPerRequest.toFixed(1)} vs wrk ${wrk.bytesPerRequest.toFixed(1)} bytes per response`)
  })

  it('the report says what transfer counts', async () => {
    const { text } = await bench('undici', false)
    assert.match(text, /transfer: whole responses as read from the socket \(status line, headers and body\)/)
  })
})
