// ctx.waitUntil() keeps work alive after the response (DESIGN.md), and a
// save must not cut it: with no request left on the old code, its workers
// used to end at once, and the work with them, silently.
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { projectDir, request, startCli, waitFor } from './helpers.js'

const app = (version: string) => `import { appendFileSync } from 'node:fs'
import { join } from 'node:path'
const version = '${version}'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
export default {
  fetch(request: Request, _env: unknown, ctx: { waitUntil(p: Promise<unknown>): void }) {
    const url = new URL(request.url)
    if (url.pathname === '/work')
      ctx.waitUntil(sleep(800).then(() => appendFileSync(join(import.meta.dirname, '..', 'done.txt'), version + ' finished\\n')))
    if (url.pathname === '/forever') ctx.waitUntil(new Promise(() => {}))
    return new Response(version)
  },
}
`

describe('ctx.waitUntil() work across a reload', () => {
  const project = projectDir({ 'src/app.ts': app('v1') })
  after(() => project.remove())

  test('work started before a save finishes on the old code; work that never settles is cut after the grace, and the terminal says so', async () => {
    const cli = await startCli(['src/app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
    try {
      assert.equal((await request(`${cli.url}/work`)).text, 'v1')
      project.write('src/app.ts', app('v2'))
      await waitFor(async () => (await request(cli.url)).text === 'v2', 10_000, 'the new code')
      // The old generation had no request left: it stayed for its waitUntil work, which finished.
      const done = join(project.dir, 'done.txt')
      await waitFor(() => existsSync(done), 10_000, "the old code's waitUntil work")
      assert.equal(readFileSync(done, 'utf8'), 'v1 finished\n')

      assert.equal((await request(`${cli.url}/forever`)).text, 'v2')
      project.write('src/app.ts', app('v3'))
      await waitFor(async () => (await request(cli.url)).text === 'v3', 10_000, 'the newer code')
      await waitFor(
        () => /hotcell: 1 ctx\.waitUntil\(\) promise of generation 2 still pending 5 s after it was replaced; its workers ended/.test(cli.output()),
        15_000,
        'the line for the work cut',
      )
    } finally {
      await cli.stop()
    }
  })
})
