// A git checkout on a real server and watcher: git deletes files, and writes
// each changed one as an unlink and a create, and on a loaded machine it can
// be off the CPU between two writes for longer than a build takes. A build
// that fails on a file the burst just deleted, or has not written yet, is
// built again when the burst's next event comes, not served: no error page
// flashes for a checkout that is fine (src/reload/failed-build-hold.ts). A
// deletion that nothing follows is still served as a build error.
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { basename, join } from 'node:path'
import { describe, test } from 'node:test'
import type { ReloadInfo } from '../src/reload/reload-info.js'
import { request } from './helpers.js'
import { atNextBuild, nextReload, start, text } from './reload-helpers.js'

describe('a checkout-like burst of file events', () => {
  test('a build failing on a file the burst deleted or has not written yet is built again when the next write comes, not served', async () => {
    const { project, server } = await start({
      'app.ts': "import { word } from './word'\nexport default { fetch: () => new Response(word) }\n",
      'word.ts': "export const word = 'one'\n",
    })
    assert.equal(await text(server.url), 'one')
    // Each reload, and whether it served an error page.
    const reloads: { changed: string[]; ok: boolean; problem: string | undefined }[] = []
    server.on('reload', (info: ReloadInfo) =>
      reloads.push({ changed: info.changed.map((p) => basename(p)), ok: info.ok, problem: server.info.problem?.summary }),
    )

    // git rewrites word.ts: the build its unlink starts fails on './word', and the create lands as that build ends.
    atNextBuild(() => project.write('word.ts', "export const word = 'two'\n"))
    let reloaded = nextReload(server, (info) => info.ok)
    rmSync(join(project.dir, 'word.ts'))
    await reloaded
    assert.equal(await text(server.url), 'two')

    // git rewrites the importer before the file it now imports: that file is written as the build ends.
    atNextBuild(() => project.write('fresh.ts', "export const word = 'three'\n"))
    reloaded = nextReload(server, (info) => info.ok)
    project.write('app.ts', "import { word } from './fresh'\nexport default { fetch: () => new Response(word) }\n")
    await reloaded
    assert.equal(await text(server.url), 'three')
    // One good reload each, naming every file of its burst; no failure was served between.
    assert.deepEqual(reloads, [
      { changed: ['word.ts'], ok: true, problem: undefined },
      { changed: ['app.ts', 'fresh.ts'], ok: true, problem: undefined },
    ])

    // A deletion that no write follows: its build error is served, as before.
    reloaded = nextReload(server)
    rmSync(join(project.dir, 'fresh.ts'))
    const info = await reloaded
    assert.equal(info.ok, false)
    const broken = await request(server.url)
    assert.equal(broken.status, 500)
    assert.match(broken.text, /Could not resolve "\.\/fresh"/)
  })

  test('a rename saved file by file: the build between two of its saves is built again when the next comes, not shown', async () => {
    const { project, server } = await start({
      'app.ts': "import { foo } from './names'\nexport default { fetch: () => new Response(foo) }\n",
      'names.ts': "export const foo = 'foo'\n",
    })
    assert.equal(await text(server.url), 'foo')
    const reloads: { changed: string[]; ok: boolean }[] = []
    server.on('reload', (info: ReloadInfo) => reloads.push({ changed: info.changed.map((p) => basename(p)).sort(), ok: info.ok }))
    // The export is renamed first: app.ts, which still imports foo, fails; its own save lands as that build ends.
    atNextBuild(() => project.write('app.ts', "import { bar } from './names'\nexport default { fetch: () => new Response(bar) }\n"))
    let reloaded = nextReload(server, (info) => info.ok)
    project.write('names.ts', "export const bar = 'bar'\n")
    await reloaded
    assert.equal(await text(server.url), 'bar')
    assert.deepEqual(reloads, [{ changed: ['app.ts', 'names.ts'], ok: true }])

    // A broken save that no other follows: its error is served.
    reloaded = nextReload(server)
    project.write('names.ts', "export const baz = 'baz'\n")
    const info = await reloaded
    assert.equal(info.ok, false)
    const broken = await request(server.url)
    assert.equal(broken.status, 500)
    assert.match(broken.text, /No matching export in "[^"]*names\.ts" for import "bar"/)
  })
})
