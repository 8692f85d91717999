// --max-memory counts what a worker holds off-heap (Buffers, ArrayBuffers) too,
// through the real `hotcell` command: a handler keeping Buffers is replaced,
// its running request gets a 502 that says why, a leak between requests is
// said in the terminal; large bodies that are not kept are never punished
// (pool/memory-watch.ts, workers/memory-check.ts).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { cleanup, projectDir, request, startCli, waitFor, type CliRun } from './helpers.js'

const MIB = 1 << 20
const APP = `import { threadId } from 'node:worker_threads'
import { getHeapStatistics } from 'node:v8'
const kept: Buffer[] = []
const external = () => getHeapStatistics().external_memory
export default {
  async fetch(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname
    if (path === '/leak') {
      // Up to 128 MiB: without the check, the worker would keep that, not grow the machine out of memory.
      if (kept.length < 128) for (let i = 0; i < 32; i++) kept.push(Buffer.alloc(1 << 20, 1))
      return Response.json({ threadId, keptMiB: kept.length })
    }
    if (path === '/hold') {
      for (let i = 0; i < 96; i++) kept.push(Buffer.alloc(1 << 20, 1))
      // Until the timeout aborts it: only the memory check can end it sooner.
      await new Promise((_resolve, reject) => request.signal.addEventListener('abort', () => reject(request.signal.reason)))
    }
    if (path === '/upload') return Response.json({ threadId, bytes: (await request.arrayBuffer()).byteLength })
    if (path === '/download') return new Response(Buffer.alloc(20 << 20, 2))
    if (path === '/garbage') {
      // Over the limit, and dropped at once: garbage V8 may collect late, or not at all in a worker left idle
      // (a single 100 MiB ArrayBuffer dropped stayed counted for seconds, Node 20 and 24). This request then
      // waits until a collection freed it.
      const limit = Number(new URL(request.url).searchParams.get('limit')) << 20
      new Uint8Array(limit * 2).fill(3)
      const peakMiB = external() >> 20
      while (external() > limit) await new Promise((resolve) => setTimeout(resolve, 20))
      return Response.json({ threadId, peakMiB })
    }
    return Response.json({ threadId })
  },
}
`
const LINE = /Worker \d+ held \d+ MiB in Buffers and ArrayBuffers/g
const threadOf = async (url: string) => (JSON.parse((await request(url)).text) as { threadId: number }).threadId

describe('--max-memory 64 and Buffers (off-heap memory)', () => {
  const project = projectDir({ 'app.ts': APP })
  let cli: CliRun
  before(async () => {
    // --timeout 10s: a request the check does not end gets its 504 within the test's deadline.
    cli = await startCli(['app.ts', '--port', '0', '--workers', '1', '--max-memory', '64', '--body-limit', '32mb', '--timeout', '10s'], {
      cwd: project.dir,
    })
    cleanup(() => cli.child.exitCode === null && cli.child.kill('SIGKILL'))
  })
  after(async () => {
    await cli.stop()
    project.remove()
  })

  test('20 MiB uploads and responses: all 200, the worker is kept, nothing said', async () => {
    const first = await threadOf(`${cli.url}/`)
    const body = Buffer.alloc(20 * MIB, 1)
    for (let i = 0; i < 6; i++) {
      const up = await request(`${cli.url}/upload`, { method: 'POST', body, timeoutMs: 20_000 })
      assert.equal(up.status, 200, up.text)
      assert.deepEqual(JSON.parse(up.text), { threadId: first, bytes: 20 * MIB })
      const down = await request(`${cli.url}/download`, { timeoutMs: 20_000 })
      assert.equal(down.status, 200)
      assert.equal(down.body.length, 20 * MIB)
    }
    assert.equal(await threadOf(`${cli.url}/`), first)
    assert.deepEqual(cli.output().match(LINE), null, cli.output())
  })

  test('a 128 MiB Buffer dropped before the worker is looked at: the check collects it, the worker is kept', async () => {
    const first = await threadOf(`${cli.url}/`)
    // Answered once a collection freed the garbage: the check's, as the worker sat idle.
    const res = await request(`${cli.url}/garbage?limit=64`, { timeoutMs: 20_000 })
    assert.equal(res.status, 200, res.text)
    const { threadId, peakMiB } = JSON.parse(res.text) as { threadId: number; peakMiB: number }
    assert.equal(threadId, first)
    assert.ok(peakMiB > 64, `the garbage went over the limit (${peakMiB} MiB)`)
    assert.equal(await threadOf(`${cli.url}/`), first)
    assert.deepEqual(cli.output().match(LINE), null, cli.output())
  })

  test('a request holding 96 MiB of Buffers while it runs: 502 naming it and the numbers, a new worker', async () => {
    const before = await threadOf(`${cli.url}/`)
    const res = await request(`${cli.url}/hold`, { timeoutMs: 20_000 })
    assert.equal(res.status, 502, res.text)
    assert.match(res.text, /The worker handling this request went over --max-memory/)
    assert.match(
      res.text,
      /held (9[6-9]|1\d\d) MiB in Buffers and ArrayBuffers \(off-heap, after a garbage collection; its heap: [\d.]+ MiB\), over --max-memory 64 MiB while running GET http:\/\/\S+\/hold/,
    )
    assert.match(res.text, /raise --max-memory/)
    assert.notEqual(await threadOf(`${cli.url}/`), before, 'the worker was replaced')
  })

  test('a leak of 32 MiB per request: the worker is replaced, and the terminal names the leaking request', async () => {
    const before = await threadOf(`${cli.url}/`)
    const from = cli.output().length
    // Each is answered 200 as a rule (the request is over when the worker is looked at; one running then gets the 502), until a new worker answers.
    await waitFor(
      async () => {
        const res = await request(`${cli.url}/leak`, { timeoutMs: 20_000 })
        return res.status === 502 || (JSON.parse(res.text) as { threadId: number }).threadId !== before
      },
      30_000,
      'a request served by a new worker',
      50,
    )
    const said = await waitFor(
      () => /Worker \d+ held \d+ MiB in Buffers and ArrayBuffers[^\n]*/.exec(cli.output().slice(from))?.[0],
      10_000,
      'the terminal to say it',
    )
    assert.match(
      said,
      /over --max-memory 64 MiB (\(the last request it began: GET http:\/\/\S+\/leak\)|while running GET http:\/\/\S+\/leak)\. hotcell terminated it and started a new one/,
    )
    assert.equal((await request(`${cli.url}/`)).status, 200)
  })
})
