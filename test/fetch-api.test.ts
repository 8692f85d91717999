// Node loads its fetch implementation (undici) on the first read of Request,
// Response, Headers or FormData. A worker loads it only when the app needs
// it, and once the app has needed it, the next generations load it before
// their first request. Read from the worker's own list of loaded modules.
// Node versions whose globals are V8 lazy data properties (24) load undici
// when the runtime installs its Request and Response: there every worker has
// it from the start, which the same tests check.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { describe, test } from 'node:test'
import { Worker } from 'node:worker_threads'
import type { HotcellServer } from '../src/index.js'
import { request, serveProject, withDeadline } from './helpers.js'

const app = (v: number) =>
  `const undici = () => process.moduleLoadList.includes('NativeModule internal/deps/undici/undici')\n` +
  `export default { fetch(request: Request) {\n` +
  `  const path = new URL(request.url).pathname\n` +
  `  if (path === '/headers') return new Response(String(request.headers.get('x-probe')))\n` +
  `  if (path === '/json') return Response.json({ v: ${v}, undici: undici() }, { headers: { 'x-kind': 'json' } })\n` +
  `  return new Response(JSON.stringify({ v: ${v}, undici: undici() }), { headers: { 'content-type': 'application/json', 'x-kind': 'text' } })\n` +
  `} }\n`

function reloaded(server: HotcellServer): Promise<unknown> {
  return withDeadline(new Promise((resolve) => server.once('reload', resolve)), 20_000, 'a reload')
}

const state = async (url: string) => {
  const reply = await request(url)
  assert.equal(reply.status, 200)
  return { ...(JSON.parse(reply.text) as { v: number; undici: boolean }), kind: reply.headers['x-kind'], type: reply.headers['content-type'] }
}

/** Whether this Node defines Request as a getter that can be kept without calling it (a fresh thread's globals). */
async function keepsGettersLazy(): Promise<boolean> {
  const probe = new Worker(`require('node:worker_threads').parentPort.postMessage(typeof Object.getOwnPropertyDescriptor(globalThis, 'Request').get)`, {
    eval: true,
  })
  const [kind] = (await withDeadline(once(probe, 'message'), 10_000, 'the probe thread')) as [string]
  await probe.terminate()
  return kind === 'function'
}

describe("Node's fetch classes in the worker", async () => {
  const lazy = await keepsGettersLazy()

  test(`a handler answering strings and JSON with plain headers ${lazy ? 'never loads them, even across reloads' : 'has them from the start (this Node)'}`, async () => {
    const { project, server } = await serveProject({ 'app.ts': app(1) })
    assert.deepEqual(await state(server.url), { v: 1, undici: !lazy, kind: 'text', type: 'application/json' })
    assert.deepEqual(await state(`${server.url}/json`), { v: 1, undici: !lazy, kind: 'json', type: 'application/json' })
    const next = reloaded(server)
    project.write('app.ts', app(2))
    await next
    assert.deepEqual(await state(server.url), { v: 2, undici: !lazy, kind: 'text', type: 'application/json' })
  })

  test('once the app read a header, the next generation has them before its first request', async () => {
    const { project, server } = await serveProject({ 'app.ts': app(1) })
    assert.equal((await state(server.url)).undici, !lazy)
    assert.equal((await request(`${server.url}/headers`, { headers: { 'x-probe': 'seen' } })).text, 'seen')
    assert.equal((await state(server.url)).undici, true)
    // The standby booted before the header was read is told to load them;
    // the edit comes after it had the time to.
    await new Promise((r) => setTimeout(r, 500))
    const next = reloaded(server)
    project.write('app.ts', app(2))
    await next
    assert.deepEqual(await state(server.url), { v: 2, undici: true, kind: 'text', type: 'application/json' })
  })
})
