// The code blocks of README.md and docs/ that can run, run as written (read
// from the documents by their <!-- snippet: … --> markers). The tour's blocks
// run in test/install-from-clone.test.ts, against a packed hotcell.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { describe, test } from 'node:test'
import { cleanup, projectDir, request, serveProject, startCli, withDeadline } from './helpers.js'
import { snippet, snippets } from './doc-snippets.js'

const RUN_ELSEWHERE = new Set(['tour-pack', 'tour-project', 'tour-app', 'tour-run', 'tour-banner'])

describe('documentation snippets', () => {
  test('every marked snippet is run by a test', () => {
    const covered = new Set([
      ...RUN_ELSEWHERE,
      'handler',
      'from-code',
      'api-test',
      'api-bench',
      'config-file',
      'shape-hono',
      'shape-itty',
      'shape-express',
      'shape-fastify',
    ])
    for (const { name, where } of snippets().values()) assert.ok(covered.has(name), `${where}: snippet ${name} is marked but no test runs it`)
  })

  test('README: the handler', async () => {
    const { server } = await serveProject({ 'app.ts': snippet('handler').code })
    const reply = await request(`${server.url}/some/path`)
    assert.equal(reply.status, 200)
    assert.equal(reply.text, 'Hello from /some/path')
  })

  test('README: serve() from code', async () => {
    const project = projectDir({ 'src/app.ts': snippet('handler').code, 'run.mjs': snippet('from-code').code })
    cleanup(project.remove)
    // run.mjs sits inside this package, so `import … from 'hotcell'` is hotcell itself.
    const child = spawn(process.execPath, ['run.mjs'], { cwd: project.dir, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (c: Buffer) => (output += c.toString()))
    child.stderr.on('data', (c: Buffer) => (output += c.toString()))
    const code = await withDeadline(new Promise<number | null>((resolve) => child.once('exit', resolve)), 30_000, 'the snippet to run and end')
    assert.equal(code, 0, output)
    assert.match(output, /^http:\/\/127\.0\.0\.1:\d+$/m)
  })

  test('docs/api.md: the node:test example passes', async () => {
    const project = projectDir({ 'src/app.ts': snippet('handler').code, 'app.test.mjs': snippet('api-test').code })
    cleanup(project.remove)
    // Inside this package, as run.mjs above: `import … from 'hotcell'` is hotcell itself.
    // Run as from a shell: this runner's NODE_TEST_CONTEXT would make the child's runner skip its files.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env
    // The TAP reporter on every Node: Node 24's default (spec) counts as 'ℹ pass 2'.
    const child = spawn(process.execPath, ['--test', '--test-reporter=tap', 'app.test.mjs'], { cwd: project.dir, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (c: Buffer) => (output += c.toString()))
    child.stderr.on('data', (c: Buffer) => (output += c.toString()))
    const code = await withDeadline(new Promise<number | null>((resolve) => child.once('exit', resolve)), 60_000, 'the example test to run and end')
    assert.equal(code, 0, output)
    assert.match(output, /^# pass 2$/m)
  })

  test('docs/api.md: the bench() example measures and prints its line', async () => {
    const project = projectDir({ 'src/app.ts': snippet('handler').code, 'perf.mjs': snippet('api-bench').code })
    cleanup(project.remove)
    // Inside this package, as run.mjs above: `import … from 'hotcell'` is hotcell itself.
    const child = spawn(process.execPath, ['perf.mjs'], { cwd: project.dir, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (c: Buffer) => (output += c.toString()))
    child.stderr.on('data', (c: Buffer) => (output += c.toString()))
    const code = await withDeadline(new Promise<number | null>((resolve) => child.once('exit', resolve)), 60_000, 'the bench example to run and end')
    assert.equal(code, 0, output)
    // Its own line and nothing else: bench() prints nothing.
    assert.match(output, /^[1-9][\d]* req\/s, p99 [\d.]+ ms, 0 failed\n$/)
  })

  test('docs/developer-experience.md: the config file (a bare `npx hotcell`)', async () => {
    const project = projectDir({ 'hotcell.config.ts': snippet('config-file').code, 'src/app.ts': snippet('handler').code })
    cleanup(project.remove)
    // Its port 8080 may be taken on this machine: a flag beats the file, as documented.
    const cli = await startCli(['--port', '0'], { cwd: project.dir })
    cleanup(() => cli.stop())
    assert.match(cli.output(), /entry src\/app\.ts · 2 workers/)
    assert.match(cli.output(), /^ {2}config {2}hotcell\.config\.ts$/m, 'the banner names the config file in use')
    assert.equal((await request(`${cli.url}/x`)).text, 'Hello from /x')
  })

  test('docs/frameworks.md: Hono, itty-router, Express and Fastify shapes', async () => {
    for (const name of ['shape-hono', 'shape-itty', 'shape-fastify']) {
      const { server } = await serveProject({ 'app.ts': snippet(name).code })
      const reply = await request(`${server.url}/hello/ada`)
      assert.equal(reply.status, 200, `${name}: ${reply.text}`)
      assert.deepEqual(JSON.parse(reply.text), { hello: 'ada' }, name)
    }
    const { server } = await serveProject({ 'app.ts': snippet('shape-express').code })
    const echo = await request(`${server.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' })
    assert.deepEqual(JSON.parse(echo.text), { got: { a: 1 }, ip: '127.0.0.1' })
  })
})
