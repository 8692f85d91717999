// What a standby generation does before it has a bundle: it imports the
// project's packages, and it rehearses the request path without ever calling
// the user's handler.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { HotcellServer } from '../src/index.js'
import { request, waitFor, withDeadline, serveProject } from './helpers.js'

/** A project with a package.json and packages of its own, which hotcell's install cannot resolve. */
async function start(files: Record<string, string>, workers = 1) {
  return serveProject({ 'package.json': '{ "name": "standby-case", "type": "module" }\n', ...files }, { workers })
}

const pkg = (name: string, body: string) => ({
  [`node_modules/${name}/package.json`]: JSON.stringify({ name, type: 'module', exports: './index.js' }),
  [`node_modules/${name}/index.js`]: body,
})

function reloaded(server: HotcellServer): Promise<unknown> {
  return withDeadline(new Promise((resolve) => server.once('reload', resolve)), 20_000, 'a reload')
}

const json = async (url: string) => JSON.parse((await request(url)).text) as Record<string, unknown>

describe('standby generations', () => {
  test("the project's packages are imported before the edit that needs them", async () => {
    const app = (v: number) =>
      `import { evaluatedAt } from 'eager-pkg'\n` +
      `export default { async fetch(request: Request) {\n` +
      `  if (new URL(request.url).pathname === '/lazy') await import('lazy-pkg')\n` +
      `  return Response.json({ v: ${v}, evaluatedAt, lazy: (globalThis as any).lazyLoaded === true })\n` +
      `} }\n`
    const { project, server } = await start({
      ...pkg('eager-pkg', 'export const evaluatedAt = Date.now()\n'),
      ...pkg('lazy-pkg', 'globalThis.lazyLoaded = true\n'),
      'app.ts': app(1),
    })
    assert.equal((await json(server.url)).v, 1)
    // The standby boots after the swap; give it time to be up before editing.
    await new Promise((r) => setTimeout(r, 1000))
    const next = reloaded(server)
    const editedAt = Date.now()
    project.write('app.ts', app(2))
    await next
    const body = await json(server.url)
    assert.equal(body.v, 2)
    // Evaluated by the standby, before the bundle it serves existed. It lives
    // only in the project's node_modules: resolving it from hotcell's own
    // folder would have failed and left it to the bundle's import.
    assert.ok((body.evaluatedAt as number) < editedAt, `eager-pkg evaluated at ${String(body.evaluatedAt)}, the edit was at ${editedAt}`)
    // A package the app imports only on demand is not imported ahead of it.
    assert.equal(body.lazy, false)
    assert.equal((await json(`${server.url}/lazy`)).lazy, true)
  })

  test("the rehearsal of the request path never calls the user's handler", async () => {
    const app = (v: number) => `let calls = 0\nexport default { fetch: () => Response.json({ v: ${v}, calls: ++calls }) }\n`
    const { project, server } = await start({ 'app.ts': app(1) })
    assert.deepEqual(await json(server.url), { v: 1, calls: 1 })
    await new Promise((r) => setTimeout(r, 1000))
    const next = reloaded(server)
    project.write('app.ts', app(2))
    await next
    // Give a rehearsal that wrongly went to the new handler time to run.
    await new Promise((r) => setTimeout(r, 500))
    assert.deepEqual(await json(server.url), { v: 2, calls: 1 })
    await waitFor(async () => (await json(server.url)).calls === 2, 5_000, 'the second call to count 2')
  })

  test('after a Node-style bundle, the standby loads and rehearses the Node adapter, never with the handler', async () => {
    // Whether the adapter was loaded before this bundle was imported (its mark, workers/node-adapter.ts).
    const app = (v: number) =>
      `const preloaded = Symbol.for('hotcell.nodeAdapter') in globalThis\n` +
      `let calls = 0\n` +
      `export default (req: unknown, res: { setHeader(k: string, v: string): void; end(s: string): void }) => {\n` +
      `  res.setHeader('content-type', 'application/json')\n` +
      `  res.end(JSON.stringify({ v: ${v}, calls: ++calls, preloaded }))\n` +
      `}\n`
    const { project, server } = await start({ 'app.ts': app(1) })
    assert.deepEqual(await json(server.url), { v: 1, calls: 1, preloaded: false })
    await new Promise((r) => setTimeout(r, 1000))
    const next = reloaded(server)
    project.write('app.ts', app(2))
    await next
    await new Promise((r) => setTimeout(r, 500))
    assert.deepEqual(await json(server.url), { v: 2, calls: 1, preloaded: true })
  })

  test('with two workers, the first to import the new bundle serves it and the other follows', async () => {
    const app = (v: number) =>
      `import { threadId } from 'node:worker_threads'\n` +
      `export default { async fetch(request: Request) {\n` +
      `  await new Promise((r) => setTimeout(r, Number(new URL(request.url).searchParams.get('hold') ?? 0)))\n` +
      `  return Response.json({ v: ${v}, thread: threadId })\n` +
      `} }\n`
    const { project, server } = await start({ 'app.ts': app(1) }, 2)
    // Two requests held at once run on two threads: each worker takes one.
    const pair = async () => (await Promise.all([json(`${server.url}?hold=300`), json(`${server.url}?hold=300`)])) as { v: number; thread: number }[]
    const before = await pair()
    assert.deepEqual(
      before.map((r) => r.v),
      [1, 1],
    )
    assert.equal(new Set(before.map((r) => r.thread)).size, 2, 'the server starts with both workers serving')
    await new Promise((r) => setTimeout(r, 1000))
    const next = reloaded(server)
    project.write('app.ts', app(2))
    await next
    assert.equal((await json(server.url)).v, 2)
    const after = await waitFor(
      async () => {
        const replies = await pair()
        return new Set(replies.map((r) => r.thread)).size === 2 ? replies : undefined
      },
      10_000,
      'both workers of the new generation serving',
    )
    assert.deepEqual(
      after.map((r) => r.v),
      [2, 2],
    )
    for (const { thread } of after) assert.ok(!before.some((r) => r.thread === thread), `thread ${thread} is a fresh one`)
  })
})
