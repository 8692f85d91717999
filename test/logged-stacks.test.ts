// An Error the app logs itself (catch (e) { console.error(e) }) prints its
// stack as hotcell's reports show it: hotcell's frames left out, the
// project's paths relative to the working folder, Node's frames as Node
// prints them. error.stack itself is what V8 made it.
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { stripVTControlCharacters } from 'node:util'
import { projectDir, request, ROOT, startCli, waitFor } from './helpers.js'

describe('an Error the app logs', () => {
  const project = projectDir({
    'app.ts': `import { inspect } from 'node:util'
import { readFileSync } from 'node:fs'
export default {
  fetch(request: Request) {
    const error = new Error('logged by my own code', { cause: new Error('the cause') })
    console.error(error)
    console.log('inspected:', inspect(error, { colors: true }))
    try {
      readFileSync('/nonexistent/hotcell-test')
    } catch (e) {
      console.warn(e)
    }
    return new Response(error.stack)
  },
}
`,
  })
  after(() => project.remove())

  test('console.error, console.warn and util.inspect: no hotcell frames, relative paths; error.stack unchanged', async () => {
    const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
    try {
      const response = await request(`${cli.url}/`)
      assert.equal(response.status, 200)
      // What the code sees: V8's stack, with the absolute path and hotcell's frames under it.
      assert.match(
        response.body.toString(),
        new RegExp(`^Error: logged by my own code\\n {4}at Object\\.fetch \\(${project.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/app\\.ts:5:19\\)\\n`),
      )
      assert.match(response.body.toString(), /dist\/workers\/bundle\//)
      // Each of the three lands on its own (the worker's output streams are flushed apart): all of them are waited for.
      const landed = [/GET \/ 200/, /Error: ENOENT/, /^Error: logged by my own code$/m, /\[cause\]: Error: the cause/, /inspected: /]
      await waitFor(() => landed.every((line) => line.test(cli.output())), 10_000, 'the logged errors')
      const out = cli.output()
      assert.match(out, /^Error: logged by my own code\n {4}at Object\.fetch \(app\.ts:5:19\)\n/m)
      assert.match(out, /\[cause\]: Error: the cause\n +at Object\.fetch \(app\.ts:5:63\)\n/)
      // util.inspect with colours: the same frames (Node greys the parentheses).
      assert.match(stripVTControlCharacters(out), /inspected: Error: logged by my own code\n {4}at Object\.fetch \(app\.ts:5:19\)\n/)
      // Node's frames stay as Node prints them.
      assert.match(out, /Error: ENOENT[^\n]*\n(?: {4}at [^\n]*\(node:fs:\d+:\d+\)\n)+ {4}at Object\.fetch \(app\.ts:9:7\)\n/)
      assert.ok(!out.includes(ROOT), out)
      assert.ok(!out.includes(project.dir), out)
      assert.doesNotMatch(out, /AsyncLocalStorage\.run|runInScope|matching cause stack trace/)
    } finally {
      await cli.stop()
    }
  })
})
