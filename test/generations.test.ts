// A generation's life across reloads: each starts with fresh module state and
// its timers stop when it is retired; a request in flight finishes on the old
// code, whose bundle is deleted only once no request holds it; swaps under
// load fail no request and serve no old code after them; and a standby that
// cannot start does not stop later reloads.
import assert from 'node:assert/strict'
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, test } from 'node:test'
import { cleanup, projectDir, request, waitFor, withDeadline } from './helpers.js'
import { nextReload, start, text } from './reload-helpers.js'

describe('hot reload', () => {
  test("a standby whose workers cannot start (hotcell's own files replaced under the server) does not stop reloads", async () => {
    // A copy of hotcell's build, so that its worker files can go away without touching the one the other tests use.
    const repo = fileURLToPath(new URL('../../', import.meta.url))
    const copy = mkdtempSync(join(repo, '.tmp', 'hotcell-copy-'))
    cleanup(() => rmSync(copy, { recursive: true, force: true }))
    cpSync(join(repo, 'dist'), join(copy, 'dist'), { recursive: true })
    symlinkSync(join(repo, 'node_modules'), join(copy, 'node_modules'))
    const { serve: serveCopy } = (await import(pathToFileURL(join(copy, 'dist/src/index.js')).href)) as typeof import('../src/index.js')
    const project = projectDir({ 'app.ts': `export default { fetch: () => new Response('one') }\n` })
    cleanup(project.remove)
    const server = await serveCopy({ entry: join(project.dir, 'app.ts'), port: 0, workers: 1, quiet: true })
    cleanup(() => server.close())
    const logged: string[] = []
    const write = process.stderr.write.bind(process.stderr)
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      logged.push(String(chunk))
      return write(chunk, ...rest)
    }) as typeof process.stderr.write
    cleanup(() => (process.stderr.write = write))
    const save = async (version: string) => {
      const reloaded = nextReload(server, (i) => i.ok)
      project.write('app.ts', `export default { fetch: () => new Response('${version}') }\n`)
      await reloaded
      assert.equal(await text(server.url), version)
    }
    await save('two')
    await new Promise((resolve) => setTimeout(resolve, 1500)) // standbys up, edits slow again
    const bundle = join(copy, 'dist/workers/bundle')
    renameSync(bundle, `${bundle}.away`)
    // Served by standbys booted while the files were there; the one booted after them finds no runtime.
    await save('three')
    await save('four')
    await waitFor(() => logged.some((line) => line.includes('crashed outside any request')), 15_000, 'a standby to fail to boot')
    // Long enough for piscina's own retry to fail too, as it does while a reinstall runs.
    await new Promise((resolve) => setTimeout(resolve, 1000))
    renameSync(`${bundle}.away`, bundle)
    await save('five')
  })

  test('each generation starts fresh: module state restarts and old timers stop', async () => {
    const source = (tag: string, timer: boolean) => (dir: string) => ({
      'app.ts': `import { appendFileSync } from 'node:fs'
let count = 0
${timer ? `setInterval(() => appendFileSync(${JSON.stringify(dir + '/ticks.log')}, '${tag}\\n'), 20)` : ''}
export default { fetch: () => new Response('${tag} ' + ++count) }
`,
    })
    const { project, server } = await start(source('v1', true))
    assert.equal(await text(server.url), 'v1 1')
    assert.equal(await text(server.url), 'v1 2')
    await waitFor(() => existsSync(`${project.dir}/ticks.log`), 5000, 'the old timer to tick')

    const reloaded = nextReload(server)
    project.write('app.ts', source('v2', false)(project.dir)['app.ts'])
    await reloaded
    assert.equal(await text(server.url), 'v2 1', 'module state should restart with the new generation')

    // The old generation is destroyed once idle: its interval must stop.
    const ticks = () => readFileSync(`${project.dir}/ticks.log`, 'utf8').split('\n').length
    let last = ticks()
    await waitFor(
      async () => {
        await new Promise((r) => setTimeout(r, 150))
        const now = ticks()
        const stable = now === last
        last = now
        return stable
      },
      8000,
      'the old setInterval to stop',
    )
    await new Promise((r) => setTimeout(r, 300))
    assert.equal(ticks(), last, 'the old timer is still running')
  })

  test('a request in flight when the code changes finishes on the old code with 200', async () => {
    const { project, server } = await start({
      'app.ts': `export default { async fetch(req: Request) { if (new URL(req.url).pathname === '/slow') await new Promise((r) => setTimeout(r, 2000)); return new Response('old') } }\n`,
    })
    const slow = request(`${server.url}/slow`)
    await new Promise((r) => setTimeout(r, 200))
    const reloaded = nextReload(server)
    project.write('app.ts', `export default { fetch: () => new Response('new') }\n`)
    await reloaded
    assert.equal(await text(server.url), 'new')
    const res = await slow
    assert.equal(res.status, 200)
    assert.equal(res.text, 'old')
  })

  test('old bundles are deleted, but not the bundle of a generation still finishing a request', async () => {
    // /slow holds its request until the test writes `release`: its generation
    // retires through two reloads, and its workers could still import the
    // bundle (a replacement for a crashed worker does).
    const app = (dir: string, version: number) =>
      `import { existsSync, writeFileSync } from 'node:fs'\n` +
      `export default { async fetch(request: Request) {\n` +
      `  if (new URL(request.url).pathname === '/slow') {\n` +
      `    writeFileSync(${JSON.stringify(join(dir, 'started'))}, '')\n` +
      `    while (!existsSync(${JSON.stringify(join(dir, 'release'))})) await new Promise((r) => setTimeout(r, 10))\n` +
      `  }\n` +
      `  return new Response('v${version}')\n` +
      `} }\n`
    // A package.json of its own: the bundles go to this project's .hotcell/.
    const { project, server } = await start((dir) => ({ 'package.json': '{ "private": true }\n', 'app.ts': app(dir, 1) }))
    const outDir = () => {
      const cache = join(project.dir, '.hotcell')
      return join(cache, readdirSync(cache).find((name) => /^\d+-/.test(name))!)
    }
    const bundleOf = (version: number) =>
      readdirSync(outDir()).find((name) => /^app-.*\.mjs$/.test(name) && new RegExp(`["']v${version}["']`).test(readFileSync(join(outDir(), name), 'utf8')))
    assert.equal(await text(server.url), 'v1')
    const first = bundleOf(1)
    assert.ok(first, 'the first bundle is in the build folder')

    const slow = request(`${server.url}/slow`, { timeoutMs: 20_000 })
    await waitFor(() => existsSync(join(project.dir, 'started')), 10_000, 'the slow request to begin')
    for (const version of [2, 3]) {
      const reloaded = nextReload(server, (info) => info.ok)
      project.write('app.ts', app(project.dir, version))
      await reloaded
      assert.equal(await text(server.url), `v${version}`)
    }
    // Generation 2 has no request left after its swap: it ends, and its bundle goes.
    await waitFor(() => bundleOf(2) === undefined, 10_000, 'the bundle of generation 2 to be deleted')
    assert.ok(existsSync(join(outDir(), first)), `the bundle of the generation still serving /slow was deleted (${readdirSync(outDir()).join(', ')})`)
    writeFileSync(join(project.dir, 'release'), '')
    const reply = await slow
    assert.deepEqual([reply.status, reply.text], [200, 'v1'])
    await waitFor(() => !existsSync(join(outDir(), first)), 10_000, 'the first bundle to be deleted once its generation ended')
    assert.ok(existsSync(join(outDir(), bundleOf(3)!)), 'the serving bundle stays')
  })

  test('16 clients looping through 50 reloads: no failed request, no old code after a swap', async () => {
    const { project, server } = await start({ 'app.ts': `export default { fetch: () => new Response('0') }\n` }, { workers: 2 })
    const swappedAt: number[] = [0] // swappedAt[v]: when version v started serving
    server.on('reload', (info) => {
      if (info.ok) swappedAt.push(performance.now())
    })
    let running = true
    const failures: string[] = []
    const stale: string[] = []
    let served = 0
    const client = async () => {
      while (running) {
        const sentAt = performance.now()
        const known = swappedAt.length - 1 // the newest version already serving when sent
        try {
          const res = await fetch(server.url)
          const body = await res.text()
          served++
          if (res.status !== 200) failures.push(`${res.status} ${body.slice(0, 200)}`)
          else if (Number(body) < known) stale.push(`sent at ${sentAt.toFixed(1)} after v${known} served, got v${body}`)
        } catch (error) {
          failures.push(String(error))
        }
      }
    }
    const clients = Array.from({ length: 16 }, client)
    try {
      for (let version = 1; version <= 50; version++) {
        const reloaded = nextReload(server, (i) => i.ok)
        project.write('app.ts', `export default { fetch: () => new Response('${version}') }\n`)
        await reloaded
      }
    } finally {
      running = false
      await withDeadline(Promise.all(clients), 10_000, 'the clients to stop')
    }
    assert.equal(swappedAt.length - 1, 50)
    assert.deepEqual(failures, [])
    assert.deepEqual(stale, [])
    assert.ok(served > 100, `only ${served} requests were made`)
  })
})
