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
      /^hotcell bench: test\/fixtures\/bench-throws\.ts:6:\d+ threw [\d,]+ times during the run \(first report above\)$/.test(line),
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

  it('throwing on every request: the correctness check stops the bench as before, after the one report', async () => {
    const { code, output } = await bench([fixture('bench-always-throws.ts'), ...SHORT])
    assert.equal(code, 1, output)
    assert.equal(count(output, '500 The handler threw an error\n\nError: database is down'), 1, output)
    assert.doesNotMatch(output, /times during the run/)
    const lines = output.split('\n').filter((line) => line !== '')
    assert.match(
      lines.at(-1)!,
      /^hotcell bench: A \(.*bench-always-throws\.ts\), 1 worker: GET \/ answered 500 during the correctness check \(expected a 2xx status; use --expect-status if 500 is right\): 500 The handler threw an error$/,
    )
  })
})
