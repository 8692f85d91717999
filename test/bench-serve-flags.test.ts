// hotcell bench and the serve options that change what a request gets: a body
// over 10 MiB, a Host that is not a loopback name. The bench takes
// --body-limit and --allowed-hosts as `hotcell` does (its flag table, its
// messages), and the config file's bodyLimit and allowedHosts; when hotcell
// refuses such a request, the advice names the flag that lets it through.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { BENCH_FLAGS } from '../src/bench-command/options.js'
import { projectDir, runCli } from './helpers.js'

const project = projectDir({
  'app.ts': "export default { async fetch(request: Request) { return new Response('got ' + (await request.arrayBuffer()).byteLength) } }\n",
})
after(() => project.remove())
// Over serve's default limit (10mb = 10,485,760 bytes).
writeFileSync(join(project.dir, 'body.bin'), Buffer.alloc(11_000_000))
const SHORT = ['-d', '1s', '-c', '2', '-w', '1', '--warmup', '0', '-g', 'undici']
const BIG = ['-m', 'POST', '--body-file', 'body.bin']
const HOST = ['--header', 'Host: api.myapp.test']

async function bench(args: string[], cwd = project.dir) {
  return runCli(['bench', 'app.ts', ...SHORT, ...args], { cwd })
}

/** The check's statuses and the timed run's, from --json. */
function answered(stdout: string): { checks: number[]; statuses: string[]; unexpected: number } {
  const doc = JSON.parse(stdout)
  return { checks: doc.checks.map((c: { status: number }) => c.status), statuses: Object.keys(doc.runs[0].stats.statuses), unexpected: doc.failures }
}

describe('hotcell bench: serve options that change what a request gets', () => {
  it('an 11 MB body: 413 with advice naming --body-limit; with --body-limit 20mb, 200s', async () => {
    const refused = await bench(BIG)
    assert.equal(refused.code, 1)
    assert.match(
      refused.stderr.trim().split('\n').at(-1)!,
      /^hotcell bench: A \(app\.ts\), 1 worker: POST \/ answered 413 during the correctness check: the 11,000,000-byte body is over hotcell's body limit\. Raise it with --body-limit \(e\.g\. --body-limit 11mb\)/,
    )
    const raised = await bench([...BIG, '--body-limit', '20mb', '--json'])
    assert.equal(raised.code, 0, raised.stderr)
    assert.deepEqual(answered(raised.stdout), { checks: [200], statuses: ['200'], unexpected: 0 })
  })

  it('a Host header: 403 with advice naming --allowed-hosts; with --allowed-hosts, 200s', async () => {
    const refused = await bench(HOST)
    assert.equal(refused.code, 1)
    assert.match(
      refused.stderr.trim().split('\n').at(-1)!,
      /^hotcell bench: A \(app\.ts\), 1 worker: GET \/ answered 403 during the correctness check: hotcell refused the host "api\.myapp\.test" \(DNS-rebinding protection\)\. Allow it with --allowed-hosts api\.myapp\.test/,
    )
    const allowed = await bench([...HOST, '--allowed-hosts', 'api.myapp.test', '--json'])
    assert.equal(allowed.code, 0, allowed.stderr)
    assert.deepEqual(answered(allowed.stdout), { checks: [200], statuses: ['200'], unexpected: 0 })
  })

  it("honours the config file's bodyLimit and allowedHosts, as hotcell does", async () => {
    const configured = projectDir({
      'app.ts': "export default { async fetch(request: Request) { return new Response('got ' + (await request.arrayBuffer()).byteLength) } }\n",
      'hotcell.config.mjs': "export default { entry: 'app.ts', bodyLimit: '20mb', allowedHosts: ['api.myapp.test'] }\n",
    })
    try {
      writeFileSync(join(configured.dir, 'body.bin'), Buffer.alloc(11_000_000))
      const { code, stdout, stderr } = await bench([...BIG, ...HOST, '--json'], configured.dir)
      assert.equal(code, 0, stderr)
      assert.deepEqual(answered(stdout), { checks: [200], statuses: ['200'], unexpected: 0 })
    } finally {
      configured.remove()
    }
  })

  it("bad values get serve's one-line message; --help documents the flags", async () => {
    for (const flag of [
      ['--body-limit', '20xb'],
      ['--allowed-hosts', 'a b'],
    ]) {
      const served = await runCli(['app.ts', ...flag], { cwd: project.dir })
      const benched = await runCli(['bench', 'app.ts', ...flag], { cwd: project.dir })
      assert.equal(served.code, 1)
      assert.equal(benched.code, 1)
      const message = served.stderr.replace(/^hotcell: /, '').trim()
      assert.match(message, new RegExp(`^${flag[0]} must be`))
      assert.equal(benched.stderr, `hotcell bench: ${message}\n`)
    }
    const help = await runCli(['bench', '--help'])
    assert.match(help.stdout, /--body-limit <size>\s+larger request bodies get 413\s+\(default: 10mb\)/)
    assert.match(help.stdout, /--allowed-hosts <l>\s+extra Host names/)
    const names = BENCH_FLAGS.map((flag) => flag.name)
    assert.ok(names.includes('body-limit') && names.includes('allowed-hosts'), names.join(' '))
  })
})
