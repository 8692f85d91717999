// The command line as a user meets it: the real binary in a child process,
// and main(args) in process where a child process adds nothing.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { describe, test } from 'node:test'
import { BIN, cleanup, fixture, personsSecondCtrlC, projectDir, request, runCli, runMain, startCli, waitFor, withDeadline } from './helpers.js'

const echo = fixture('echo.ts')

describe('hotcell CLI', () => {
  test('--help lists every flag with its default, --version prints the version', async () => {
    const help = await runCli(['--help'])
    assert.equal(help.code, 0)
    for (const flag of ['--port', '--host', '--workers', '--body-limit', '--quiet', '--version']) assert.match(help.stdout, new RegExp(flag))
    assert.match(help.stdout, /default: \$PORT or 3000/)
    const version = await runCli(['--version'])
    assert.equal(version.code, 0)
    assert.match(version.stdout, /^hotcell \d+\.\d+\.\d+\n$/)
    // The bench command's too (a trial's `hotcell bench --version` was an unknown option).
    for (const flag of ['--version', '-v']) {
      const bench = await runCli(['bench', flag])
      assert.deepEqual([bench.code, bench.stdout, bench.stderr], [0, version.stdout, ''])
    }
  })

  test('a user mistake from the real binary: one line on stderr, exit 1, no stack trace', async () => {
    const run = await runCli([echo, '--frobnicate'])
    assert.equal(run.code, 1)
    assert.equal(run.stderr, 'hotcell: unknown option --frobnicate. Run hotcell --help to see the options.\n')
  })

  // In process: spawning the binary adds nothing to what these check.
  for (const [name, args, expected] of [
    ['a mistyped flag', [echo, '--prot', '80'], /unknown option --prot\. Did you mean --port\?/],
    ['a missing entry file', ['does/not/exist.ts'], /entry file not found: does\/not\/exist\.ts/],
    ['an entry named without its extension', [echo.slice(0, -3)], /entry file not found: .*echo \(looked in .*\)\. Did you mean .*echo\.ts\?$/m],
    ['an entry named .js for a .ts file', [`${echo.slice(0, -3)}.js`], /entry file not found: .*echo\.js \(looked in .*\)\. Did you mean .*echo\.ts\?$/m],
    ['a mistyped entry name', [echo.replace(/echo\.ts$/, 'ecoh.ts')], /entry file not found: .*ecoh\.ts \(looked in .*\)\. Did you mean .*echo\.ts\?$/m],
    ['no entry at all', [], /missing the entry file/],
    ['a --watch path that does not exist', [echo, '--watch', 'nope'], /--watch path not found: nope \(looked in .*\)$/m],
    ['a folder as the entry', ['examples/hello'], /entry must be a file, but examples\/hello is a folder\. Did you mean examples\/hello\/app\.ts\?$/m],
    [
      'a file that is not a module',
      ['package.json'],
      /entry must be a TypeScript or JavaScript module \(\.ts, .*\) that exports your handler, but package\.json is not one/,
    ],
    ['a mistyped command', ['benchh', echo], /unknown command "benchh": did you mean hotcell bench .*echo\.ts\?/],
    ['two entry files', [echo, echo], /expected one entry file, got 2/],
    ['a port that is not a number', [echo, '--port', 'eighty'], /--port must be a whole number from 0 to 65535/],
    ['a flag without its value', [echo, '--port'], /--port.* needs a value/],
    ['a bad body limit', [echo, '--body-limit', 'lots'], /--body-limit must be a size/],
    ['a bad worker count', [echo, '-w', '0'], /--workers must be a whole number from 1 to 64/],
    ['a negative number after a short flag', [echo, '-w', '-2'], /--workers must be a whole number from 1 to 64 \(got "-2"\)/],
  ] as const) {
    test(`${name}: one clear line, exit 1, no stack trace`, async () => {
      const run = await runMain([...args])
      assert.equal(run.code, 1)
      assert.match(run.stderr, expected)
      assert.equal(run.stderr.trim().split('\n').length, 1, `more than one line:\n${run.stderr}`)
      assert.doesNotMatch(run.stderr, /\n\s+at /)
    })
  }

  test('a port in use: one clear line, exit 1', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as { port: number }).port
    try {
      const run = await runCli([echo, '--port', String(port)])
      assert.equal(run.code, 1)
      assert.match(run.stderr, new RegExp(`port ${port} is already in use on 127\\.0\\.0\\.1`))
      assert.equal(run.stderr.trim().split('\n').length, 1)
    } finally {
      blocker.close()
    }
  })

  test('a port in use or a host not of this machine: the message says where to change it, as the user set it', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as { port: number }).port
    const project = projectDir({ 'app.ts': 'export default { fetch: () => new Response("ok") }\n' })
    try {
      const fromEnv = await runCli(['app.ts'], { cwd: project.dir, env: { PORT: String(port) } })
      assert.equal(fromEnv.code, 1)
      assert.match(
        fromEnv.stderr,
        new RegExp(
          `port ${port} is already in use on 127\\.0\\.0\\.1\\. Stop the other server, or choose another port \\(0 for a free one\\) with the PORT variable\\.\\n$`,
        ),
      )
      // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this machine.
      const host = await runCli(['app.ts', '--port', '0', '--host', '192.0.2.1'], { cwd: project.dir })
      assert.equal(host.code, 1)
      assert.match(
        host.stderr,
        /cannot listen on 192\.0\.2\.1: it is not an address of this machine\. Set --host to 127\.0\.0\.1, or to 0\.0\.0\.0 for every interface\.\n$/,
      )

      project.write('hotcell.config.ts', `export default { entry: 'app.ts', port: ${port} }\n`)
      const fromFile = await runCli([], { cwd: project.dir })
      assert.equal(fromFile.code, 1)
      assert.match(fromFile.stderr, /choose another port \(0 for a free one\) with port in hotcell\.config\.ts\.\n$/)
      // A flag beats the file, and the message names the flag.
      const flag = await runCli(['--port', String(port)], { cwd: project.dir })
      assert.match(flag.stderr, /choose another port \(0 for a free one\) with --port\.\n$/)
    } finally {
      blocker.close()
      project.remove()
    }
  })

  test('prints a ready line with the URL, honours PORT, logs one line per request', async () => {
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as { port: number }).port
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    const cli = await startCli([echo, '-w', '1'], { env: { PORT: String(port) } })
    try {
      assert.equal(cli.url, `http://127.0.0.1:${port}`)
      assert.equal((await request(`${cli.url}/cookies`)).status, 201)
      const line = await waitFor(
        () => /^\d{1,2}:\d{2}:\d{2}(?:\s?[AP]M)? GET \/cookies 201 \d+\.\dms w\d+$/m.exec(cli.output())?.[0],
        5000,
        'the request log line',
      )
      assert.ok(line)
    } finally {
      assert.equal(await cli.stop(), 0)
    }
  })

  test('--quiet leaves out the request log', async () => {
    const cli = await startCli([echo, '-p', '0', '-w', '1', '--quiet'])
    try {
      assert.equal((await request(`${cli.url}/cookies`)).status, 201)
      assert.equal((await request(`${cli.url}/status?code=204`)).status, 204)
    } finally {
      assert.equal(await cli.stop(), 0)
    }
    assert.doesNotMatch(cli.output(), /GET \/cookies/)
  })

  test('node --expose-gc running the command: the app still gets no gc global', async () => {
    // settle-heap.ts takes the server's gc global and clears it; the worker clears its own before the app runs.
    const project = projectDir({ 'app.ts': `export default { fetch: () => Response.json({ gc: typeof (globalThis as { gc?: unknown }).gc }) }\n` })
    const cli = await startCli([`${project.dir}/app.ts`, '-p', '0', '-w', '1', '--quiet'], { env: { NODE_OPTIONS: '--expose-gc' } })
    try {
      assert.deepEqual(JSON.parse((await request(cli.url)).text), { gc: 'undefined' })
    } finally {
      assert.equal(await cli.stop(), 0)
      project.remove()
    }
  })

  test('SIGINT lets a request in flight finish, then exits 0', async () => {
    const cli = await startCli([echo, '-p', '0', '-w', '1', '--quiet'])
    const slow = request(`${cli.url}/slow?ms=1000`)
    await waitFor(() => cli.child.pid, 1000, 'pid')
    await new Promise((r) => setTimeout(r, 200)) // the request is now in the worker
    const code = cli.stop('SIGINT')
    const res = await slow
    assert.equal(res.status, 200)
    assert.equal(res.text, 'slow done')
    assert.equal(await code, 0)
  })

  test('one SIGINT delivered twice (a wrapper passing it on to the process group it also reaches) still lets a request in flight finish', async () => {
    const cli = await startCli([echo, '-p', '0', '-w', '1', '--quiet'])
    const slow = request(`${cli.url}/slow?ms=1000`)
    await new Promise((r) => setTimeout(r, 200)) // the request is now in the worker
    // As coreutils timeout does: the group's signal, and its own copy a moment later (apart, so that they do not merge into one).
    cli.child.kill('SIGINT')
    await new Promise((r) => setTimeout(r, 10))
    const code = cli.stop('SIGINT')
    const res = await slow
    assert.equal(res.status, 200)
    assert.equal(res.text, 'slow done')
    assert.equal(await code, 0, cli.output())
  })

  test('a reader that goes away (hotcell … | head -1) does not stop the server', async () => {
    const cli = spawn(process.execPath, [BIN, echo, '-p', '0', '-w', '1'], { stdio: ['ignore', 'pipe', 'pipe'] })
    cleanup(() => cli.kill('SIGKILL'))
    let output = ''
    cli.stdout.on('data', (c: Buffer) => (output += c.toString()))
    const url = await waitFor(() => /ready on (http:\/\/\S+)/.exec(output)?.[1], 15_000, 'the ready line')
    // The only read end of its stdout closes, as when `head -1` exits: each request's log line now fails with EPIPE.
    cli.stdout.destroy()
    for (let i = 0; i < 3; i++) assert.equal((await request(`${url}/echo`)).status, 200)
    assert.equal(cli.exitCode, null, 'hotcell is still running')
  })

  test('a second SIGINT exits at once without waiting for requests', async () => {
    const cli = await startCli([echo, '-p', '0', '-w', '1', '--quiet'])
    const slow = request(`${cli.url}/slow?ms=20000`, { timeoutMs: 30_000 }).catch((error: Error) => error)
    await new Promise((r) => setTimeout(r, 300))
    cli.child.kill('SIGINT')
    await waitFor(() => /shutting down/.test(cli.output()), 5000, 'the shutdown message')
    // What it waits for, not "requests in flight" alone: an app's cleanup listener that never finishes holds it 2 s with none.
    assert.match(
      cli.output(),
      /shutting down \(requests in flight and ctx\.waitUntil\(\) work get up to 5 s, then the app's SIG(INT|TERM) listeners up to 2 s; Ctrl-C again to stop now\)/,
    )
    await personsSecondCtrlC()
    cli.child.kill('SIGINT')
    assert.equal(await withDeadline(cli.exited, 5000, 'exit after the second SIGINT'), 130)
    assert.ok((await slow) instanceof Error, 'the 20 s request should have been cut')
  })
})
