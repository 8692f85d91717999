// A save whose import never ends (a loop at the top level), through the real
// `hotcell` command: the terminal says so soon after the build while the old
// code serves, and one Ctrl-C ends the server within the 5 s it promises (it
// waited for the 10 s import limit) (reload/standby-import.ts).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cleanup, projectDir, request, startCli, waitFor, withDeadline } from './helpers.js'

const good = (body: string) => `export default { fetch: () => new Response(${JSON.stringify(body)}) }\n`
const STUCK = `while (true) {}\n${good('stuck')}`

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
