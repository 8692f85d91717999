// What a bench server says about a handler that fails: the first report of
// each location in full, then a count, said once before the report. Real
// binary, real servers on 127.0.0.1, short runs; never speed.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { describe, it } from 'node:test'
import { BIN, fixture, ROOT, withDeadline } from './helpers.js'

const SHORT = ['-d', '1s', '-c', '4', '--warmup', '200ms', '-g', 'undici', '-w', '1']

/** `hotcell bench`, with stdout and stderr in one pipe, in the order they were written (both are synchronous pipes on Linux and macOS). */
async function bench(args: string[]): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, BIN, 'bench', ...args].map((word) => `'${word}'`).join(' ')
  const child = spawn('sh', ['-c', `${command} 2>&1`], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'inherit'] })
  let output = ''
  child.stdout.on('data', (c: Buffer) => (output += c.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  try {
    const code = await withDeadline(exited, 120_000, `hotcell bench ${args.join(' ')}`)
    return { code, output }
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL')
  }
}

const count = (text: string, part: string) => text.split(part).length - 1

describe('hotcell bench: a handler that fails', () => {
  it('throwing on every 4th request, with a new message each time: one full report, then one count before the report', async () => {
    const { code, output } = await bench([fixture('bench-throws.ts'), ...SHORT])
    assert.equal(code, 0, output)
    // Hundreds of throws in a 1 s run; each used to print its own report.
    assert.equal(count(output, '500 The handler threw an error'), 1, output)
    assert.equal(count(output, 'Error: boom '), 1, output)
    assert.match(output, /^test\/fixtures\/bench-throws\.ts:6:\d+$/m, 'the first report has its code frame')
    const lines = output.split('\n').filter((line) => line !== '')
    const summary = lines.findIndex((line) =>
      /^hotcell bench: test\/fixtures\/bench-throws\.ts:6:\d+ threw [\d,]+ times during the timed runs( and [\d,]+ more in the warm-up and checks)? \(first report above\)$/.test(
        line,
      ),
    )
    assert.ok(summary !== -1, output)
    const times = Number(/threw ([\d,]+) times/.exec(lines[summary]!)![1]!.replaceAll(',', ''))
    assert.ok(times > 1, lines[summary])
    // Before the report, whose verdict stays the last line.
    const report = lines.findIndex((line) => line.startsWith('hotcell bench GET /:'))
    assert.ok(report > summary, output)
    assert.deepEqual(
      lines.slice(report).filter((line) => line.startsWith('hotcell bench: ')),
      [],
      "nothing of the bench's own on stderr after the report starts",
    )
  })

  it("the count of throws is the timed runs' (what the table counts), the warm-up's said apart", async () => {
    const command = [process.execPath, BIN, 'bench', fixture('bench-throws.ts'), ...SHORT, '--json'].map((word) => `'${word}'`).join(' ')
    const child = spawn('sh', ['-c', command], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    try {
      assert.equal(await withDeadline(new Promise<number | null>((resolve) => child.once('exit', resolve)), 120_000, 'hotcell bench --json'), 0, stderr)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
    const table = (JSON.parse(stdout) as { results: { unexpected: number }[] }).results[0]!.unexpected
    const line = /threw ([\d,]+) times during the timed runs and ([\d,]+) more in the warm-up and checks/.exec(stderr)
    assert.ok(line, stderr)
    const [timed, untimed] = [line[1]!, line[2]!].map((n) => Number(n.replaceAll(',', '')))
    assert.ok(untimed! > 0, 'the warm-up threw too')
    // The table leaves out what was in flight at a run's end (as wrk does): at most one request per connection (-c 4).
    assert.ok(table <= timed! && timed! <= table + 4, `${timed} throws during the timed runs, ${table} unexpected in the table`)
  })

  it('throwing on every request: the correctness check stops the bench as before, after the one report', async () => {
    const { code, output } = await bench([fixture('bench-always-throws.ts'), ...SHORT])
    assert.equal(code, 1, output)
    assert.equal(count(output, '500 The handler threw an error\n\nError: database is down'), 1, output)
    assert.doesNotMatch(output, /times during the timed runs|in the warm-up and checks/)
    const lines = output.split('\n').filter((line) => line !== '')
    assert.match(
      lines.at(-1)!,
      /^hotcell bench: A \(.*bench-always-throws\.ts\), 1 worker: GET \/ answered 500 during the correctness check \(expected a 2xx status; use --expect-status if 500 is right\): 500 The handler threw an error$/,
    )
  })
})
