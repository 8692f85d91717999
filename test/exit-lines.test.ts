// Workers that a module-level process.exit() ends with no request running:
// each death is said, with where process.exit() was called, and the crash
// loop's line names that place too (workers/exit-note.ts), not only the page.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cleanup, projectDir, startCli, waitFor } from './helpers.js'

test('a timer of the module calls process.exit(1): each replaced worker gets a line, and the crash loop names the call site', async () => {
  const project = projectDir({
    'package.json': '{ "type": "module" }\n',
    'app.ts': `setTimeout(() => {
  console.log('job: lost connection, exiting')
  process.exit(1)
}, 300)
export default { fetch: () => new Response('ok') }
`,
  })
  cleanup(project.remove)
  const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
  cleanup(() => cli.stop())
  await waitFor(() => cli.output().includes('keep ending on their own'), 20_000, cli.output())
  const out = cli.output()
  assert.match(
    out,
    /worker \d+ exited on its own with code 1: process\.exit\(1\) was called\. No request was running on it; hotcell started a new one\.\nat app\.ts:3:11\n/,
    out,
  )
  assert.match(
    out,
    /keep ending on their own without handling a request \(the last one called process\.exit\(1\)\)\. hotcell stopped replacing them until the next build\.\nat app\.ts:3:11\n/,
    out,
  )
})
