// Command-line and config details a new user runs into: times with units,
// one watch path as a string, messages that quote what the user wrote, and
// the next free port when the default one is taken.
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { parseTime } from '../src/config/duration.js'
import { serve } from '../src/index.js'
import { fixture, projectDir, request, runCli, startCli, waitFor } from './helpers.js'

const cleanups: (() => unknown)[] = []
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
})

const HANG = `export default {
  async fetch(request: Request) {
    if (new URL(request.url).pathname === '/hang') await new Promise(() => {})
    return new Response('ok')
  },
}
`

describe('times', () => {
  test('5s, 1500ms, 1m, 0.5s and a bare number in the option’s own unit', () => {
    const timeout = { bare: 'ms', minMs: 1, maxMs: 2 ** 31 - 1 } as const
    assert.equal(parseTime('5s', '--timeout', timeout), 5000)
    assert.equal(parseTime('1500ms', '--timeout', timeout), 1500)
    assert.equal(parseTime('1m', '--timeout', timeout), 60_000)
    assert.equal(parseTime('0.5s', '--timeout', timeout), 500)
    assert.equal(parseTime('2500', '--timeout', timeout), 2500)
    assert.equal(parseTime(2500, 'timeout', timeout), 2500)
    assert.equal(parseTime('3', '--duration', { bare: 's', minMs: 100, maxMs: 3_600_000 }), 3000)
    assert.throws(
      () => parseTime('5x', '--timeout', timeout),
      /^HotcellError: --timeout must be a time from 1ms to \d+ms such as 10s, 1500ms or 1m \(got "5x"\)$/,
    )
    assert.throws(() => parseTime('0', '--timeout', timeout), /--timeout must be a time/)
    // `--timeout 2` is seconds meant, far more often than 2 ms: said, with both spellings.
    assert.throws(
      () => parseTime('2', '--timeout', timeout),
      /^HotcellError: --timeout 2 would be 2 ms: a number without a unit is milliseconds\. Write 2s for seconds, or 2ms if milliseconds are meant$/,
    )
    assert.equal(parseTime('2ms', '--timeout', timeout), 2)
    assert.equal(parseTime('100', '--timeout', timeout), 100)
    // A number in a config file or serve() is the same slip; there the fix is a string.
    assert.throws(
      () => parseTime(2, 'timeout', timeout),
      /^HotcellError: timeout 2 would be 2 ms: a number without a unit is milliseconds\. Write '2s' for seconds, or '2ms' if milliseconds are meant$/,
    )
    assert.equal(parseTime(100, 'timeout', timeout), 100)
  })

  test('serve({ timeout: 5 }) is refused as --timeout 5 is, naming the option', async () => {
    const started = serve({ entry: fixture('counter.ts'), port: 0, workers: 1, quiet: true, timeout: 5 })
    await assert.rejects(
      started.then((server) => server.close()),
      { name: 'HotcellError', code: 'ERR_INVALID_OPTION', message: /^timeout 5 would be 5 ms: .* Write '5s' for seconds, or '5ms' if milliseconds are meant$/ },
    )
  })

  test('an option given as null is refused, not read as its default; undefined is the default', async () => {
    const started = serve({ entry: fixture('counter.ts'), port: null as unknown as number, workers: 1, quiet: true })
    await assert.rejects(
      started.then((server) => server.close()),
      {
        name: 'HotcellError',
        code: 'ERR_INVALID_OPTION',
        message: 'port is null: leave it out (or undefined) for its default',
      },
    )
    const server = await serve({ entry: fixture('counter.ts'), port: 0, workers: undefined, timeout: undefined, quiet: true })
    try {
      assert.equal((await request(`${server.url}/`)).status, 200)
    } finally {
      await server.close()
    }
    // A config file's null is named after the file, as its other mistakes are.
    const project = projectDir({ 'app.ts': HANG, 'hotcell.config.ts': 'export default { workers: null }\n' })
    cleanups.push(project.remove)
    const cli = await runCli(['app.ts', '--port', '0'], { cwd: project.dir })
    assert.equal(cli.code, 1)
    assert.equal(cli.stderr, 'hotcell: hotcell.config.ts: workers is null: leave it out (or undefined) for its default\n')
  })

  test('--timeout 1s: a request that hangs gets its 504 after a second', async () => {
    const project = projectDir({ 'app.ts': HANG })
    cleanups.push(project.remove)
    const cli = await startCli(['app.ts', '--port', '0', '--workers', '1', '--timeout', '1s'], { cwd: project.dir })
    cleanups.push(() => cli.stop())
    const reply = await request(`${cli.url}/hang`, { timeoutMs: 20_000 })
    assert.equal(reply.status, 504)
    assert.match(reply.text, /within 1 s/)
  })

  test('--timeout 5x is one line that says what a time looks like', async () => {
    const result = await runCli([fixture('counter.ts'), '--timeout', '5x'])
    assert.equal(result.code, 1)
    assert.match(result.stderr, /^hotcell: --timeout must be a time from 1ms to \d+ms such as 10s, 1500ms or 1m \(got "5x"\)\n$/)
  })
})

describe('the config file', () => {
  test("watch: 'views' (one string) is watched", async () => {
    const project = projectDir({
      'app.ts': HANG,
      'views/page.html': '<p>one</p>',
      'hotcell.config.ts': `export default { entry: 'app.ts', watch: 'views', port: 0, workers: 1 }\n`,
    })
    cleanups.push(project.remove)
    const cli = await startCli([], { cwd: project.dir })
    cleanups.push(() => cli.stop())
    project.write('views/page.html', '<p>two</p>')
    await waitFor(() => /↻ views\/page\.html changed/.test(cli.output()), 10_000, `the reload line\n${cli.output()}`)
  })

  test('a missing file named in the config is quoted as the config says, relative to the config file', async () => {
    const project = projectDir({
      'src/app.ts': HANG,
      '.env': 'A=1\n',
      'hotcell.config.ts': `export default { entry: 'src/app.ts', envFile: ['.env', '.env.local'] }\n`,
      'src/hotcell.config.ts': `export default { static: '../public' }\n`,
    })
    cleanups.push(project.remove)
    const here = await runCli([], { cwd: project.dir })
    assert.equal(here.code, 1)
    assert.equal(here.stderr, `hotcell: hotcell.config.ts: envFile not found: .env.local (looked in ${project.dir})\n`)
    // A config file next to the entry, in another folder: the path as seen from where hotcell runs.
    const beside = await runCli(['src/app.ts'], { cwd: project.dir })
    assert.equal(beside.code, 1)
    assert.equal(beside.stderr, `hotcell: src/hotcell.config.ts: static folder not found: public (looked in ${project.dir})\n`)
  })

  test('--static given a file names the folder that holds it, not "folder not found"', async () => {
    const project = projectDir({ 'src/app.ts': HANG, 'index.html': '<h1>x</h1>', 'public/page.html': '<p>p</p>' })
    cleanups.push(project.remove)
    const here = await runCli(['src/app.ts', '--static', 'index.html'], { cwd: project.dir })
    assert.equal(here.code, 1)
    assert.equal(here.stderr, 'hotcell: --static must be a folder, but index.html is a file; give the folder that holds it: ./\n')
    const nested = serve({ entry: 'src/app.ts', cwd: project.dir, port: 0, workers: 1, quiet: true, static: 'public/page.html' })
    await assert.rejects(
      nested.then((server) => server.close()),
      {
        name: 'HotcellError',
        code: 'ERR_INVALID_OPTION',
        message: 'static must be a folder, but public/page.html is a file; give the folder that holds it: public',
      },
    )
  })

  test('serve() with a cwd that is missing or a file says so, rather than that the entry is not found there', async () => {
    const project = projectDir({ 'src/app.ts': HANG })
    cleanups.push(project.remove)
    const missing = join(project.dir, 'no', 'such', 'dir')
    const file = join(project.dir, 'src', 'app.ts')
    const cases: [unknown, RegExp | string][] = [
      [missing, `cwd folder not found: ${missing}`],
      [file, `cwd must be a folder, but ${file} is a file`],
      [42, 'cwd must name a folder (got 42)'],
    ]
    for (const [cwd, message] of cases) {
      const started = serve({ entry: 'src/app.ts', cwd: cwd as string, port: 0, workers: 1, quiet: true })
      await assert.rejects(
        started.then((server) => server.close()),
        { name: 'HotcellError', code: 'ERR_INVALID_OPTION', message },
      )
    }
    // Named by a config file: the message says which.
    project.write('hotcell.config.ts', `export default { entry: 'src/app.ts', cwd: 'gone' }\n`)
    const cli = await runCli([], { cwd: project.dir })
    assert.equal(cli.code, 1)
    assert.equal(cli.stderr, `hotcell: hotcell.config.ts: cwd folder not found: ${join(project.dir, 'gone')}\n`)
  })
})

/** Hold a port on 127.0.0.1 so hotcell finds it taken. */
async function occupy(port: number): Promise<Server | undefined> {
  const server = createServer()
  return new Promise((resolve) => {
    server.once('error', () => resolve(undefined))
    server.listen(port, '127.0.0.1', () => resolve(server))
  })
}

describe('the default port', () => {
  test('3000 taken and no port given: the next free one, and the terminal says so; an explicit --port stays strict', async () => {
    const project = projectDir({ 'app.ts': HANG })
    cleanups.push(project.remove)
    // Whatever else this machine runs, hold 3000 ourselves (if another process holds it, it is taken all the same).
    const held = await occupy(3000)
    cleanups.push(() => held?.close())
    const cli = await startCli(['app.ts', '--workers', '1'], { cwd: project.dir })
    cleanups.push(() => cli.stop())
    const port = Number(new URL(cli.url).port)
    assert.ok(port > 3000 && port < 3100, cli.url)
    assert.match(cli.output(), new RegExp(`^hotcell: port 3000 is in use, so hotcell listens on ${port} \\(--port chooses one\\)\\nhotcell ready on `, 'm'))
    assert.equal((await request(cli.url)).text, 'ok')

    const strict = await runCli(['app.ts', '--port', '3000'], { cwd: project.dir })
    assert.equal(strict.code, 1)
    assert.match(strict.stderr, /^hotcell: port 3000 is already in use on 127\.0\.0\.1\./)
  })
})
