// Hot reload on real files: edits, new and deleted files, broken code, which
// watcher events build and swap (and which leave the serving generation
// alone), and reload: false. A generation's life (fresh state, retiring, swaps
// under load) is in generations.test.ts; saves caught half-written, in
// half-saved.test.ts.
import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { serve } from '../src/index.js'
import type { ReloadInfo } from '../src/reload/reload-info.js'
import { RELOAD_CHANNEL } from '../src/reload/trace.js'
import { cleanup, freePort, projectDir, request, waitFor, withDeadline, serveProject } from './helpers.js'
import { countBuilds, nextReload, start, text } from './reload-helpers.js'

describe('hot reload', () => {
  test('an edit is served by the next request after the reload', async () => {
    const { project, server } = await start({
      'app.ts': `import { word } from './word'\nexport default { fetch: () => new Response(word) }\n`,
      'word.ts': `export const word = 'one'\n`,
    })
    assert.equal(await text(server.url), 'one')
    const reloaded = nextReload(server)
    project.write('word.ts', `export const word = 'two'\n`)
    const info = await reloaded
    assert.equal(info.ok, true)
    assert.deepEqual(
      info.changed.map((c) => c.split('/').pop()),
      ['word.ts'],
    )
    assert.equal(await text(server.url), 'two')
  })

  test('an edit saved while the server is still starting is not lost', async () => {
    // The socket listens before the first build, and requests wait for it: a
    // developer can see the first page and save before start() has resolved.
    const project = projectDir({ 'app.ts': `export default { fetch: () => new Response('v0') }\n` })
    cleanup(project.remove)
    const port = await freePort()
    const starting = serve({ entry: `${project.dir}/app.ts`, port, workers: 1, quiet: !process.env.DEBUG_HOTCELL })
    cleanup(async () => (await starting).close())
    const url = `http://127.0.0.1:${port}/`
    assert.equal(await waitFor(() => text(url).catch(() => undefined), 15_000, 'the first response'), 'v0')
    project.write('app.ts', `export default { fetch: () => new Response('v1') }\n`)
    await withDeadline(starting, 15_000, 'serve()')
    await waitFor(async () => (await text(url)) === 'v1', 10_000, 'the edit to be served')
  })

  test('a new imported file is picked up; deleting it is a build error until it is restored', async () => {
    const { project, server } = await start({ 'app.ts': `export default { fetch: () => new Response('plain') }\n` })
    let reloaded = nextReload(server)
    project.write('extra.ts', `export const extra = 'extra'\n`)
    project.write('app.ts', `import { extra } from './extra'\nexport default { fetch: () => new Response(extra) }\n`)
    await reloaded
    await waitFor(async () => (await text(server.url)) === 'extra', 5000, 'the new file to be served')

    reloaded = nextReload(server, (i) => !i.ok)
    rmSync(`${project.dir}/extra.ts`)
    await reloaded
    const broken = await request(server.url)
    assert.equal(broken.status, 500)
    assert.match(broken.text, /Could not resolve "\.\/extra"/)

    // Creating the missing file fixes the build: the watcher must see new files.
    reloaded = nextReload(server, (i) => i.ok)
    project.write('extra.ts', `export const extra = 'restored'\n`)
    await reloaded
    assert.equal(await text(server.url), 'restored')
  })

  test('the entry deleted under the server: a 500 that says so, then 200 once it is back', async () => {
    const body = `export default { fetch: () => new Response('here') }\n`
    const { project, server } = await start({ 'app.ts': body })
    const failed = nextReload(server, (info) => !info.ok)
    rmSync(join(project.dir, 'app.ts'))
    await failed
    const page = await request(server.url)
    assert.equal(page.status, 500)
    assert.match(page.text, /The entry \S*app\.ts was deleted, moved or renamed\. Restore it, or restart hotcell with its new path\./)
    assert.doesNotMatch(page.text, /Could not resolve/)
    // The hint says what fixes it: there is no error to fix in the code.
    assert.match(page.text, /Restore the entry, or create it again: it is served at once\./)
    assert.doesNotMatch(page.text, /Fix the error and save/)
    const back = nextReload(server, (info) => info.ok)
    project.write('app.ts', body)
    await back
    assert.equal(await text(server.url), 'here')
  })

  test('the entry renamed under the server: the 500 names the command with its new name', async () => {
    const { project, server } = await start({ 'app.ts': `export default { fetch: () => new Response('here') }\n`, 'lib.ts': 'export const x = 1\n' })
    // Written a while ago, as an entry usually was: the rename changes its ctime, not its mtime.
    const anHourAgo = new Date(Date.now() - 3_600_000)
    utimesSync(join(project.dir, 'app.ts'), anHourAgo, anHourAgo)
    const failed = nextReload(server, (info) => !info.ok)
    renameSync(join(project.dir, 'app.ts'), join(project.dir, 'main.ts'))
    await failed
    const page = await request(server.url)
    assert.equal(page.status, 500)
    assert.match(
      page.text,
      /The entry \S*app\.ts was deleted, moved or renamed\. Restore it, or restart hotcell with its new path: hotcell \S*main\.ts\./,
      page.text,
    )
  })

  test('Werkzeug: 200 → syntax error → 500 naming file:line → fix → 200', async () => {
    const { project, server } = await start({ 'app.ts': `export default { fetch: () => new Response('good') }\n` })
    assert.equal((await request(server.url)).status, 200)
    const failed = nextReload(server, (i) => !i.ok)
    project.write('app.ts', `export default { fetch: () => new Response('good' }\n`)
    await failed
    const res = await request(server.url)
    assert.equal(res.status, 500)
    assert.match(res.text, /app\.ts:1:51/)
    const fixed = nextReload(server, (i) => i.ok)
    project.write('app.ts', `export default { fetch: () => new Response('fixed') }\n`)
    await fixed
    const ok = await request(server.url)
    assert.equal(ok.status, 200)
    assert.equal(ok.text, 'fixed')
  })

  test('an entry stuck in a loop at import: after the import timeout, a 500 naming the line (no request waits for a stuck worker), then the fix is served', async () => {
    const { project, server } = await start({ 'app.ts': `export default { fetch: () => new Response('good') }\n` })
    assert.equal((await request(server.url)).text, 'good')
    const failed = nextReload(server, (i) => !i.ok, 30_000)
    project.write('app.ts', `let n = 0\nwhile (true) {\n  n++\n}\nexport default { fetch: () => new Response('never') }\n`)
    await failed // 10 s: the import timeout
    const res = await request(server.url)
    assert.equal(res.status, 500)
    assert.match(res.text, /did not finish importing within 10 s.*It is stuck at \S*app\.ts:2:1\./)
    assert.match(res.text, /> 2 \| while \(true\) \{/)
    const fixed = nextReload(server, (i) => i.ok)
    project.write('app.ts', `export default { fetch: () => new Response('fixed') }\n`)
    await fixed
    assert.equal((await request(server.url)).text, 'fixed')
  })

  for (const log of ['dev.log', 'out.txt', 'report.json'])
    test(`while the build is broken, a file no build reads (${log}, a log written next to the entry) rebuilds nothing`, async () => {
      const { project, server } = await start({ 'app.ts': `export default { fetch: () => new Response('good') }\n` })
      const failed = nextReload(server, (i) => !i.ok)
      project.write('app.ts', `export default { fetch: () => new Response('good' }\n`)
      await failed
      const seen: ReloadInfo[] = []
      server.on('reload', (info) => seen.push(info))
      for (let i = 0; i < 5; i++) {
        writeFileSync(join(project.dir, log), `line ${i}\n`, { flag: 'a' })
        await new Promise((resolve) => setTimeout(resolve, 40))
      }
      const fixed = nextReload(server, (i) => i.ok)
      project.write('app.ts', `export default { fetch: () => new Response('fixed') }\n`)
      await fixed
      assert.equal(await text(server.url), 'fixed')
      assert.deepEqual(
        seen.filter((info) => info.changed.some((file) => file.endsWith(log))),
        [],
      )
    })

  test('deleting an imported file is one build, not two (its own watcher says "change" before chokidar\'s unlink)', async () => {
    const { project, server } = await start({
      'app.ts': "import { word } from './word'\nexport default { fetch: () => new Response(word) }\n",
      'word.ts': "export const word = 'hi'\n",
    })
    assert.equal(await text(server.url), 'hi')
    const builds = countBuilds()
    rmSync(join(project.dir, 'word.ts'))
    await waitFor(() => builds.count >= 1, 10_000, 'a build for the deletion')
    // chokidar's unlink comes ~100 ms after the deletion: a second build would have started by then.
    await new Promise((r) => setTimeout(r, 600))
    assert.equal(builds.count, 1)
    assert.equal((await request(server.url)).status, 500)
    await server.close()
  })

  test('a file added or deleted beside the sources, or a save that changes nothing, keeps the serving generation and its state', async () => {
    // An app that writes its data into its own folder (a session file per request, a JSON "db"): a new .json or .ts
    // file is built (it may resolve an import), but the bundle is the same, so nothing is swapped.
    const app = (tag: string) => `let count = 0\nexport default { fetch: () => new Response('${tag} ' + ++count) }\n`
    const { project, server } = await start({ 'app.ts': app('v1') })
    assert.equal(await text(server.url), 'v1 1')
    const reloads: ReloadInfo[] = []
    server.on('reload', (info: ReloadInfo) => reloads.push(info))
    const builds = countBuilds()
    project.write('session-1.json', '{"user":1}')
    await waitFor(() => builds.count >= 1, 10_000, 'a build for the new file')
    project.write('unused.ts', 'export const x = 1\n')
    await waitFor(() => builds.count >= 2, 10_000, 'a build for the new .ts file')
    rmSync(join(project.dir, 'session-1.json'))
    project.write('app.ts', app('v1'))
    // Builds run one after another: once the edit below is served, every build before it has ended.
    const reloaded = nextReload(server)
    project.write('app.ts', app('v2'))
    const info = await reloaded
    assert.equal(await text(server.url), 'v2 1')
    // One swap, for the edit (the deletion before it may be merged into its build).
    assert.equal(reloads.length, 1, JSON.stringify(reloads.map((r) => r.changed)))
    assert.ok(
      reloads[0]!.changed.some((path) => path.endsWith('app.ts')),
      JSON.stringify(reloads[0]!.changed),
    )
    // Generation 2 was the standby booted at the start: no build before the edit took it.
    assert.equal(info.gen, 2)
    // Closed now, not after the file: chokidar reports an unlink ~100 ms late, and a
    // build it started would be counted by the next test, which counts builds on the
    // hotcell:reload channel that every server in this process shares.
    await server.close()
  })

  test("a save is built once: the watcher's own change event, which comes after the build began, does not build it again", async () => {
    const app = (tag: string) => `export default { fetch: () => new Response('${tag}') }\n`
    const { project, server } = await start({ 'app.ts': app('v1') })
    assert.equal(await text(server.url), 'v1')
    const phases: string[] = []
    const onPhase = (message: unknown) => phases.push((message as { phase: string }).phase)
    subscribe(RELOAD_CHANNEL, onPhase)
    cleanup(() => unsubscribe(RELOAD_CHANNEL, onPhase))
    for (const tag of ['v2', 'v3', 'v4']) {
      const reloaded = nextReload(server)
      project.write('app.ts', app(tag))
      const info = await reloaded
      assert.equal(info.ok, true)
      assert.equal(await text(server.url), tag)
      // The save is reported from fs.watch's raw event; chokidar's change event, after an
      // fs.stat of the file, comes within milliseconds as its echo and is dropped (watcher.ts).
      await new Promise((resolve) => setTimeout(resolve, 300))
    }
    assert.equal(phases.filter((phase) => phase === 'build').length, 3, phases.join(' '))
    assert.equal(phases.filter((phase) => phase === 'swap').length, 3, phases.join(' '))
  })

  test("in-place saves and an editor's atomic saves (a new file renamed over the old) in turns: each is served", async () => {
    // An in-place save is reported from its raw event, and chokidar's change
    // after it dropped as an echo (watcher.ts); an atomic save gives other
    // raw events (renames, the old file's attributes). Neither may hide the other.
    const app = (tag: string) => `export default { fetch: () => new Response('${tag}') }\n`
    const { project, server } = await start({ 'app.ts': app('v0') })
    const path = join(project.dir, 'app.ts')
    const reloads: ReloadInfo[] = []
    server.on('reload', (info: ReloadInfo) => reloads.push(info))
    for (let round = 1; round <= 6; round++) {
      project.write('app.ts', app(`in place ${round}`))
      await new Promise((r) => setTimeout(r, round * 4))
      writeFileSync(`${path}.tmp`, app(`atomic ${round}`))
      renameSync(`${path}.tmp`, path)
      await waitFor(async () => (await text(server.url)) === `atomic ${round}`, 10_000, `the atomic save of round ${round}`)
    }
    // The renamed-over file was the app all along: changed, never "added".
    assert.ok(reloads.length >= 6, `${reloads.length} reloads`)
    assert.deepEqual(
      reloads.filter((info) => info.added),
      [],
    )
  })

  test('reload: false ignores edits; server.reload() rebuilds on demand', async () => {
    const { project, server } = await start({ 'app.ts': `export default { fetch: () => new Response('a') }\n` }, { reload: false })
    project.write('app.ts', `export default { fetch: () => new Response('b') }\n`)
    await new Promise((r) => setTimeout(r, 300))
    assert.equal(await text(server.url), 'a')
    const info = await withDeadline(server.reload(), 10_000, 'server.reload()')
    assert.equal(info.ok, true)
    assert.deepEqual(info.changed, ['reload()'])
    assert.equal(await text(server.url), 'b')
  })

  // The CLI's --no-reload says a restart (failed-start.test.ts): under serve() nothing restarts hotcell, its caller reloads.
  test('reload: false: the error page and server.info say server.reload() serves the fix, not a save or a restart', async () => {
    const { project, server } = await start({ 'app.ts': `export default { fetch: () => new Response('a') }\n` }, { reload: false })
    project.write('app.ts', `export default { fetch: () => new Response('b' }\n`)
    const info = await withDeadline(server.reload(), 10_000, 'server.reload()')
    assert.equal(info.ok, false)
    const page = await request(server.url)
    assert.equal(page.status, 500)
    assert.match(page.text, /Fix the error and call server\.reload\(\) \(reloading on save is off\)\./)
    assert.doesNotMatch(page.text, /and save|restart/)
    assert.match(server.info.problem?.fix ?? '', /^fix \S*app\.ts:1 and call server\.reload\(\)$/)
    project.write('app.ts', `throw new Error('at import')\nexport default { fetch: () => new Response('c') }\n`)
    assert.equal((await withDeadline(server.reload(), 10_000, 'server.reload()')).ok, false)
    assert.match(server.info.problem?.fix ?? '', /^fix \S*app\.ts:1 and call server\.reload\(\)$/)
  })
})

describe('a save while the previous one is still importing', () => {
  test('is not kept waiting behind a slow import: the newer code is served, the stuck one given up', async () => {
    const app = (text: string) => `export default { fetch: () => new Response('${text}') }\n`
    const { project, server } = await serveProject({ 'app.ts': app('v1') })
    assert.equal((await request(server.url)).text, 'v1')
    // An import that takes a minute (a top-level await on something slow).
    project.write('app.ts', `await new Promise((r) => setTimeout(r, 60_000))\n${app('stuck')}`)
    await new Promise((r) => setTimeout(r, 500))
    project.write('app.ts', app('v2'))
    // Within the generation's own 10 s import limit, which alone would end the wait.
    await waitFor(async () => (await request(server.url)).text === 'v2', 8_000, 'v2 to be served')
  })
})
