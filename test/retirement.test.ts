// An old generation's code gets to clean up, as a Node process told to stop
// would: its SIGTERM and 'exit' listeners run in the retiring worker, and the
// child processes it started and did not end are sent SIGTERM, on a reload
// and at shutdown. Without this every save left one more helper process
// running (a database, a queue worker) for as long as hotcell ran.
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { serve } from '../src/index.js'
import type { LogEntry } from '../src/report/log-option.js'
import { cleanup, projectDir, startCli, waitFor, withDeadline } from './helpers.js'
import { nextReload, start, text } from './reload-helpers.js'

/** Whether process `pid` still runs (a zombie, ended but not reaped, does not). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

/** The pids of the children an app's response names; ended after the test file whatever happens. */
async function childrenOf(url: string): Promise<[string, ...number[]]> {
  const [version = '', ...pids] = (await text(url)).split(' ')
  const numbers = pids.map(Number)
  cleanup(() => {
    for (const pid of numbers) if (running(pid)) process.kill(pid, 'SIGKILL')
  })
  return [version, ...numbers]
}

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [])

/** A project whose app adds `listener` for SIGINT and SIGTERM (it has `log` and `signal`) and logs its 'exit' to `events`. */
function signalLogger(listener: string): { dir: string; events: string } {
  const project = projectDir({})
  cleanup(project.remove)
  const events = join(project.dir, 'events.log')
  project.write(
    'app.ts',
    `import { appendFileSync } from 'node:fs'
const log = (line: string) => appendFileSync(${JSON.stringify(events)}, line + '\\n')
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, ${listener})
process.on('exit', (code) => log('exit ' + code))
export default { fetch: () => new Response('ok') }
`,
  )
  return { dir: project.dir, events }
}

/** An app that starts two `sleep` children: `helper`, which its SIGTERM listener ends, and `forgotten`, which nothing of it ends. */
const app =
  (version: string, cleanup: string) =>
  (dir: string): Record<string, string> => ({
    'app.ts': `import { spawn } from 'node:child_process'
import { appendFileSync } from 'node:fs'
const log = (line: string) => appendFileSync(${JSON.stringify(join(dir, 'events.log'))}, line + '\\n')
const helper = spawn('sleep', ['600'], { stdio: 'ignore' })
const forgotten = spawn('sleep', ['600'], { stdio: 'ignore' })
log('${version} imported')
${cleanup}
export default { fetch: () => new Response('${version} ' + helper.pid + ' ' + forgotten.pid) }
`,
  })

const LISTENERS = `process.on('SIGTERM', () => { log(\`\${V} SIGTERM\`); helper.kill() })
process.on('exit', (code) => log(\`\${V} exit \${code}\`))`

describe('retirement', () => {
  test("a reload runs the old code's SIGTERM and 'exit' listeners and ends the children it left running; close() does the same", async () => {
    const { project, server } = await start(app('one', `const V = 'one'\n${LISTENERS}`))
    const events = join(project.dir, 'events.log')
    const [, ...oldPids] = await childrenOf(server.url)
    assert.ok(oldPids.every(running), 'both children run')
    const reloaded = nextReload(server, (info) => info.ok)
    for (const [name, body] of Object.entries(app('two', `const V = 'two'\n${LISTENERS}`)(project.dir))) project.write(name, body)
    await reloaded
    const [version, ...newPids] = await childrenOf(server.url)
    assert.equal(version, 'two')
    await waitFor(() => oldPids.every((pid) => !running(pid)), 10_000, `the old generation's children ${oldPids} to end`)
    await waitFor(() => lines(events).includes('one exit 0'), 10_000, `the old code's 'exit' listener (events: ${lines(events)})`)
    assert.deepEqual(lines(events), ['one imported', 'two imported', 'one SIGTERM', 'one exit 0'])
    assert.ok(newPids.every(running), "the new generation's children still run")
    await server.close()
    assert.deepEqual(lines(events).slice(4), ['two SIGTERM', 'two exit 0'])
    await waitFor(() => newPids.every((pid) => !running(pid)), 10_000, `the last generation's children ${newPids} to end`)
  })

  test("a SIGTERM listener that calls process.exit() after async work: the 'exit' listeners run once, and the old code is not imported again", async () => {
    const cleanup = `process.on('SIGTERM', async () => {
  await new Promise((resolve) => setTimeout(resolve, 50))
  log('one SIGTERM done')
  process.exit(0)
})
process.on('exit', () => log('one exit'))`
    const { project, server } = await start(app('one', cleanup))
    const events = join(project.dir, 'events.log')
    const [, ...oldPids] = await childrenOf(server.url)
    const reloaded = nextReload(server, (info) => info.ok)
    for (const [name, body] of Object.entries(app('two', '')(project.dir))) project.write(name, body)
    await reloaded
    await childrenOf(server.url)
    await waitFor(() => oldPids.every((pid) => !running(pid)), 10_000, `the old generation's children ${oldPids} to end`)
    await waitFor(() => lines(events).includes('one exit'), 10_000, `the old code's 'exit' listener (events: ${lines(events)})`)
    assert.deepEqual(lines(events), ['one imported', 'two imported', 'one SIGTERM done', 'one exit'])
  })

  test('the children of a worker that cannot clean up (stuck in its SIGTERM listener) are ended from the main thread', async () => {
    const { project, server } = await start(app('one', `process.on('SIGTERM', () => { for (;;) {} })`))
    const [, ...oldPids] = await childrenOf(server.url)
    const reloaded = nextReload(server, (info) => info.ok)
    for (const [name, body] of Object.entries(app('two', '')(project.dir))) project.write(name, body)
    await reloaded
    assert.equal((await childrenOf(server.url))[0], 'two')
    await waitFor(() => oldPids.every((pid) => !running(pid)), 10_000, `the stuck generation's children ${oldPids} to end`)
  })

  test("Ctrl-C (SIGINT) to hotcell runs the app's SIGINT listeners, awaited, then its 'exit' listeners; SIGTERM runs its SIGTERM ones", async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      // Both listeners, async: only the signal's own runs, and hotcell waits for its promise before the 'exit' listeners and its own exit.
      const { dir, events } = signalLogger(`async (name) => {
  await new Promise((resolve) => setTimeout(resolve, 50))
  log(signal + ' done ' + name)
}`)
      const cli = await startCli([join(dir, 'app.ts'), '--port', '0'], { cwd: dir })
      cleanup(() => cli.child.kill('SIGKILL'))
      assert.equal(await cli.stop(signal), 0, cli.output())
      assert.deepEqual(lines(events), [`${signal} done ${signal}`, 'exit 0'], cli.output())
    }
  })

  test("a signal sent the moment the ready line is read still stops gracefully: the app's listeners run", async () => {
    // Once the handlers were installed just after the ready line: a signal sent on reading it ended the server at once in 8 of 20 tries.
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGTERM', 'SIGINT'] as const) {
      const { dir, events } = signalLogger(`(name) => log('got ' + name)`)
      const cli = await startCli([join(dir, 'app.ts'), '--port', '0'], { cwd: dir, signalOnReady: signal })
      cleanup(() => cli.child.kill('SIGKILL'))
      assert.equal(await withDeadline(cli.exited, 10_000, 'hotcell exit'), 0, cli.output())
      assert.deepEqual(lines(events), [`got ${signal}`, 'exit 0'], cli.output())
    }
  })

  test("an app with SIGINT listeners only gets them on a reload (SIGTERM's stand-in), and close({ signal: 'SIGINT' }) runs SIGINT's, not SIGTERM's", async () => {
    const onlySigint = (version: string) => `const V = '${version}'\nprocess.on('SIGINT', (name) => { log(\`\${V} \${name}\`); helper.kill() })`
    const { project, server } = await start(app('one', onlySigint('one')))
    const events = join(project.dir, 'events.log')
    const [, ...oldPids] = await childrenOf(server.url)
    const reloaded = nextReload(server, (info) => info.ok)
    const both = `${onlySigint('two')}\nprocess.on('SIGTERM', () => log('two SIGTERM'))`
    for (const [name, body] of Object.entries(app('two', both)(project.dir))) project.write(name, body)
    await reloaded
    await childrenOf(server.url)
    await waitFor(() => oldPids.every((pid) => !running(pid)), 10_000, `the old generation's children ${oldPids} to end`)
    await waitFor(() => lines(events).includes('one SIGINT'), 10_000, `the old code's SIGINT listener (events: ${lines(events)})`)
    await server.close({ signal: 'SIGINT' })
    assert.deepEqual(lines(events), ['one imported', 'two imported', 'one SIGINT', 'two SIGINT'])
  })

  test('a listener that outlasts the 2 s bound is cut, and the log says so', async () => {
    const project = projectDir({
      'app.ts': `process.on('SIGTERM', () => new Promise(() => {}))
export default { fetch: () => new Response('ok') }
`,
    })
    cleanup(project.remove)
    const entries: LogEntry[] = []
    const server = await serve({ entry: join(project.dir, 'app.ts'), port: 0, workers: 1, reload: false, log: (entry) => entries.push(entry) })
    cleanup(() => server.close())
    await server.close()
    const warning = entries.find((entry) => entry.level === 'warn' && /cleanup/.test(entry.text))
    assert.ok(warning, JSON.stringify(entries))
    assert.match(warning.text, /generation 1: the app's SIGTERM listener had not finished 2 s after it ran, and was cut short/)
  })
})
