// bench() from code: the command's session (real servers on 127.0.0.1, real
// workers, the undici generator in a worker thread), its document as data,
// its mistakes as HotcellErrors, and nothing printed unless `log` asks.
// Short runs; these check shape and counts, never speed.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { bench, HotcellError, type BenchResult, type LogEntry } from '../src/index.js'
import { cleanup, fixture, projectDir, rejectsEach, withDeadline } from './helpers.js'
import { join } from 'node:path'

const SHORT = { duration: 500, warmup: 0, connections: 2, workers: 1, generator: 'undici' } as const

/** What this process writes on stdout and stderr while `run` runs (they still reach the terminal). */
async function written<T>(run: () => Promise<T>): Promise<{ value: T; text: string }> {
  let text = ''
  const own = { out: process.stdout.write, err: process.stderr.write }
  const tap = (write: typeof process.stdout.write) =>
    ((chunk: string | Uint8Array, ...rest: never[]) => {
      text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()
      return write.call(process.stdout, chunk, ...rest)
    }) as typeof process.stdout.write
  process.stdout.write = tap(own.out)
  process.stderr.write = tap(own.err)
  try {
    return { value: await run(), text }
  } finally {
    process.stdout.write = own.out
    process.stderr.write = own.err
  }
}

describe('bench()', () => {
  test('A against B with the baseline: the document --json prints, every run counted, nothing printed', async () => {
    const { value: result, text } = await written(() =>
      withDeadline(bench({ entry: fixture('bench-hello.ts'), compare: fixture('bench-b.ts'), baseline: true, ...SHORT }), 120_000, 'bench()'),
    )
    const doc: BenchResult = result
    assert.equal(doc.tool, 'hotcell bench')
    assert.equal(doc.generator.name, 'undici')
    assert.deepEqual(doc.settings, { connections: 2, durationMs: 500, warmupMs: 0, rounds: 3, workers: [1], expectStatus: null, timeoutMs: 30_000 })
    assert.deepEqual(
      doc.checks.map((c) => [c.target, c.status, c.bodyBytes]),
      [
        ['A', 200, 'worker'.length],
        ['B', 200, 'b-side-body'.length],
        ['baseline', 200, 'main'.length],
      ],
    )
    // 3 rounds of A, B and the baseline, interleaved; each made requests and counted them.
    assert.deepEqual(
      doc.runs.map((r) => `${r.round}${r.target}`),
      ['1A', '1B', '1baseline', '2A', '2B', '2baseline', '3A', '3B', '3baseline'],
    )
    for (const run of doc.runs) {
      assert.ok(run.stats.requests > 0, `${run.target} round ${run.round} counted no request`)
      assert.equal(run.stats.statuses?.['200'], run.stats.requests)
    }
    assert.deepEqual(
      doc.results.map((r) => [r.target, r.rounds, r.responses > 0]),
      [
        ['A', 3, true],
        ['B', 3, true],
        ['baseline', 3, true],
      ],
    )
    assert.equal(doc.compare?.length, 1)
    assert.equal(doc.compare[0]!.ratios.length, 3)
    assert.equal(typeof doc.compare[0]!.verdict, 'string')
    assert.equal(doc.baseline?.comparisons.length, 1)
    assert.equal(doc.failures, 0)
    // It is data: what --json prints is this, as JSON.
    assert.deepEqual(JSON.parse(JSON.stringify(doc)).runs.length, 9)
    assert.doesNotMatch(text, /hotcell/, 'bench() printed')
  })

  test('log: a function gets the lines the command prints on stderr', async () => {
    const entries: LogEntry[] = []
    const { text } = await written(() =>
      withDeadline(bench({ entry: fixture('bench-throws.ts'), ...SHORT, warmup: 200, log: (entry) => entries.push(entry) }), 120_000, 'bench()'),
    )
    assert.doesNotMatch(text, /hotcell|The handler threw/, 'printed although log is a function')
    const lines = entries.map((e) => `${e.level}: ${e.text}`)
    assert.ok(lines.includes('info: hotcell bench: [1/1] A (' + fixture('bench-throws.ts') + '), 1 worker, round 1/1'), lines.join('\n'))
    // The server's first report of the throw, then the count, as on the command line.
    assert.ok(
      entries.some((e) => e.level === 'error' && e.text.includes('500 The handler threw an error')),
      lines.join('\n'),
    )
    assert.ok(
      lines.some((line) => /^warn: hotcell bench: .*bench-throws\.ts:6:\d+ threw [\d,]+ times during the /.test(line)),
      lines.join('\n'),
    )
  })

  test('a route that fails the check: a HotcellError (ERR_BENCH), the process goes on, the throw not printed', async () => {
    const { text } = await written(async () => {
      await assert.rejects(bench({ entry: fixture('bench-always-throws.ts'), ...SHORT }), (error: unknown) => {
        assert.ok(error instanceof HotcellError)
        assert.equal(error.code, 'ERR_BENCH')
        assert.match(error.message, /answered 500 during the correctness check/)
        return true
      })
    })
    assert.doesNotMatch(text, /hotcell|database is down/)
  })

  test('bad options: a HotcellError naming the option, before any server starts', async () => {
    const entry = fixture('bench-hello.ts')
    const cases: [object, string, RegExp][] = [
      [{ entry, connections: 0 }, 'ERR_INVALID_OPTION', /^connections must be a whole number from 1 to 10000 \(got 0\)$/],
      [{ entry, connections: null }, 'ERR_INVALID_OPTION', /^connections is null: leave it out \(or undefined\) for its default$/],
      [{ entry, compare: null }, 'ERR_INVALID_OPTION', /^compare is null: leave it out \(or undefined\) for its default$/],
      [{ entry, duraton: '1s' }, 'ERR_INVALID_OPTION', /^unknown option "duraton" \(did you mean "duration"\?\)$/],
      [{ entry, duration: 5 }, 'ERR_INVALID_OPTION', /^duration must be a time from 100ms to 60m/],
      [{ entry, compare: entry, rounds: 2 }, 'ERR_INVALID_OPTION', /^compare needs at least 3 rounds/],
      [{ entry, path: 'users' }, 'ERR_INVALID_OPTION', /^path must start with \//],
      [{ entry, headers: { 'bad name': 'x' } }, 'ERR_INVALID_OPTION', /^headers: "bad name" must be a header name/],
      [{ entry, workers: [1, 0] }, 'ERR_INVALID_OPTION', /^workers must be a whole number from 1 to 64/],
      [{ entry, bodyLimit: 'lots' }, 'ERR_INVALID_OPTION', /^bodyLimit /],
      [{ entry, log: true }, 'ERR_INVALID_OPTION', /^log must be false/],
      [{ entry: fixture('no-such-app.ts') }, 'ERR_ENTRY_NOT_FOUND', /^entry file not found/],
    ]
    await rejectsEach((options) => bench(options as Parameters<typeof bench>[0]), cases)
  })
})

// Last: the test runner reports each test on stdout, which the tests above read while bench() runs.
describe('bench() options', () => {
  test('loaders: an app importing an .svg as text is measured, on hotcell and on the baseline', async () => {
    const project = projectDir({
      'logo.svg': '<svg/>',
      'app.ts': "import logo from './logo.svg'\nexport default { fetch: () => new Response(logo) }\n",
    })
    cleanup(project.remove)
    const doc = await withDeadline(
      bench({ entry: join(project.dir, 'app.ts'), baseline: true, loaders: { '.svg': 'text' }, ...SHORT, rounds: 1 }),
      120_000,
      'bench() with loaders',
    )
    assert.deepEqual(
      doc.checks.map((c) => [c.target, c.status, c.bodyBytes]),
      [
        ['A', 200, '<svg/>'.length],
        ['baseline', 200, '<svg/>'.length],
      ],
    )
  })
})
