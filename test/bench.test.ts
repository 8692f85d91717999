// The `hotcell bench` command line: real binary, real servers on 127.0.0.1,
// short runs (-d 1s -c 4). These check output and exit codes, never speed.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { describe, it } from 'node:test'
import { join } from 'node:path'
import { BIN, fixture, projectDir, requires, ROOT, withDeadline } from './helpers.js'
import { compareRounds, type RunRecord } from '../src/bench-command/summary.js'

/** Runs of one side with these req/s, one per round. */
function side(target: 'A' | 'B', rates: number[]): RunRecord[] {
  return rates.map((reqPerSec, i) => ({ round: i + 1, target, stats: { reqPerSec } }) as unknown as RunRecord)
}

describe('hotcell bench --compare: the verdict', () => {
  const labels = { a: 'A', b: 'B' }
  it('rounds that disagree on which side is faster: inconclusive', () => {
    const cmp = compareRounds(1, side('A', [100, 100, 100]), side('B', [104, 97, 102]), labels)
    assert.equal(cmp.inconclusive, true)
    assert.match(cmp.verdict, /^inconclusive: B\/A ranged from 0\.970 to 1\.040 across 3 rounds/)
  })

  it('three rounds that agree: it looks faster, and the verdict says how often equal handlers do that', () => {
    const cmp = compareRounds(1, side('A', [100, 100, 100]), side('B', [103, 102, 105]), labels)
    assert.equal(cmp.chance, 0.25)
    assert.equal(
      cmp.verdict,
      'B looks faster than A: 3.0% more req/s (B/A 1.020–1.050 in every round), but two equal handlers agree in all 3 rounds 25% of the time: --rounds 6 or more to be sure',
    )
  })

  it("three rounds whose differences dwarf either side's own spread: a firm verdict", () => {
    const cmp = compareRounds(1, side('A', [30000, 30600, 30300]), side('B', [480, 490, 485]), labels)
    assert.equal(cmp.beyondSpread, true)
    assert.equal(
      cmp.verdict,
      "B is slower than A: 1/62.5 of A's req/s (B/A 0.016–0.016 in every round, each further from 1 than either side's spread across rounds, 2.1%)",
    )
    // A spread as large as the difference: still only 'looks'.
    const close = compareRounds(1, side('A', [100, 110, 104]), side('B', [95, 105, 99]), labels)
    assert.equal(close.beyondSpread, false)
    assert.match(close.verdict, /^B looks slower than A/)
  })

  it('a large gain is said as a multiple, not as "1469.4% more"', () => {
    const cmp = compareRounds(1, side('A', [1000, 1010, 990]), side('B', [15700, 15800, 15600]), labels)
    assert.match(cmp.verdict, /^B is faster than A: 15\.7× A's req\/s \(B\/A /)
  })

  it('six rounds that agree: a firm verdict', () => {
    const cmp = compareRounds(1, side('A', [100, 100, 100, 100, 100, 100]), side('B', [90, 95, 92, 91, 97, 93]), labels)
    assert.equal(cmp.chance, 2 / 64)
    assert.equal(cmp.verdict, 'B is slower than A: 7.5% fewer req/s (B/A 0.900–0.970 in every round)')
  })
})

// The undici generator unless a test says otherwise: it reports every status, wrk only errors.
const SHORT = ['-d', '1s', '-c', '4', '--warmup', '200ms', '-g', 'undici']

async function bench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'bench', ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  try {
    const code = await withDeadline(exited, 120_000, `hotcell bench ${args.join(' ')}`)
    return { code, stdout, stderr }
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL')
  }
}

const lines = (text: string) => text.split('\n').filter((line) => line !== '')

describe('hotcell bench', () => {
  it('--json prints one document with every figure and the machine; off a terminal, progress is one line per step on stderr', async () => {
    const { code, stdout, stderr } = await bench([fixture('bench-hello.ts'), ...SHORT, '-w', '1', '--json'])
    assert.equal(code, 0, stderr)
    assert.deepEqual(lines(stderr), [
      `hotcell bench: warming up A (${fixture('bench-hello.ts')}), 1 worker`,
      `hotcell bench: [1/1] A (${fixture('bench-hello.ts')}), 1 worker, round 1/1`,
    ])
    const doc = JSON.parse(stdout)
    assert.equal(doc.tool, 'hotcell bench')
    assert.equal(doc.machine.node, process.version)
    assert.equal(typeof doc.machine.cpu, 'string')
    assert.ok(doc.machine.cores >= 1)
    assert.equal(doc.generator.name, 'undici')
    assert.deepEqual(doc.settings, { connections: 4, durationMs: 1000, warmupMs: 200, rounds: 1, workers: [1], expectStatus: null, timeoutMs: 30_000 })
    // The check saw the worker answer ('worker', 6 bytes) the same way every time.
    assert.deepEqual(doc.checks, [{ target: 'A', entry: fixture('bench-hello.ts'), status: 200, bodyBytes: 6, bodyVaries: false }])
    assert.equal(doc.runs.length, 1)
    const { stats } = doc.runs[0]
    assert.ok(stats.requests > 0)
    assert.ok(stats.reqPerSec > 0)
    assert.ok(stats.durationS >= 0.9 && stats.durationS < 5, `duration ${stats.durationS}`)
    for (const key of ['mean', 'p50', 'p90', 'p99', 'max']) assert.ok(stats.latencyMs[key] > 0, key)
    assert.ok(stats.latencyMs.p50 <= stats.latencyMs.p99 && stats.latencyMs.p99 <= stats.latencyMs.max)
    assert.deepEqual(stats.statuses, { 200: stats.requests })
    assert.equal(stats.errors + stats.timeouts + stats.unexpected, 0)
    // Transfer counts whole responses, as read from the socket: the head as well as the 6-byte body.
    assert.ok(stats.bytesPerSec > stats.reqPerSec * 6, `${stats.bytesPerSec} bytes/s for ${stats.reqPerSec} requests/s`)
    assert.equal(doc.results[0].reqPerSec, stats.reqPerSec)
    assert.equal(doc.scaling, null)
    assert.equal(doc.compare, null)
    assert.equal(doc.failures, 0)
  })

  it("--json stdout is the document alone: the app's console output and hotcell's notices go to stderr", async () => {
    const { code, stdout, stderr } = await bench([fixture('bench-noisy.ts'), ...SHORT, '-w', '1', '--json'])
    assert.equal(code, 0, stderr)
    assert.equal(JSON.parse(stdout).tool, 'hotcell bench')
    assert.match(stderr, /handled \//)
    assert.match(stderr, /listening on 3000/)
  })

  it('Ctrl-C during a run: "interrupted; no report", exit 130, no report on stdout', async () => {
    const child = spawn(process.execPath, [BIN, 'bench', fixture('bench-hello.ts'), '-d', '60s', '-c', '4', '--warmup', '0', '-g', 'undici', '-w', '1'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    const running = new Promise<void>((resolve) =>
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString()
        if (stderr.includes('round 1/1')) resolve()
      }),
    )
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    try {
      await withDeadline(running, 30_000, 'the timed run to start')
      child.kill('SIGINT')
      assert.equal(await withDeadline(exited, 15_000, 'exit after Ctrl-C'), 130)
      assert.match(stderr, /hotcell bench: interrupted; no report\n$/)
      assert.equal(stdout, '')
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })

  it('--compare runs A and B interleaved, A B A B A B, and reports B/A per round', async () => {
    const { code, stdout, stderr } = await bench([fixture('bench-hello.ts'), '--compare', fixture('bench-b.ts'), ...SHORT, '-w', '1', '--json'])
    assert.equal(code, 0, stderr)
    const doc = JSON.parse(stdout)
    // Each side served its own entry: the bodies differ in length.
    assert.deepEqual(
      doc.checks.map((c: { target: string; bodyBytes: number }) => [c.target, c.bodyBytes]),
      [
        ['A', 6],
        ['B', 11],
      ],
    )
    const runs = [...doc.runs].sort((x, y) => Date.parse(x.startedAt) - Date.parse(y.startedAt))
    assert.deepEqual(
      runs.map((r) => `${r.target}${r.round}`),
      ['A1', 'B1', 'A2', 'B2', 'A3', 'B3'],
    )
    for (let i = 1; i < runs.length; i++) assert.ok(Date.parse(runs[i - 1].finishedAt) <= Date.parse(runs[i].startedAt), 'runs overlap')
    const [cmp] = doc.compare
    assert.equal(cmp.ratios.length, 3)
    const a = runs.filter((r) => r.target === 'A')
    const b = runs.filter((r) => r.target === 'B')
    for (const [i, ratio] of (cmp.ratios as number[]).entries()) assert.ok(Math.abs(ratio - b[i].stats.reqPerSec / a[i].stats.reqPerSec) < 1e-9)
    assert.equal(cmp.inconclusive, cmp.min <= 1 && cmp.max >= 1)
    // Three rounds that agree are agreed on by chance a quarter of the time: never a firm verdict.
    assert.equal(cmp.chance, cmp.inconclusive ? 1 : 0.25)
    assert.match(cmp.verdict, cmp.inconclusive ? /^inconclusive/ : /looks (faster|slower) than .* 25% of the time: --rounds 6 or more/)
  })

  it('--baseline runs the same handler inline on a main thread, hotcell in a worker', async () => {
    const { code, stdout, stderr } = await bench([fixture('bench-hello.ts'), ...SHORT, '-w', '1', '--baseline'])
    assert.equal(code, 0, stderr)
    assert.match(stdout, /check A \(.*bench-hello\.ts\): 200, 6 bytes/)
    assert.match(stdout, /check baseline \(.*inline on node:http\): 200, 4 bytes/)
    assert.match(stdout, /Cost of isolation/)
    assert.match(stdout, /1 worker: \d+\.\d\d× the baseline's req\/s, [\d.]+ µs (more|less) per request/)
    assert.ok(!stdout.includes('\r') && !stdout.includes('\u001b['), 'no progress line when stdout is not a terminal')
  })

  it('-w 1,2 prints a scaling table with speed-up, efficiency and bars', async () => {
    const { code, stdout, stderr } = await bench([fixture('bench-hello.ts'), ...SHORT, '-w', '1,2'])
    assert.equal(code, 0, stderr)
    assert.match(
      stdout,
      /Scaling of A across workers\n\s+workers\s+req\/s\s+speed-up\s+efficiency\n\s+1\s+[\d,]+\s+1\.00×\s+100%\s+█+\n\s+2\s+[\d,]+\s+\d+\.\d\d×\s+\d+%\s+█+/,
    )
  })

  it('refuses to time a route that answers 500 during the correctness check: one line, exit 1', async () => {
    const { code, stdout, stderr } = await bench([fixture('bench-500.ts'), ...SHORT, '-w', '1'])
    assert.equal(code, 1)
    assert.equal(stdout, '')
    assert.equal(lines(stderr).length, 1, stderr)
    assert.match(
      stderr,
      /^hotcell bench: A \(.*bench-500\.ts\), 1 worker: GET \/ answered 500 during the correctness check \(expected a 2xx status; use --expect-status if 500 is right\): database is down\n$/,
    )
  })

  it('--json and a failed check: a JSON document with the reason on stdout, so that `> result.json` is not left empty', async () => {
    const { code, stdout, stderr } = await bench([fixture('bench-500.ts'), ...SHORT, '-w', '1', '--json'])
    assert.equal(code, 1)
    const doc = JSON.parse(stdout)
    assert.equal(doc.tool, 'hotcell bench')
    assert.match(doc.error, /^A \(.*bench-500\.ts\), 1 worker: GET \/ answered 500 during the correctness check/)
    assert.deepEqual(doc.checks, [])
    assert.equal(stderr, `hotcell bench: ${doc.error}\n`)
  })

  it('an entry that does not build: the build error, then one line saying to fix it (not --expect-status), exit 1', async () => {
    const project = projectDir({ 'app.ts': 'export default { fetch: () => new Response("x") \n' })
    try {
      const { code, stdout, stderr } = await bench([join(project.dir, 'app.ts'), ...SHORT, '-w', '1'])
      assert.equal(code, 1)
      assert.equal(stdout, '')
      assert.match(stderr, /Expected "\}" but found end of file/)
      assert.match(
        lines(stderr).at(-1)!,
        /^hotcell bench: A \(.*app\.ts\), 1 worker: the app cannot be measured: Build failed \(the error is above\); fix it and run the bench again$/,
      )
      assert.doesNotMatch(stderr, /--expect-status/)
    } finally {
      project.remove()
    }
  })

  it('--expect-status makes the expected status pass the check', async () => {
    const { code, stdout, stderr } = await bench([fixture('bench-500.ts'), ...SHORT, '-w', '1', '--expect-status', '500', '--json'])
    assert.equal(code, 0, stderr)
    const doc = JSON.parse(stdout)
    assert.equal(doc.checks[0].status, 500)
    assert.ok(doc.runs[0].stats.requests > 0)
    assert.equal(doc.failures, 0)
  })

  it('bad input: one clear line, exit 1', async () => {
    const cases: [string[], RegExp][] = [
      [[fixture('bench-hello.ts'), '-d', '10x'], /--duration must be a time from 100ms to 60m such as 10s, 1500ms or 1m \(got "10x"\)/],
      [[fixture('bench-hello.ts'), '-d', '0s'], /--duration must be a time/],
      // 0 is accepted (no warm-up): the message for a bad value must not say that 100ms is the least.
      [[fixture('bench-hello.ts'), '--warmup', '50ms'], /--warmup must be 0 \(no warm-up\) or a time from 100ms to 60m such as/],
      [['no/such/app.ts', ...SHORT], /entry file not found: no\/such\/app\.ts/],
      [[], /missing the entry file/],
      [[fixture('bench-hello.ts'), '-w', '1,zero'], /--workers must be a whole number/],
      [[fixture('bench-hello.ts'), '--compare', fixture('bench-b.ts'), '--rounds', '2'], /at least 3 rounds/],
      [[fixture('bench-hello.ts'), '--compare', 'no/such/b.ts', ...SHORT], /entry file not found: no\/such\/b\.ts, named by --compare \(looked in /],
      [[fixture('bench-hello.ts'), '--nope'], /unknown option --nope/],
      [[fixture('bench-hello.ts'), '--generator', 'ab'], /--generator must be auto, wrk or undici \(got "ab"\)/],
    ]
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = await bench(args)
      assert.equal(code, 1, `${args.join(' ')}: ${stderr}`)
      assert.equal(stdout, '')
      assert.equal(lines(stderr).length, 1, stderr)
      assert.match(stderr, message)
      assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace')
    }
  })

  it('--fail-on-errors turns failed requests into exit 1; without it they are only reported', async () => {
    const args = [fixture('bench-flaky.ts'), ...SHORT, '-w', '1', '--json']
    const lenient = await bench(args)
    assert.equal(lenient.code, 0, lenient.stderr)
    const doc = JSON.parse(lenient.stdout)
    const { stats } = doc.runs[0]
    assert.ok(stats.unexpected > 0)
    assert.equal(stats.statuses['500'], stats.unexpected)
    assert.equal(doc.failures, stats.errors + stats.timeouts + stats.unexpected)

    const strict = await bench([...args, '--fail-on-errors'])
    assert.equal(strict.code, 1)
    assert.ok(JSON.parse(strict.stdout).failures > 0, 'the document is still printed')
    // The last line, after the progress lines.
    assert.match(
      lines(strict.stderr).at(-1)!,
      /^hotcell bench: \d+ requests failed, got an unexpected status or were still unanswered when a run ended \(--fail-on-errors\)$/,
    )
  })

  it('with wrk installed, the default generator is wrk; it counts unexpected statuses too', {
    skip: requires('/usr/bin/wrk', 'apt-get install wrk'),
  }, async () => {
    // auto picks wrk when it is installed.
    const ok = await bench([fixture('bench-hello.ts'), ...SHORT.slice(0, -2), '-w', '1', '--json'])
    assert.equal(ok.code, 0, ok.stderr)
    const doc = JSON.parse(ok.stdout)
    assert.equal(doc.generator.name, 'wrk')
    const { stats } = doc.runs[0]
    assert.ok(stats.requests > 0 && stats.reqPerSec > 0)
    assert.ok(stats.latencyMs.p50 > 0 && stats.latencyMs.p50 <= stats.latencyMs.p99)
    assert.ok(stats.bytesPerSec >= stats.reqPerSec * 6)
    assert.equal(stats.reqPerSecStdev, null, 'wrk gives no per-second samples')
    assert.equal(stats.statuses, null, 'wrk does not count each status: null, not an empty count')
    assert.equal(doc.failures, 0)

    // With --expect-status, a Lua response() hook in every wrk thread counts the misses.
    const flaky = await bench([fixture('bench-flaky.ts'), ...SHORT.slice(0, -2), '-w', '1', '--generator', 'wrk', '--expect-status', '200', '--json'])
    assert.equal(flaky.code, 0, flaky.stderr)
    assert.ok(JSON.parse(flaky.stdout).runs[0].stats.unexpected > 0)
  })
})
