// Node loads its fetch implementation (undici) on the first read of Request,
// Response, Headers or FormData. A worker loads it only when the app needs
// it, and once the app has needed it, the next generations load it before
// their first request. Read from the worker's own list of loaded modules.
// On Node versions whose globals are V8 lazy data properties (24), a worker
// that cannot require undici itself (one of a Node started with flags: this
// test file's, under Node 24's test runner) loads it at boot: there every
// worker has it from the start, which the same tests check.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { Worker } from 'node:worker_threads'
import type { HotcellServer } from '../src/index.js'
import { cleanup, projectDir, request, ROOT, serveProject, startCli, withDeadline } from './helpers.js'

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

/**
 * Whether this Node defines Request as a getter that can be kept without
 * calling it (Node 20). Where it does not (a V8 lazy data property, Node 24),
 * workers load undici at boot unless they can require it themselves, which
 * those of a Node started without flags can (worker-pool.ts).
 */
async function keepsGettersLazy(): Promise<boolean> {
  // A fresh thread's globals: this one's may have been read already.
  const probe = new Worker(`require('node:worker_threads').parentPort.postMessage(typeof Object.getOwnPropertyDescriptor(globalThis, 'Request').get)`, {
    eval: true,
  })
  const [kind] = (await withDeadline(once(probe, 'message'), 10_000, 'the probe thread')) as [string]
  await probe.terminate()
  return kind === 'function'
}
const gettersLazy = await keepsGettersLazy()

/** Whether the workers of a server in this process load undici only when the app needs it. */
const lazyInWorkers = process.execArgv.length === 0 || gettersLazy

describe("Node's fetch classes in the worker", async () => {
  const lazy = lazyInWorkers

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

  test(`a Node (req, res) handler that ends its response ${lazy ? 'never loads them' : 'has them from the start (this Node)'}`, async () => {
    const nodeApp =
      `const undici = () => process.moduleLoadList.includes('NativeModule internal/deps/undici/undici')\n` +
      `export default (req, res) => {\n` +
      `  res.setHeader('set-cookie', ['a=1', 'b=2'])\n` +
      `  res.writeHead(201, { 'content-type': 'application/json', 'x-kind': 'node' })\n` +
      `  res.end(JSON.stringify({ undici: undici(), url: req.url }))\n` +
      `}\n`
    const { server } = await serveProject({ 'app.ts': nodeApp })
    for (const path of ['/one', '/two?x=1']) {
      const reply = await request(`${server.url}${path}`)
      assert.equal(reply.status, 201)
      assert.deepEqual(JSON.parse(reply.text), { undici: !lazy, url: path })
      assert.equal(reply.headers['x-kind'], 'node')
      assert.equal(reply.headers['content-type'], 'application/json')
      assert.deepEqual(reply.headers['set-cookie'], ['a=1', 'b=2'])
    }
  })
})

// The main thread never needs them either: it hands the bytes of each request
// to a worker. An ESM import of node:http loads undici on Node 22 and later
// (its namespace reads the WebSocket getters), ~30 ms of the start; the
// server's modules take node:http from process.getBuiltinModule instead.
// Processes of their own: this test file has loaded undici already, and the
// workers of a Node started without flags take another path (worker-pool.ts)
// than those of one started with some, as this test file may be.
describe('a server process of its own', () => {
  const undiciApp = (v: number) =>
    `export default { fetch: () => new Response(JSON.stringify({ v: ${v}, undici: process.moduleLoadList.includes('NativeModule internal/deps/undici/undici') })) }\n`

  async function serveInChild(
    flags: string[],
  ): Promise<{ first: { v: number; undici: boolean }; second: { v: number; undici: boolean }; mainUndici: boolean }> {
    const project = projectDir({ 'app.ts': undiciApp(1) })
    try {
      project.write(
        'serve.mjs',
        `
        const { serve } = await import(${JSON.stringify(join(ROOT, 'dist/src/index.js'))})
        const { get } = process.getBuiltinModule('node:http')
        const { writeFileSync } = process.getBuiltinModule('node:fs')
        const json = (url) => new Promise((resolve, reject) => get(url, (res) => { let body = ''; res.on('data', (c) => (body += c)); res.on('end', () => resolve(JSON.parse(body))) }).on('error', reject))
        const server = await serve({ entry: ${JSON.stringify(join(project.dir, 'app.ts'))}, port: 0, workers: 1, quiet: true })
        const first = await json(server.url)
        const reloaded = new Promise((resolve) => server.once('reload', resolve))
        writeFileSync(${JSON.stringify(join(project.dir, 'app.ts'))}, ${JSON.stringify(undiciApp(2))})
        await reloaded
        const second = await json(server.url)
        await server.close()
        console.log(JSON.stringify({ first, second, mainUndici: process.moduleLoadList.includes('NativeModule internal/deps/undici/undici') }))
      `,
      )
      const run = new Promise<string>((resolve, reject) =>
        execFile(process.execPath, [...flags, join(project.dir, 'serve.mjs')], { timeout: 30_000 }, (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
        ),
      )
      const stdout = await withDeadline(run, 40_000, 'the serving process')
      return JSON.parse(stdout.trim().split('\n').at(-1)!)
    } finally {
      project.remove()
    }
  }

  test('started without flags: the app sees none, nor do the worker threads and processes it starts', async () => {
    const probe = "const internals = (() => { try { require('internal/deps/undici/undici'); return true } catch { return false } })()\n"
    const project = projectDir({
      'child.cjs': `${probe}process.send({ execArgv: process.execArgv, internals })\n`,
      'app.ts':
        "import { Worker } from 'node:worker_threads'\nimport { fork } from 'node:child_process'\n" +
        'export default { async fetch() {\n' +
        `  const nested = await new Promise((resolve) => new Worker(${JSON.stringify(`${probe}require('node:worker_threads').parentPort.postMessage({ execArgv: process.execArgv, internals })`)}, { eval: true }).once('message', resolve))\n` +
        "  const child = fork(new URL('./child.cjs', import.meta.url))\n" +
        "  const forked = await new Promise((resolve) => child.once('message', resolve))\n" +
        '  return Response.json({ own: process.execArgv, nested, forked })\n' +
        '} }\n',
    })
    cleanup(project.remove)
    const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
    cleanup(() => cli.stop())
    const seen = JSON.parse((await request(cli.url)).text)
    assert.deepEqual(seen, { own: [], nested: { execArgv: [], internals: false }, forked: { execArgv: [], internals: false } })
  })

  test('started without flags: neither the main thread nor the workers load them, on every Node version', async () => {
    assert.deepEqual(await serveInChild([]), { first: { v: 1, undici: false }, second: { v: 2, undici: false }, mainUndici: false })
  })

  test(`started with a flag of its own: the workers inherit it and ${gettersLazy ? 'still never load them (this Node)' : 'have them from the start (this Node)'}`, async () => {
    const lazy = gettersLazy
    assert.deepEqual(await serveInChild(['--conditions=hotcell-test']), {
      first: { v: 1, undici: !lazy },
      second: { v: 2, undici: !lazy },
      mainUndici: false,
    })
  })
})
