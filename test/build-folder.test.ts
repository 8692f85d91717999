// The build folder (.hotcell/) deleted while the server runs (`git clean
// -fdx`, "clear the cache"): saves still reload, and a worker replacing a
// crashed one still finds the served bundle. Before, every later reload
// failed with an internal ENOENT stack while the old code went on serving,
// and a replacement worker's import failed, blamed on the entry.
import assert from 'node:assert/strict'
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { request, serveProject, waitFor } from './helpers.js'
import { nextReload, text } from './reload-helpers.js'

// A package.json of its own: .hotcell/ is made beside it, not at the repository's root.
const files = (version: string) => ({
  'package.json': '{ "type": "module" }\n',
  'app.ts': [
    'export default {',
    '  fetch: (request: Request) => {',
    "    if (new URL(request.url).pathname === '/exit') process.exit(3)",
    `    if (new URL(request.url).pathname === '/fail') throw new Error('failed in ${version}')`,
    `    return new Response('${version}')`,
    '  },',
    '}',
    '',
  ].join('\n'),
})

/** The bundles in the server's build folder (.hotcell/<pid>-<id>/). */
const bundles = (dir: string) => {
  const cache = join(dir, '.hotcell')
  if (!existsSync(cache)) return []
  return readdirSync(cache, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => readdirSync(join(cache, entry.name)).filter((name) => name.startsWith('app-') && /\.mjs(\.map)?$/.test(name)))
}

/** A request answered by a worker, once the one that exited is replaced. */
const answered = (url: string) =>
  waitFor(
    async () => {
      const reply = await request(url)
      return reply.status !== 502 ? reply : undefined
    },
    10_000,
    'a replacement worker to answer',
  )

describe('build folder', () => {
  test('a save after .hotcell/ was deleted is built and served, and the folder is made again with its .gitignore', async () => {
    const { project, server } = await serveProject(files('one'), { reload: true })
    assert.equal(await text(server.url), 'one')
    rmSync(join(project.dir, '.hotcell'), { recursive: true, force: true })
    const reloaded = nextReload(server, (info) => info.ok)
    project.write('app.ts', files('two')['app.ts'])
    await reloaded
    assert.equal(await text(server.url), 'two')
    assert.ok(existsSync(join(project.dir, '.hotcell/.gitignore')), '.hotcell/.gitignore written again')
  })

  test('a worker replacing a crashed one after .hotcell/ was deleted imports the served bundle, written again at once', async () => {
    const { project, server } = await serveProject(files('one'), { reload: true })
    assert.equal(await text(server.url), 'one')
    const [bundle] = bundles(project.dir).filter((name) => name.endsWith('.mjs'))
    assert.ok(bundle, 'a bundle in .hotcell/')
    rmSync(join(project.dir, '.hotcell'), { recursive: true, force: true })
    await waitFor(() => bundles(project.dir).includes(bundle), 10_000, `the served bundle ${bundle} to be written again`)
    assert.equal((await request(`${server.url}/exit`)).status, 502)
    const after = await answered(server.url)
    assert.equal(after.status, 200, after.text)
    assert.equal(after.text, 'one')
  })

  test('--no-reload: the served bundle and its map are written back as they were, not rebuilt from a later save', async () => {
    const { project, server } = await serveProject(files('one'), { reload: false })
    assert.equal(await text(server.url), 'one')
    const served = bundles(project.dir).sort()
    assert.equal(served.length, 2, `a bundle and its source map in .hotcell/: ${served}`)
    // Saved since: with --no-reload nothing rebuilds, and the repair must not serve it either.
    project.write('app.ts', files('two')['app.ts'])
    rmSync(join(project.dir, '.hotcell'), { recursive: true, force: true })
    await waitFor(() => served.every((name) => bundles(project.dir).includes(name)), 10_000, `the served ${served} to be written again`)
    assert.ok(existsSync(join(project.dir, '.hotcell/.gitignore')), '.hotcell/.gitignore written again')
    assert.equal((await request(`${server.url}/exit`)).status, 502)
    const after = await answered(server.url)
    assert.equal(after.status, 200, after.text)
    assert.equal(after.text, 'one')
    // The replacement's stacks are mapped through the map written back: the .ts line, not the bundle's.
    const failed = await request(`${server.url}/fail`)
    assert.equal(failed.status, 500)
    assert.match(failed.text, /Error: failed in one\n\s+at .*app\.ts:4:58\)/)
  })
})
