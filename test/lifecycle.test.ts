// The server's lifecycle: a start that fails part-way releases everything a
// started server would release on close() — workers, esbuild, watchers, the
// socket — so that a program calling serve() again (or a test) is not left
// with threads, processes or file watches of the failed attempt.
import assert from 'node:assert/strict'
import { readdirSync, writeFileSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import { createServer, type Server } from 'node:net'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { describe, test } from 'node:test'
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks'
import { serve } from '../src/index.js'
import { RELOAD_CHANNEL } from '../src/reload/trace.js'
import { cleanup, projectDir, request, startCli, waitFor, withDeadline } from './helpers.js'

const threads = () => readdirSync('/proc/self/task').length
/** Handles that keep the process alive: sockets, child processes, file watches. Timers come and go. */
const handles = () =>
  process
    .getActiveResourcesInfo()
    .filter((r) => !/Timeout|Immediate|CloseReq|FSReqCallback/.test(r))
    .sort()

function listenOnFreePort(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => resolve(server))
    server.on('error', reject)
  })
}

/** Start `serve()` expecting it to fail; then everything it started must be gone again. */
async function failedStart(start: () => Promise<unknown>): Promise<Error> {
  // libuv's thread pool (4 threads) starts with the process's first async fs
  // call and never ends: start it now, or the start below counts it (Node 24
  // makes no such call before the test does).
  await stat('.')
  // A handle closed just now is listed until the event loop's next turn.
  await new Promise((r) => setTimeout(r, 20))
  const before = { threads: threads(), handles: handles() }
  const error = await withDeadline(
    start().then(
      () => assert.fail('serve() resolved'),
      (e: Error) => e,
    ),
    30_000,
    'serve() to fail',
  )
  await waitFor(() => threads() === before.threads, 10_000, `the worker threads to end (${threads()} threads, ${before.threads} before)`)
  await waitFor(
    () => handles().join() === before.handles.join(),
    10_000,
    `the handles to close (now: ${handles().join(', ')}; before: ${before.handles.join(', ')})`,
  )
  return error
}

describe('lifecycle', () => {
  test('a busy port fails the start, and the workers and esbuild booted beside it end', async () => {
    const project = projectDir({ 'app.ts': `export default { fetch: () => new Response('x') }\n` })
    const busy = await listenOnFreePort()
    try {
      const port = (busy.address() as { port: number }).port
      const error = await failedStart(() => serve({ entry: `${project.dir}/app.ts`, port, workers: 1, quiet: true }))
      assert.equal((error as Error & { code?: string }).code, 'ERR_LISTEN')
    } finally {
      await new Promise((resolve) => busy.close(resolve))
      project.remove()
    }
  })

  test('a start that fails after the watchers started closes them, the socket and the workers', async () => {
    // A file where the build folder must go: esbuild's output cannot be written, after the socket is bound.
    const project = projectDir({ 'package.json': '{ "name": "blocked", "type": "module" }\n', 'app.ts': `export default { fetch: () => new Response('x') }\n` })
    writeFileSync(`${project.dir}/.hotcell`, 'not a folder\n')
    const probe = await listenOnFreePort()
    const port = (probe.address() as { port: number }).port
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    try {
      const error = await failedStart(() => serve({ entry: `${project.dir}/app.ts`, port, workers: 1, quiet: true }))
      assert.match(error.message, /\.hotcell/)
      // The port is free again.
      const again = createServer()
      await new Promise<void>((resolve, reject) => again.once('error', reject).listen(port, '127.0.0.1', () => resolve()))
      await new Promise((resolve) => again.close(resolve))
    } finally {
      project.remove()
    }
  })

  test('once the start has been quiet, the main thread collects its heap, and no gc global leaks anywhere', async () => {
    // Each collection is announced before and after (settle-heap.ts); a major one must run in between.
    const majors: { start: number; end: number }[] = []
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const { kind } = (entry as PerformanceEntry & { detail: { kind: number } }).detail
        if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors.push({ start: entry.startTime, end: entry.startTime + entry.duration })
      }
    })
    observer.observe({ entryTypes: ['gc'] })
    const settlings: { settle: number; settled?: number }[] = []
    const onPhase = (message: unknown) => {
      const { phase } = message as { phase: string }
      if (phase === 'settle') settlings.push({ settle: performance.now() })
      if (phase === 'settled') settlings.at(-1)!.settled = performance.now()
    }
    subscribe(RELOAD_CHANNEL, onPhase)
    cleanup(() => unsubscribe(RELOAD_CHANNEL, onPhase))
    const collected = () => settlings.filter(({ settle, settled }) => settled !== undefined && majors.some((gc) => gc.start >= settle && gc.end <= settled))
    const project = projectDir({ 'app.ts': `export default { fetch: () => Response.json({ gc: typeof (globalThis as { gc?: unknown }).gc }) }\n` })
    const server = await serve({ entry: `${project.dir}/app.ts`, port: 0, workers: 1, quiet: true })
    try {
      // Two: the second, a second later, is the one that gives the young generation back.
      await waitFor(() => collected().length >= 2, 20_000, 'two settlings, each with a major collection on the main thread')
      assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined')
      // Nor a worker booted after it: the standby taken by the second reload booted after the first one.
      await withDeadline(server.reload(), 20_000, 'a reload')
      await withDeadline(server.reload(), 20_000, 'a second reload')
      assert.deepEqual(JSON.parse((await request(server.url)).text), { gc: 'undefined' })
    } finally {
      observer.disconnect()
      await server.close()
      project.remove()
    }
  })

  test('close() twice is one shutdown; reload() after close() rejects, naming the mistake', async () => {
    const project = projectDir({ 'app.ts': `export default { fetch: () => new Response('hi') }\n` })
    cleanup(project.remove)
    const server = await serve({ entry: `${project.dir}/app.ts`, port: 0, workers: 1, quiet: true })
    await withDeadline(Promise.all([server.close(), server.close()]), 15_000, 'close() twice')
    await assert.rejects(server.reload(), { name: 'HotcellError', code: 'ERR_SERVER_CLOSED', message: /reload\(\) after close\(\): this server is closed/ })
  })

  test('a request still running when a reload ends its workers gets a 502 that says so (after the 5 s grace)', async () => {
    const project = projectDir({
      'app.ts': `export default { fetch: async () => { await new Promise((r) => setTimeout(r, 9000)); return new Response('late') } }\n`,
    })
    const server = await serve({ entry: `${project.dir}/app.ts`, port: 0, workers: 1, quiet: !process.env.DEBUG_HOTCELL })
    try {
      const slow = request(`${server.url}/`, { timeoutMs: 20_000 })
      await new Promise((r) => setTimeout(r, 300))
      await server.reload()
      const res = await slow
      assert.equal(res.status, 502)
      assert.match(res.text, /The request outlived its workers/)
      assert.match(res.text, /hotcell reloaded the code while this request ran, and it was still running 5 s later/)
      assert.match(res.text, /Retry the request: the new code serves it\./)
      // It was waiting, not running JavaScript: no place to name, and its worker was not paused to look for one.
      assert.doesNotMatch(res.text, /It was stuck at/)
    } finally {
      await server.close()
      project.remove()
    }
  })

  test('a request stuck in a loop when a reload ends its workers gets a 502 that says where it was stuck, as a --timeout 504 does', async () => {
    const project = projectDir({
      'app.ts': `function spin() {
  for (;;) {}
}
export default { fetch: (request: Request) => (new URL(request.url).pathname === '/spin' ? spin() : new Response('ok')) }
`,
    })
    const server = await serve({ entry: `${project.dir}/app.ts`, port: 0, workers: 1, quiet: !process.env.DEBUG_HOTCELL })
    try {
      const stuck = request(`${server.url}/spin`, { timeoutMs: 20_000 })
      await new Promise((r) => setTimeout(r, 300))
      // The save meant to fix it: the new code serves at once.
      await server.reload()
      assert.equal((await request(`${server.url}/`)).text, 'ok')
      const res = await stuck
      assert.equal(res.status, 502)
      assert.match(res.text, /hotcell reloaded the code while this request ran, and it was still running 5 s later/)
      assert.match(res.text, /It was stuck at \S*app\.ts:2:\d+ in spin\(\)/)
    } finally {
      await server.close()
      project.remove()
    }
  })

  test('a request queued behind one stuck in a loop, when a save brings the fix: the new code serves it, not a 502', async () => {
    const app = (answer: string) => `function spin() {
  for (;;) {}
}
export default { fetch: (request: Request) => (new URL(request.url).pathname === '/spin' ? spin() : new Response('${answer}')) }
`
    const project = projectDir({ 'app.ts': app('old') })
    cleanup(project.remove)
    const server = await serve({ entry: `${project.dir}/app.ts`, port: 0, workers: 1, quiet: !process.env.DEBUG_HOTCELL })
    cleanup(() => server.close())
    const stuck = request(`${server.url}/spin`, { timeoutMs: 30_000 })
    await new Promise((r) => setTimeout(r, 300))
    // Its one worker is stuck: this one waits behind the loop, never begun.
    const queued = request(`${server.url}/queued`, { timeoutMs: 30_000 })
    await new Promise((r) => setTimeout(r, 300))
    project.write('app.ts', app('new'))
    await waitFor(async () => (await request(`${server.url}/`)).text === 'new', 10_000, 'the new code')
    const [stuckRes, queuedRes] = await Promise.all([stuck, queued])
    // The one the loop held still gets its 502 with where it was stuck; the one behind it, the fix.
    assert.equal(stuckRes.status, 502)
    assert.equal(queuedRes.status, 200)
    assert.equal(queuedRes.text, 'new')
  })

  test('a stream (not an event stream) still open when a reload ends its workers is cut off; the log gives the status the client saw, not a 502', async () => {
    const app = (v: number) =>
      `export default { fetch: () => new Response(new ReadableStream({ start(c) { setInterval(() => c.enqueue(new TextEncoder().encode('v${v}\\n')), 200) } }), { headers: { 'content-type': 'application/x-ndjson' } }) }\n`
    const project = projectDir({ 'app.ts': app(1) })
    cleanup(project.remove)
    const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
    cleanup(() => cli.stop())
    const res = await fetch(cli.url)
    assert.equal(res.status, 200)
    const body = res.text()
    await new Promise((r) => setTimeout(r, 500))
    project.write('app.ts', app(2))
    // Cut after the 5 s grace: a truncated body, never a clean end.
    await assert.rejects(withDeadline(body, 15_000, 'the cut stream'), /terminated/)
    await waitFor(() => /the response had started, and its body was cut off/.test(cli.output()), 5_000, `the cut in the terminal\n${cli.output()}`)
    assert.match(cli.output(), /200 The request outlived its workers: the response had started, and its body was cut off/)
    assert.doesNotMatch(cli.output(), /502 The request outlived its workers/)
  })

  test('an event stream open at a reload ends at once, cleanly, its request.signal aborted; the next request gets the new code', async () => {
    // The handler stops on abort and says why in the stream's last event, which the clean end delivers.
    const app = (v: number) => `export default {
  fetch(request: Request) {
    if (new URL(request.url).pathname !== '/events') return new Response('v${v}')
    const encoder = new TextEncoder()
    return new Response(
      new ReadableStream({
        start(c) {
          const t = setInterval(() => c.enqueue(encoder.encode('data: v${v}\\n\\n')), 100)
          request.signal.addEventListener('abort', () => {
            clearInterval(t)
            console.log('v${v} stream aborted: ' + request.signal.reason.message)
          })
        },
      }),
      { headers: { 'content-type': 'text/event-stream' } },
    )
  },
}
`
    const project = projectDir({ 'app.ts': app(1) })
    cleanup(project.remove)
    const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
    cleanup(() => cli.stop())
    const res = await fetch(`${cli.url}/events`)
    assert.equal(res.status, 200)
    const body = res.text()
    await new Promise((r) => setTimeout(r, 300))
    project.write('app.ts', app(2))
    // A clean end: a stream cut after the grace, as a download is, rejects ("terminated").
    const text = await withDeadline(body, 15_000, 'the ended event stream')
    assert.match(text, /^data: v1\n\n/)
    assert.doesNotMatch(text, /v2/)
    assert.equal((await request(`${cli.url}/`)).text, 'v2')
    await waitFor(() => /v1 stream aborted/.test(cli.output()), 5_000, `the handler's abort\n${cli.output()}`)
    assert.match(cli.output(), /v1 stream aborted: hotcell reloaded the code: it ended this event stream, and its client reconnects to the new code/)
    assert.doesNotMatch(cli.output(), /outlived its workers|body was cut off/)
  })

  test('a shutdown ends an open event stream cleanly, and reports no cut', async () => {
    const project = projectDir({
      'app.ts': `export default {
  fetch: (request: Request) =>
    new Response(
      new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode('data: hello\\n\\n'))
          request.signal.addEventListener('abort', () => console.log('stream aborted: ' + request.signal.reason.message))
        },
      }),
      { headers: { 'content-type': 'text/event-stream; charset=utf-8' } },
    ),
}
`,
    })
    cleanup(project.remove)
    const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
    cleanup(() => cli.stop())
    const res = await fetch(`${cli.url}/events`)
    const body = res.text()
    await new Promise((r) => setTimeout(r, 300))
    const stopped = cli.stop()
    // Cut after the grace, it would reject ("terminated").
    assert.equal(await withDeadline(body, 15_000, 'the event stream'), 'data: hello\n\n')
    assert.equal(await stopped, 0)
    // Its abort listener runs only if the worker gets to it before the shutdown ends it (on Node 24 it often does not).
    assert.doesNotMatch(cli.output(), /outlived its workers|body was cut off/)
  })

  test('a shutdown does not wait for a request whose client left (nobody to answer), nor logs a 502 for it', async () => {
    // The handler ignores request.signal and never settles.
    const project = projectDir({ 'app.ts': 'export default { fetch: () => new Promise<Response>(() => {}) }\n' })
    cleanup(project.remove)
    const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
    cleanup(() => cli.stop())
    const client = httpRequest(`${cli.url}/hang`, { agent: false })
    client.on('error', () => {})
    client.end()
    await new Promise((r) => setTimeout(r, 300))
    client.destroy()
    await waitFor(() => /GET \/hang client left, no response/.test(cli.output()), 5_000, `the request line\n${cli.output()}`)
    const stopping = performance.now()
    assert.equal(await cli.stop(), 0)
    // Well before the 5 s grace a request still being answered gets.
    assert.ok(performance.now() - stopping < 4_000, `the shutdown took ${Math.round(performance.now() - stopping)} ms\n${cli.output()}`)
    assert.doesNotMatch(cli.output(), /outlived its workers|502/)
  })
})
