// What a reload reports to serve()'s caller (server.reload(), the 'reload'
// event): `ok` is true only when the new code serves, and a failure carries
// its error as data, with where it points in the project.
import assert from 'node:assert/strict'
import { join, relative } from 'node:path'
import { describe, test } from 'node:test'
import type { ReloadInfo } from '../src/index.js'
import { request, withDeadline } from './helpers.js'
import { nextReload, start } from './reload-helpers.js'

const good = (text: string) => `export default { fetch: () => new Response('${text}') }\n`
const throwing = `const url = process.env.NO_SUCH_VARIABLE\nif (!url) throw new Error('missing DATABASE_URL')\nexport default { fetch: () => new Response(url) }\n`

/** The error without its stack (checked apart: it names the project's folder). */
function withoutStack(info: ReloadInfo) {
  const { stack: _, ...error } = info.error ?? { stack: undefined }
  return error
}

describe('ReloadInfo', () => {
  test('a save of an entry that throws while imported: ok false, the error and its place; the fix: ok true, no error', async () => {
    const { project, server } = await start({ 'app.ts': good('v1') })
    let reloaded = nextReload(server)
    project.write('app.ts', throwing)
    const info = await reloaded
    assert.equal((await request(server.url)).status, 500)
    assert.equal(info.ok, false)
    assert.deepEqual(withoutStack(info), {
      stage: 'import',
      name: 'Error',
      message: 'missing DATABASE_URL',
      // Relative to cwd, as `changed` names files.
      location: { file: relative(process.cwd(), join(project.dir, 'app.ts')), line: 2, column: 17 },
    })
    assert.match(info.error!.stack!, /^Error: missing DATABASE_URL\n {4}at .*app\.ts:2:17\)?$/m)
    // The generation that serves the error page is the new one.
    assert.equal(typeof info.gen, 'number')
    reloaded = nextReload(server)
    project.write('app.ts', good('v2'))
    const fixed = await reloaded
    assert.deepEqual([fixed.ok, fixed.error, await (await fetch(server.url)).text()], [true, undefined, 'v2'])
  })

  test('server.reload(): a build error, an entry with no handler, then good code', async () => {
    const { project, server } = await start({ 'app.ts': good('v1') }, { reload: false })
    project.write('app.ts', `export default { fetch: () => new Response('v2' }\n`)
    const broken = await withDeadline(server.reload(), 20_000, 'server.reload()')
    assert.equal(broken.ok, false)
    assert.equal(broken.error?.stage, 'build')
    assert.equal(broken.error?.name, 'BuildError')
    assert.match(broken.error?.message ?? '', /Expected "\)" but found "\}"/)
    // Counted from 1, as in a stack and in the build error's report (esbuild counts from 0: 48).
    assert.deepEqual(broken.error?.location, { file: relative(process.cwd(), join(project.dir, 'app.ts')), line: 1, column: 49 })
    project.write('app.ts', `export const handler = () => new Response('v3')\n`)
    const shapeless = await withDeadline(server.reload(), 20_000, 'server.reload()')
    assert.deepEqual([shapeless.ok, shapeless.error?.stage, shapeless.error?.name], [false, 'handler', 'HandlerShapeError'])
    assert.equal((await request(server.url)).status, 500)
    project.write('app.ts', good('v4'))
    const fixed = await withDeadline(server.reload(), 20_000, 'server.reload()')
    assert.deepEqual([fixed.ok, fixed.error], [true, undefined])
  })
})
