// A saved config file applies itself (cli/config-watch.ts): under the
// supervisor the server process restarts on the socket the supervisor holds;
// a bad config is reported and the old options serve on; without the
// supervisor a line says to restart.
import assert from 'node:assert/strict'
import { appendFileSync, existsSync, renameSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { spawn } from 'node:child_process'
import { BIN, cleanup, projectDir, request, startCli, waitFor, withDeadline, type CliRun } from './helpers.js'

const APP = 'export default { fetch: async (request: Request) => new Response("got " + (await request.text()).length + " bytes") }\n'
const config = (options: string) => `import { defineConfig } from 'hotcell'\nexport default defineConfig({ entry: 'app.ts', workers: 1, ${options} })\n`
// Above the first config's bodyLimit (100), under the second's (1000).
const BODY = 'x'.repeat(200)
const RESTART = /↻ hotcell\.config\.ts changed · restarting the server with the new options/g

const count = (cli: CliRun, pattern: RegExp) => (cli.output().match(new RegExp(pattern.source, 'g')) ?? []).length
const readyUrls = (cli: CliRun) => [...cli.output().matchAll(/ready on (\S+)/g)].map((m) => m[1])
const post = (cli: CliRun) => request(cli.url, { method: 'POST', body: BODY, timeoutMs: 30_000 })

async function start(files: Record<string, string>, args: string[], env: NodeJS.ProcessEnv = {}) {
  const project = projectDir({ 'app.ts': APP, ...files })
  cleanup(project.remove)
  const cli = await startCli(args, { cwd: project.dir, env })
  cleanup(() => cli.stop())
  return { project, cli }
}

describe('config file changes, under the supervisor', () => {
  test('a save restarts the server with the new options, on the same port; requests meanwhile are served', async () => {
    const { project, cli } = await start({ 'hotcell.config.ts': config('bodyLimit: 100') }, ['--port', '0'])
    assert.equal((await post(cli)).status, 413)
    // A burst of saves (an editor's format-on-save): one restart.
    project.write('hotcell.config.ts', config('bodyLimit: 500'))
    project.write('hotcell.config.ts', config('bodyLimit: 700'))
    project.write('hotcell.config.ts', config('bodyLimit: 1000'))
    await waitFor(() => count(cli, RESTART) === 1, 20_000, 'the restart line')
    // Sent while the old process ends and the new one boots: they wait, none fails.
    const during = await Promise.all(Array.from({ length: 5 }, () => request(cli.url, { timeoutMs: 30_000 })))
    assert.deepEqual(
      during.map((reply) => reply.status),
      [200, 200, 200, 200, 200],
    )
    await waitFor(() => readyUrls(cli).length === 2, 20_000, 'the new server process ready line')
    assert.equal(readyUrls(cli)[1], cli.url, 'the port changed')
    const after = await post(cli)
    assert.equal(after.status, 200)
    assert.equal(after.text, 'got 200 bytes')
    assert.equal(count(cli, RESTART), 1)
    assert.doesNotMatch(cli.output(), /died|giving up|shutting down/)
    assert.equal(await cli.stop(), 0)
  })

  test('a broken config is reported and the old options serve on; the next good save restarts', async () => {
    const { project, cli } = await start({ 'hotcell.config.ts': config('bodyLimit: 100') }, ['--port', '0'])
    project.write('hotcell.config.ts', config('bodyLimit: "lots"'))
    await waitFor(() => /hotcell: hotcell\.config\.ts: bodyLimit must be a size[^\n]*"lots"/.test(cli.output()), 20_000, 'the bad option message')
    await waitFor(() => /the server keeps its options until hotcell\.config\.ts is fixed and saved/.test(cli.output()), 20_000, 'the keep-serving line')
    assert.equal((await request(cli.url)).status, 200)
    assert.equal((await post(cli)).status, 413, 'the old bodyLimit still applies')
    project.write('hotcell.config.ts', config('bodyLimit: 1000,,'))
    await waitFor(() => /hotcell: hotcell\.config\.ts does not build:/.test(cli.output()), 20_000, 'the syntax error')
    assert.equal((await request(cli.url)).status, 200)
    // The message a start would print, without a stack trace.
    assert.doesNotMatch(cli.output(), /\n\s+at /)
    assert.equal(count(cli, RESTART), 0)
    assert.equal(readyUrls(cli).length, 1)
    project.write('hotcell.config.ts', config('bodyLimit: 1000'))
    await waitFor(() => count(cli, RESTART) === 1, 20_000, 'the restart line')
    await waitFor(() => readyUrls(cli).length === 2, 20_000, 'the new server process ready line')
    assert.equal((await post(cli)).status, 200)
  })

  test('a config that throws while loading is named with its line:column and code frame; the old options serve on', async () => {
    const { project, cli } = await start({ 'hotcell.config.ts': config('bodyLimit: 100') }, ['--port', '0'])
    const line4 = `if (limit > 0) throw new Error('no limit for you')`
    project.write(
      'hotcell.config.ts',
      `import { defineConfig } from 'hotcell'\ntype Limit = number\nconst limit: Limit = 1000\n${line4}\nexport default defineConfig({ entry: 'app.ts', bodyLimit: limit })\n`,
    )
    const where = `hotcell.config.ts:4:${line4.indexOf('new Error') + 1}`
    await waitFor(() => cli.output().includes(where), 20_000, `the location ${where}`)
    await waitFor(() => /the server keeps its options until hotcell\.config\.ts is fixed and saved/.test(cli.output()), 20_000, 'the keep-serving line')
    assert.match(cli.output(), /hotcell: hotcell\.config\.ts threw while being loaded: no limit for you\n/)
    assert.ok(cli.output().includes(`> 4 | ${line4}`), cli.output())
    assert.doesNotMatch(cli.output(), /\n\s+at |\.hotcell[\\/]|dist[\\/]src/)
    assert.equal((await post(cli)).status, 413, 'the old bodyLimit still applies')
    assert.equal(count(cli, RESTART), 0)
  })

  test('a config whose code never finishes is ended after 5 s and named; requests are served meanwhile; the fix applies', async () => {
    const { project, cli } = await start({ 'hotcell.config.ts': config('bodyLimit: 100') }, ['--port', '0'])
    const looping = `import { writeFileSync } from 'node:fs'\nwriteFileSync('looping.txt', 'yes')\nlet i = 0\nwhile (i >= 0) i++\n`
    project.write('hotcell.config.ts', looping + config('bodyLimit: 1000'))
    // Its code runs on a thread of its own: while it loops, the server's main thread still answers.
    await waitFor(() => existsSync(join(project.dir, 'looping.txt')), 20_000, 'the config looping')
    assert.equal((await request(cli.url, { timeoutMs: 5_000 })).status, 200)
    await waitFor(
      () => /hotcell: hotcell\.config\.ts did not finish loading within 5 s: a loop, or a top-level await that never settles\?/.test(cli.output()),
      20_000,
      'the deadline line',
    )
    await waitFor(() => /the server keeps its options until hotcell\.config\.ts is fixed and saved/.test(cli.output()), 20_000, 'the keep-serving line')
    assert.equal((await post(cli)).status, 413, 'the old bodyLimit still applies')
    project.write('hotcell.config.ts', config('bodyLimit: 1000'))
    await waitFor(() => count(cli, RESTART) === 1, 20_000, 'the restart line')
    await waitFor(() => readyUrls(cli).length === 2, 20_000, 'the new server process ready line')
    assert.equal((await post(cli)).status, 200)
  })

  test('a config whose code never finishes at start: the supervisor says so; Ctrl-C ends hotcell', async () => {
    const project = projectDir({ 'app.ts': APP, 'hotcell.config.ts': `while (true) {}\n${config('')}` })
    cleanup(project.remove)
    const child = spawn(process.execPath, [BIN], { cwd: project.dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
    cleanup(() => child.kill('SIGKILL'))
    let output = ''
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    await waitFor(
      () => /hotcell: hotcell\.config\.ts is still loading after 1 s: a loop, or a top-level await that never settles\?/.test(output),
      20_000,
      'the line',
    )
    child.kill('SIGINT')
    assert.equal(await withDeadline(exited, 10_000, 'hotcell exit'), 0, output)
  })

  test('a deleted config file: one line, the options stay, files beside it are not its imports; created again, it applies', async () => {
    const { project, cli } = await start({ 'hotcell.config.ts': config('bodyLimit: 100') }, ['--port', '0'])
    const at = (name: string) => join(project.dir, name)
    renameSync(at('hotcell.config.ts'), at('cfg.bak'))
    const deleted = /↻ hotcell\.config\.ts was deleted · the server keeps its options; create it again to apply it\n/
    await waitFor(() => deleted.test(cli.output()), 20_000, `the deleted line\n${cli.output()}`)
    assert.equal((await post(cli)).status, 413, 'the old bodyLimit still applies')
    // chokidar then watches the folder: a log hotcell's output goes to (`hotcell > log.txt`) fed itself as an "import".
    appendFileSync(at('log.txt'), 'a line\n')
    writeFileSync(at('notes.txt'), 'notes\n')
    appendFileSync(at('log.txt'), 'another line\n')
    writeFileSync(at('cfg.bak'), config('bodyLimit: 1000'))
    renameSync(at('cfg.bak'), at('hotcell.config.ts'))
    await waitFor(() => /↻ hotcell\.config\.ts created again · restarting the server/.test(cli.output()), 20_000, `the restart line\n${cli.output()}`)
    await waitFor(() => readyUrls(cli).length === 2, 20_000, 'the new server process ready line')
    assert.equal((await post(cli)).status, 200)
    assert.equal(count(cli, deleted), 1, cli.output())
    assert.doesNotMatch(cli.output(), /imported by|missing the entry file|hotcell\.config\.ts changed/)
  })

  test('a config file created while hotcell runs without one applies: the server restarts with its options', async () => {
    const { project, cli } = await start({}, ['app.ts', '--port', '0'])
    assert.equal((await post(cli)).status, 200)
    // Files beside it are not a config.
    appendFileSync(join(project.dir, 'log.txt'), 'a line\n')
    project.write('hotcell.config.ts', config('bodyLimit: 100'))
    await waitFor(
      () => /↻ hotcell\.config\.ts created · restarting the server with its options/.test(cli.output()),
      20_000,
      `the restart line\n${cli.output()}`,
    )
    await waitFor(() => readyUrls(cli).length === 2, 20_000, 'the new server process ready line')
    assert.equal(readyUrls(cli)[1], cli.url)
    assert.equal((await post(cli)).status, 413)
    // The new process watches it as the config in use: a save applies.
    project.write('hotcell.config.ts', config('bodyLimit: 1000'))
    await waitFor(() => readyUrls(cli).length === 3, 20_000, `the third ready line\n${cli.output()}`)
    assert.equal((await post(cli)).status, 200)
  })

  test('a changed port is named and needs a restart by hand: the server restarts on the port it had', async () => {
    const [first, second] = [await freePort(), await freePort()]
    const { project, cli } = await start({ 'hotcell.config.ts': config(`port: ${first}, bodyLimit: 100`) }, [])
    assert.equal(new URL(cli.url).port, String(first))
    project.write('hotcell.config.ts', config(`port: ${second}, bodyLimit: 1000`))
    await waitFor(() => readyUrls(cli).length === 2, 20_000, 'the new server process ready line')
    assert.match(
      cli.output(),
      new RegExp(`hotcell\\.config\\.ts asks for port ${second}, but the server restarted on the address it had[^\\n]*stop and start hotcell`),
    )
    assert.equal(readyUrls(cli)[1], cli.url)
    // The other options apply.
    assert.equal((await post(cli)).status, 200)
  })
})

describe('config file changes, without the supervisor', () => {
  test('a line says to restart; the options stay', async () => {
    const { project, cli } = await start({ 'hotcell.config.ts': config('bodyLimit: 100') }, ['--port', '0'], { HOTCELL_NO_SUPERVISOR: '1' })
    const notice = /↻ hotcell\.config\.ts changed · restart hotcell to apply it/
    project.write('hotcell.config.ts', config('bodyLimit: 500'))
    project.write('hotcell.config.ts', config('bodyLimit: 1000'))
    await waitFor(() => count(cli, notice) >= 1, 20_000, 'the restart notice')
    // One more save, later: its own line, and the burst before had one.
    project.write('hotcell.config.ts', config('bodyLimit: 2000'))
    await waitFor(() => count(cli, notice) >= 2, 20_000, 'the second notice')
    assert.equal(count(cli, notice), 2)
    assert.equal((await post(cli)).status, 413)
    assert.equal(readyUrls(cli).length, 1)
  })

  test('a bad config is named at once, not at the next start', async () => {
    const { project, cli } = await start({ 'hotcell.config.ts': config('bodyLimit: 100') }, ['--port', '0'], { HOTCELL_NO_SUPERVISOR: '1' })
    project.write('hotcell.config.ts', config('bodyLimt: 500'))
    await waitFor(() => /unknown option "bodyLimt"/.test(cli.output()), 20_000, `the bad option\n${cli.output()}`)
    // Two writes to stderr: the output may be read between them.
    await waitFor(() => /the server keeps its options until hotcell\.config\.ts is fixed and saved/.test(cli.output()), 20_000, 'the line after it')
    assert.doesNotMatch(cli.output(), /restart hotcell to apply it/)
  })
})

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}
