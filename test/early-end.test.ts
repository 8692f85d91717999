// The builder goes on at esbuild's on-end message, before esbuild's process
// has ended the build (reload/early-end.ts). A build asked for at once after
// that must still read the files as they are then: every save is in the
// bundle that follows it, and a failed build still fails.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { createBuilder } from '../src/reload/builder.js'
import { projectDir, withDeadline } from './helpers.js'

test('builds back to back each read the save before them, right after the one before returned', async () => {
  const project = projectDir({
    'app.ts': "import { version } from './version.ts'\nexport default { fetch: () => new Response('v' + version) }\n",
    'version.ts': 'export const version = 0\n',
  })
  const builder = await createBuilder('app.ts', project.dir)
  try {
    for (let v = 1; v <= 30; v++) {
      project.write('version.ts', `export const version = ${v}\n`)
      const build = await withDeadline(builder.build(), 10_000, `build ${v}`)
      assert.ok(build.ok, `build ${v} failed`)
      assert.match(readFileSync(build.file, 'utf8'), new RegExp(`version = ${v};`), `build ${v} has the save before it`)
    }
    project.write('version.ts', 'export const version = \n')
    const broken = await withDeadline(builder.build(), 10_000, 'the broken build')
    assert.equal(broken.ok, false)
    project.write('version.ts', 'export const version = 31\n')
    const fixed = await withDeadline(builder.build(), 10_000, 'the fixed build')
    assert.ok(fixed.ok)
    assert.match(readFileSync(fixed.file, 'utf8'), /version = 31;/)
  } finally {
    await builder.dispose()
    project.remove()
  }
})
