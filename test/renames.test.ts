// A source file renamed (mv, an editor's rename, git checkout) on a real
// server and watcher: one reload for both of its names (one build when their raw events come in one poll), not
// one for the new name's add and another for the old name's unlink, which
// chokidar reports ~100 ms later (watcher.ts, raw-presence.ts). And a file
// the bundle imports that is not code (a .txt, a .css) deleted: a reload. And
// a file created in a new folder outside the entry's: the import it fixes.
import assert from 'node:assert/strict'
import { renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { describe, test } from 'node:test'
import type { ReloadInfo } from '../src/reload/reload-info.js'
import { serve } from '../src/index.js'
import { cleanup, projectDir, request } from './helpers.js'
import { countBuilds, nextReload, start, text } from './reload-helpers.js'

const names = (info: ReloadInfo) => info.changed.map((path) => basename(path)).sort()

describe('renamed sources', () => {
  test('a rename is one reload, whether it breaks an import or fixes one', async () => {
    const { project, server } = await start({
      'app.ts': "import { word } from './word'\nexport default { fetch: () => new Response(word) }\n",
      'word.ts': "export const word = 'one'\n",
      'next.ts': "export const word = 'two'\n",
    })
    assert.equal(await text(server.url), 'one')
    const builds = countBuilds()
    const reloads: ReloadInfo[] = []
    server.on('reload', (info: ReloadInfo) => reloads.push(info))
    const rename = (from: string, to: string) => renameSync(join(project.dir, from), join(project.dir, to))

    // The imported file renamed away: the build fails once, for both names.
    let reloaded = nextReload(server)
    rename('word.ts', 'old-word.ts')
    let info = await reloaded
    assert.equal(info.ok, false)
    assert.deepEqual(names(info), ['old-word.ts', 'word.ts'])
    assert.deepEqual(
      info.deleted?.map((path) => basename(path)),
      ['word.ts'],
    )
    // The new name is a file created, not one changed: the line says "1 file added and 1 deleted".
    assert.deepEqual(
      info.added?.map((path) => basename(path)),
      ['old-word.ts'],
    )
    const broken = await request(server.url)
    assert.equal(broken.status, 500)
    assert.match(broken.text, /Could not resolve "\.\/word"/)

    // Another file renamed to the name the import expects: its code is served, by one reload.
    reloaded = nextReload(server)
    rename('next.ts', 'word.ts')
    info = await reloaded
    assert.equal(info.ok, true)
    assert.deepEqual(names(info), ['next.ts', 'word.ts'])
    assert.equal(await text(server.url), 'two')

    // A save after them is built on its own: no event of the renames is left to build.
    reloaded = nextReload(server)
    project.write('app.ts', "import { word } from './word'\nexport default { fetch: () => new Response(word + '!') }\n")
    info = await reloaded
    assert.deepEqual(names(info), ['app.ts'])
    assert.equal(info.added, undefined)
    assert.equal(await text(server.url), 'two!')
    // chokidar's unlink of each old name comes ~100 ms after its rename, and is dropped as an
    // echo; one taken for news would have joined a reload's names above, or built by now.
    // (Builds are counted from here: on a loaded machine the two raw events of a rename can
    // come in two polls, and the first build is then superseded by one with both names, one
    // reload still. CI saw 4 builds for 3 reloads once, on Node 24, with other suites running.)
    const built = builds.count
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.equal(builds.count, built, JSON.stringify(reloads.map(names)))
    assert.deepEqual(reloads.map(names), [['old-word.ts', 'word.ts'], ['next.ts', 'word.ts'], ['app.ts']])
  })

  test('an atomic save (a temporary file renamed over it) is a change of that file: said changed, and of a file no build reads, no reload', async () => {
    const { project, server } = await start({
      'app.ts': "import { word } from './word'\nexport default { fetch: () => new Response(word) }\n",
      'word.ts': "export const word = 'one'\n",
      'notes.ts': '// not imported\n',
    })
    assert.equal(await text(server.url), 'one')
    const atomicSave = (name: string, body: string) => {
      writeFileSync(join(project.dir, `${name}.tmp`), body)
      renameSync(join(project.dir, `${name}.tmp`), join(project.dir, name))
    }
    let reloaded = nextReload(server)
    atomicSave('word.ts', "export const word = 'two'\n")
    let info = await reloaded
    assert.deepEqual([names(info), info.added], [['word.ts'], undefined])
    assert.equal(await text(server.url), 'two')
    // Saved in place, notes.ts reloads nothing; saved atomically it was taken for a new file, and built as one.
    const builds = countBuilds()
    atomicSave('notes.ts', '// still not imported\n')
    await new Promise((resolve) => setTimeout(resolve, 500))
    assert.equal(builds.count, 0)
    reloaded = nextReload(server)
    project.write('app.ts', "import { word } from './word'\nexport default { fetch: () => new Response(word + '!') }\n")
    info = await reloaded
    assert.deepEqual([names(info), info.added], [['app.ts'], undefined])
    assert.equal(await text(server.url), 'two!')
  })

  test('a deleted file written back: "added" after a reload said it was deleted, "changed" when no reload came between', async () => {
    const { project, server } = await start({
      'app.ts': "import { word } from './word'\nexport default { fetch: () => new Response(word) }\n",
      'word.ts': "export const word = 'one'\n",
    })
    assert.equal(await text(server.url), 'one')
    // rm: the build fails, and its line says the file was deleted.
    let reloaded = nextReload(server)
    rmSync(join(project.dir, 'word.ts'))
    let info = await reloaded
    assert.deepEqual([info.ok, names(info), info.deleted?.map((path) => basename(path))], [false, ['word.ts'], ['word.ts']])
    // git checkout -- word.ts: the line says it came back, as it did after an import esbuild left external (whose build
    // was good and did not read it). It said "changed" here, the last good build having read the file.
    reloaded = nextReload(server)
    project.write('word.ts', "export const word = 'two'\n")
    info = await reloaded
    assert.deepEqual([info.ok, names(info), info.added?.map((path) => basename(path)), info.deleted], [true, ['word.ts'], ['word.ts'], undefined])
    assert.equal(await text(server.url), 'two')
    // Deleted and written again before a build began (a checkout's unlink and write): changed, as the line before it left it.
    reloaded = nextReload(server)
    rmSync(join(project.dir, 'word.ts'))
    project.write('word.ts', "export const word = 'three'\n")
    info = await reloaded
    assert.deepEqual([info.ok, names(info), info.added, info.deleted], [true, ['word.ts'], undefined, undefined])
    assert.equal(await text(server.url), 'three')
  })

  test('deleting an imported file that is not code (a .txt) reloads, and the build error is served', async () => {
    const { project, server } = await start({
      'app.ts': "import greeting from './greeting.txt'\nexport default { fetch: () => new Response(greeting) }\n",
      'greeting.txt': 'hello',
    })
    assert.equal(await text(server.url), 'hello')
    const reloaded = nextReload(server)
    rmSync(join(project.dir, 'greeting.txt'))
    const info = await reloaded
    assert.equal(info.ok, false)
    assert.deepEqual(names(info), ['greeting.txt'])
    assert.deepEqual(info.deleted, info.changed)
    const broken = await request(server.url)
    assert.equal(broken.status, 500)
    assert.match(broken.text, /Could not resolve "\.\/greeting\.txt"/)
    // Written back: the file the import names fixes the build.
    const fixed = nextReload(server, (i) => i.ok)
    project.write('greeting.txt', 'hello again')
    await fixed
    assert.equal(await text(server.url), 'hello again')
  })

  test("a file created in a new folder beside the entry's fixes the import that could not find it", async () => {
    const project = projectDir({
      'package.json': '{ "type": "module" }\n',
      'src/app.ts': "import { shared } from '../shared/util'\nexport default { fetch: () => new Response(shared) }\n",
    })
    cleanup(project.remove)
    const server = await serve({ entry: join(project.dir, 'src/app.ts'), port: 0, workers: 1, quiet: true })
    cleanup(() => server.close())
    const broken = await request(server.url)
    assert.equal(broken.status, 500)
    assert.match(broken.text, /Could not resolve "\.\.\/shared\/util"/)
    // shared/ does not exist yet: the project's folder is watched for it.
    const reloaded = nextReload(server, (info) => info.ok)
    project.write('shared/util.ts', "export const shared = 'from shared'\n")
    await reloaded
    assert.equal(await text(server.url), 'from shared')
  })
})
