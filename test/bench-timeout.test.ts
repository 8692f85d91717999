// hotcell bench --timeout: a handler that never answers. The bench takes the
// limit as `hotcell --timeout` does, gives it to the server it starts and to
// its correctness check, says it is waiting, and its own verdict comes last,
// with advice that names only flags `hotcell bench` accepts.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { BENCH_FLAGS } from '../src/bench-command/options.js'
import { projectDir, runCli } from './helpers.js'

const project = projectDir({
  'app.ts': `export default {
  fetch(request: Request): Response | Promise<Response> {
    if (new URL(request.url).pathname === '/hang') return new Promise(() => {})
    return new Response('ok')
  },
}
`,
})
after(() => project.remove())
const entry = join(project.dir, 'app.ts')
const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '')

/** Every --flag a text names that `hotcell bench` would reject. */
function rejectedFlags(text: string): string[] {
  const known = new Set(BENCH_FLAGS.map((flag) => flag.name))
  return [...text.matchAll(/(?<![\w-])--([a-z][a-z-]*)/g)].map((m) => m[1]!).filter((name) => !known.has(name))
}

describe('hotcell bench --timeout', () => {
  it('a route that never answers: a waiting line, the server 504 report, then the verdict last, naming only accepted flags', async () => {
    // 3 s: past the 2 s after which the check says it is waiting (both clocks are timers of the bench process, so the order is fixed).
    const { code, stdout, stderr } = await runCli(['bench', entry, '--path', '/hang', '-d', '1s', '-c', '1', '-w', '1', '-g', 'undici', '--timeout', '3s'])
    assert.equal(code, 1, stderr)
    assert.equal(stdout, '')
    const out = lines(stderr)
    const waiting = out.findIndex((line) =>
      /^hotcell bench: checking GET \/hang on A \(.*app\.ts\), 1 worker … \(waiting for the first answer, limit 3 s\)$/.test(line),
    )
    const report = out.findIndex((line) => /504 The handler did not respond within 3 s/.test(line))
    assert.ok(waiting >= 0, `no waiting line:\n${stderr}`)
    assert.ok(report > waiting, `the server's 504 report (the limit reached the server) after the waiting line:\n${stderr}`)
    assert.match(
      out.at(-1)!,
      /^hotcell bench: A \(.*app\.ts\), 1 worker: GET \/hang did not answer within 3 s \(--timeout\) during the correctness check; the server's report is above\. If it is meant to take this long, raise the limit, e.g\. --timeout 60s$/,
    )
    assert.deepEqual(rejectedFlags(stderr), [], stderr)
  })

  it('is read as hotcell --timeout reads it: same message for a bad value, documented in --help', async () => {
    const served = await runCli([join(project.dir, 'app.ts'), '--timeout', '10x'])
    const benched = await runCli(['bench', entry, '--timeout', '10x'])
    assert.equal(served.code, 1)
    assert.equal(benched.code, 1)
    const message = served.stderr.replace(/^hotcell: /, '').trim()
    assert.match(message, /^--timeout must be a time/)
    assert.equal(benched.stderr, `hotcell bench: ${message}\n`)

    const help = await runCli(['bench', '--help'])
    assert.match(help.stdout, /--timeout <time>\s+.*504/)
    assert.match(help.stdout, /\(default: 30s\)/)
  })
})
