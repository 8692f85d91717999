// A build that adds folders to the watch (a new import outside the watched
// ones, or an import it could not find, whose nearest folder is then
// watched): what is saved or created in them before their scan ends has no
// event, and is found afterwards (src/reload/scan-gap.ts). The scan is held
// still here, so each case is the race it guards against, every run.
import assert from 'node:assert/strict'
import { join, resolve } from 'node:path'
import { describe, test } from 'node:test'
import { serve } from '../src/index.js'
import { holdScan } from './hold-scan.js'
import { cleanup, projectDir, request, waitFor } from './helpers.js'
import { nextReload, text } from './reload-helpers.js'

/** Serves `files`' src/app.ts, a file of a package one folder up. */
async function serveSrc(files: Record<string, string>) {
  const project = projectDir({ 'package.json': '{ "type": "module" }\n', ...files })
  cleanup(project.remove)
  const server = await serve({ entry: join(project.dir, 'src/app.ts'), port: 0, workers: 1, quiet: !process.env.DEBUG_HOTCELL })
  cleanup(() => server.close())
  return { project, server }
}

describe('folders a build adds to the watch', () => {
  const missing = [
    { specifier: '../shared/util', file: 'shared/util.ts' },
    { specifier: '../lib/deep/thing.js', file: 'lib/deep/thing.ts' },
    { specifier: '../widgets', file: 'widgets/index.ts' },
  ]
  for (const { specifier, file } of missing)
    test(`'${specifier}' could not be found; ${file}, created while the folder that may hold it is scanned, fixes it`, async () => {
      const { project, server } = await serveSrc({ 'src/app.ts': "export default { fetch: () => new Response('none') }\n" })
      // The failed build makes the package's folder watched: its scan waits.
      const scan = holdScan(project.dir)
      const broken = nextReload(server)
      project.write('src/app.ts', `import { word } from '${specifier}'\nexport default { fetch: () => new Response(word) }\n`)
      assert.equal((await broken).ok, false)
      await waitFor(() => scan.held() > 0, 15_000, "the package folder's scan to start")
      const fixed = nextReload(server, (info) => info.ok)
      project.write(file, "export const word = 'found'\n")
      scan.release()
      const info = await fixed
      assert.deepEqual(
        info.changed.map((path) => resolve(path)),
        [join(project.dir, file)],
      )
      // Created, and its first event was the scan's: the reload line says "added".
      assert.deepEqual(
        info.added?.map((path) => resolve(path)),
        [join(project.dir, file)],
      )
      assert.equal(await text(server.url), 'found')
    })

  test('a file a new import brought in, saved while its folder is scanned, is served', async () => {
    const { project, server } = await serveSrc({
      'src/app.ts': "export default { fetch: () => new Response('none') }\n",
      'lib/word.ts': "export const word = 'one'\n",
    })
    const scan = holdScan(join(project.dir, 'lib'))
    const imported = nextReload(server)
    project.write('src/app.ts', "import { word } from '../lib/word'\nexport default { fetch: () => new Response(word) }\n")
    assert.equal((await imported).ok, true)
    assert.equal(await text(server.url), 'one')
    await waitFor(() => scan.held() > 0, 15_000, "lib's scan to start")
    project.write('lib/word.ts', "export const word = 'two'\n")
    scan.release()
    await waitFor(async () => (await text(server.url)) === 'two', 15_000, 'the save in lib to be served')
  })

  test('a folder that had nothing new in it builds nothing more', async () => {
    const { project, server } = await serveSrc({ 'src/app.ts': "export default { fetch: () => new Response('none') }\n" })
    const scan = holdScan(project.dir)
    const broken = nextReload(server)
    project.write('src/app.ts', "import { word } from '../shared/util'\nexport default { fetch: () => new Response(word) }\n")
    assert.equal((await broken).ok, false)
    await waitFor(() => scan.held() > 0, 15_000, "the package folder's scan to start")
    const reloads: unknown[] = []
    server.on('reload', (info) => reloads.push(info))
    scan.release()
    // The check runs once the scan ends: a reload from it would come within this.
    await new Promise((resolve) => setTimeout(resolve, 500))
    assert.deepEqual(reloads, [])
    assert.equal((await request(server.url)).status, 500)
  })
})

describe('what the start looks at again once the watcher is up', () => {
  test('a file saved during the start is named itself, not also its folder (a reload line read "2 files changed (app.ts, )")', async () => {
    const { missedAtStart } = await import('../src/reload/scan-gap.js')
    const project = projectDir({ 'app.ts': 'export default {}\n', 'lib/util.ts': 'export const x = 1\n' })
    cleanup(project.remove)
    const readFrom = Date.now() - 60_000
    const inputs = [join(project.dir, 'app.ts'), join(project.dir, 'lib/util.ts')]
    // Both files, and so both folders, changed after readFrom; a build with another bundle than the one served.
    const builder = { build: async () => ({ ok: true, url: 'file:///other.mjs' }) as never }
    const served = { target: { kind: 'failure', view: { status: 500, title: '' } } as never }
    const missed = await missedAtStart(inputs, readFrom, builder, served)
    assert.deepEqual(missed.sort(), inputs.sort())
  })
})
