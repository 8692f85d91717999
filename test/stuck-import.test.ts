// A save whose import never ends (a loop at the top level), through the real
// `hotcell` command: the terminal says so soon after the build while the old
// code serves, one Ctrl-C ends the server within the 5 s it promises (it
// waited for the 10 s import limit), and a server whose supervisor dies ends
// at once, whatever it was doing (reload/standby-import.ts, cli/supervisor-child.ts).
import assert from 'node:assert/strict'
import { readFileSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { cleanup, projectDir, request, startCli, waitFor, withDeadline } from './helpers.js'

const good = (body: string) => `export default { fetch: () => new Response(${JSON.stringify(body)}) }\n`
const STUCK = `while (true) {}\n${good('stuck')}`

/** The server process under the supervisor `pid` (Linux). */
function serverPid(pid: number): number | undefined {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
  return children.length === 1 ? children[0] : undefined
}

/** Is `pid` still running (a zombie is not: nothing of it runs)? */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

test('a save stuck at import: a line soon after the build while the old code serves, and one Ctrl-C ends the server within 5 s', async () => {
  const project = projectDir({ 'app.ts': good('one') })
  cleanup(project.remove)
  const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
  cleanup(() => cli.child.exitCode === null && cli.child.kill('SIGKILL'))
  project.write('app.ts', STUCK)
  // Before the 10 s import limit's report: the line says the save was seen, and what serves meanwhile.
  await waitFor(
    () => /↻ app\.ts changed · build [\d.]+ ms · still importing after 1 s · generation 1 keeps serving the code from before\n/.test(cli.output()),
    8_000,
    'the still-importing line',
  )
  assert.doesNotMatch(cli.output(), /ImportTimeoutError/)
  assert.equal((await request(cli.url)).text, 'one')
  // With no generation serving (a build error on show), the line says that page stays up.
  project.write('app.ts', 'export default {\n')
  await waitFor(() => /↻ app\.ts changed · build failed/.test(cli.output()), 8_000, 'the build error')
  project.write('app.ts', STUCK)
  await waitFor(() => /still importing after 1 s · the build error page stays up meanwhile\n/.test(cli.output()), 8_000, 'the second still-importing line')
  assert.equal((await request(cli.url)).status, 500)
  // No request is in flight: the import, which serves nobody, is ended, not waited for.
  cli.child.kill('SIGINT')
  assert.equal(await withDeadline(cli.exited, 5_000, 'hotcell to exit within the 5 s its shutdown line promises'), 0, cli.output())
})

test('the server process follows its supervisor at once, without waiting for a request in flight', async () => {
  const project = projectDir({
    'app.ts': `export default { fetch: (req: Request) => new URL(req.url).pathname === '/never' ? (console.log('never answers'), new Promise<Response>(() => {})) : new Response('ok') }\n`,
  })
  cleanup(project.remove)
  const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
  cleanup(() => cli.child.exitCode === null && cli.child.kill('SIGKILL'))
  const server = await waitFor(() => serverPid(cli.child.pid!), 5_000, 'the server process')
  cleanup(() => running(server) && process.kill(server, 'SIGKILL'))
  const inFlight = request(`${cli.url}/never`, { timeoutMs: 20_000 }).catch((error: Error) => error)
  await waitFor(() => cli.output().includes('never answers'), 5_000, 'the request to reach its handler')
  // The supervisor dies as a closed terminal's SIGHUP or a SIGKILL ends it; nobody is left to see a graceful drain.
  cli.child.kill('SIGKILL')
  // A graceful shutdown would wait 5 s for the request in flight.
  await waitFor(() => !running(server), 4_000, 'the server process to exit before the 5 s grace for requests in flight ends')
  assert.ok((await inFlight) instanceof Error, 'the request in flight is cut, not answered')
})

test('an entry whose top-level await never settles: a line after 1 s at the start, a page that says it waits (not where it loops), and a fix saved during another hung import served at once', async () => {
  const project = projectDir({
    'app.ts': `async function connectDb(): Promise<void> {\n  await new Promise(() => {})\n}\nawait connectDb()\n${good('never')}`,
  })
  cleanup(project.remove)
  // Dated a little ahead, as a file saved while the start's build ran: once the watcher is up, the start looks at it again (scan-gap.ts).
  const ahead = new Date(Date.now() + 5_000)
  utimesSync(join(project.dir, 'app.ts'), ahead, ahead)
  const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir, readyMs: 20_000 })
  try {
    const output = cli.output()
    const still = output.indexOf(
      'app.ts is still importing after 1 s (a top-level await, or a loop?); hotcell serves it once the import ends, and gives it 10 s',
    )
    assert.ok(still >= 0 && still < output.indexOf('ready on'), `the line before the ready line (10 s later):\n${output}`)
    const page = await request(cli.url)
    assert.equal(page.status, 500)
    assert.match(page.text, /did not finish importing within 10 s.*Its worker sat idle, running no code: the import waits on a top-level await/)
    assert.doesNotMatch(page.text, /It is stuck at/)
    // The same bundle is not imported again (files written just before the start are checked once the watcher is up): it would hang as long.
    assert.doesNotMatch(cli.output(), /↻/)
    // A save that still hangs, then the fix while that import waits: the fix is built at once, not after the 10 s limit.
    project.write('app.ts', `await new Promise(() => {})\n${good('still never')}`)
    await waitFor(() => /still importing after 1 s · the error page stays up meanwhile/.test(cli.output()), 5_000, `the line\n${cli.output()}`)
    project.write('app.ts', good('fixed'))
    await waitFor(async () => (await request(cli.url)).text === 'fixed', 5_000, `the fix served before the hung import's limit\n${cli.output()}`)
  } finally {
    await withDeadline(cli.stop(), 15_000, 'the server to stop')
  }
})

test("a save stuck at import past the 10 s limit: its report, and no word of an app cleanup the worker never reached (it was in the app's top level)", async () => {
  const project = projectDir({ 'app.ts': good('one') })
  cleanup(project.remove)
  const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
  cleanup(() => cli.stop())
  project.write('app.ts', STUCK)
  await waitFor(() => /ImportTimeoutError/.test(cli.output()), 20_000, 'the import limit report')
  // The hung generation is ended; asking its worker for the app's cleanup waited 2 s, then said its listeners had not finished.
  await new Promise((resolve) => setTimeout(resolve, 3_000))
  assert.doesNotMatch(cli.output(), /cleanup/, cli.output())
})
