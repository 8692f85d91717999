// The fault matrix: whatever the handler does, the client gets a
// page naming the cause, the terminal says it once, and the next request is
// served normally.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { serve, type HotcellServer } from '../src/index.js'
import { fixture, projectDir, request, startCli, waitFor, withDeadline, type CliRun } from './helpers.js'
import { CrashLoopError } from '../src/errors.js'
import { loadFailureTitle, lostView } from '../src/report/fault-views.js'

const threadOf = (text: string) => Number(/thread (\d+)/.exec(text)?.[1])

describe('fault matrix (CLI, one worker, --timeout 1500, --max-memory 64)', () => {
  let cli: CliRun
  before(async () => {
    cli = await startCli([fixture('faults.ts'), '--port', '0', '--workers', '1', '--timeout', '1500', '--max-memory', '64'])
  })
  after(() => cli.stop())

  const okThread = async () => {
    const res = await request(`${cli.url}/ok`)
    assert.equal(res.status, 200)
    return threadOf(res.text)
  }

  test('a promise that never settles: 504, request.signal aborted with a TimeoutError, worker kept', async () => {
    const before = await okThread()
    const res = await request(`${cli.url}/hang`, { timeoutMs: 20_000 })
    assert.equal(res.status, 504)
    assert.match(
      res.text,
      /\/hang did not answer within 1\.5 s\. Its worker was idle, waiting for something \(a slow call or a timer still pending, or a promise that never settles\?\)\. request\.signal was aborted/,
    )
    // The option has the same name in the config file and serve(): the hint says so.
    assert.match(res.text, /--timeout \(e\.g\. --timeout 60s; timeout in hotcell\.config\.ts or serve\(\)\)/)
    assert.equal(await okThread(), before, 'an idle worker is not replaced')
    await waitFor(
      async () => (JSON.parse((await request(`${cli.url}/events`)).text) as string[]).includes('hang aborted: TimeoutError'),
      5000,
      'the handler to see the abort',
    )
  })

  test('a handler that rejects with the timeout abort (request.signal passed on): the 504, not a 500', async () => {
    const res = await request(`${cli.url}/hang-signal`, { timeoutMs: 20_000 })
    assert.equal(res.status, 504)
    assert.match(res.text, /\/hang-signal did not answer within 1\.5 s/)
  })

  test('process.exit(7): 502 naming exit code 7 and the .ts line that called it, new worker, next request 200', async () => {
    const before = await okThread()
    const res = await request(`${cli.url}/exit?code=7`)
    assert.equal(res.status, 502)
    assert.match(res.text, /exited with code 7: process\.exit\(7\) was called/)
    // Where: the fixture's line, with its code frame.
    const line =
      readFileSync(fixture('faults.ts'), 'utf8')
        .split('\n')
        .findIndex((text) => text.includes('process.exit(Number(')) + 1
    assert.match(res.text, new RegExp(`faults\\.ts:${line}:\\d+`))
    assert.match(res.text, new RegExp(`> ${line} \\|\\s+process\\.exit\\(Number\\(url\\.searchParams`))
    assert.notEqual(await okThread(), before)
  })

  test("process.kill(process.pid, 'SIGTERM'): it ends the worker as process.exit() does, not the server; 502 naming the call and its .ts line", async () => {
    assert.equal((await request(`${cli.url}/probe`)).text, 'alive: true')
    const before = await okThread()
    const res = await request(`${cli.url}/kill`)
    assert.equal(res.status, 502)
    assert.match(res.text, /exited with code 143: process\.kill\(process\.pid, 'SIGTERM'\) was called\. In a worker it ends the worker/)
    assert.match(res.text, /> 1\d\d \|\s+process\.kill\(process\.pid, url\.searchParams/)
    const hup = await request(`${cli.url}/kill?signal=SIGHUP`)
    assert.equal(hup.status, 502)
    assert.match(hup.text, /exited with code 129: process\.kill\(process\.pid, 'SIGHUP'\) was called/)
    // The server is still up: a new worker serves.
    const after = await okThread()
    assert.notEqual(after, before)
    assert.doesNotMatch(cli.output(), /shutting down/)
  })

  test('a synchronous loop: 504 naming the request, worker terminated and replaced, bystander on it gets 502', async () => {
    // Runs after a worker replacement on purpose: the inspector's worker ids then differ from thread ids.
    const before = await okThread()
    // The bystander waits on a timer on the only worker; /spin then blocks that worker.
    const bystander = request(`${cli.url}/hold?ms=400&tag=bystander`, { timeoutMs: 20_000 })
    // /spin must start right after it: the bystander's deadline comes first, and the
    // watchdog then names /spin only if /spin's own deadline has passed within its
    // sampling window (150 ms; a fixed 100 ms pause here left too little slack on a busy machine).
    await waitFor(
      async () => (JSON.parse((await request(`${cli.url}/events`)).text) as string[]).includes('hold started: bystander'),
      5000,
      'the bystander to start',
      2,
    )
    const res = await request(`${cli.url}/spin`, { timeoutMs: 20_000 })
    assert.equal(res.status, 504)
    assert.match(res.text, /stuck running JavaScript past --timeout \(1\.5 s\), most likely in GET http:\/\/\S+\/spin/)
    assert.match(res.text, new RegExp(`Worker ${before} was stuck`))
    // Captured with the inspector before the worker was terminated, mapped to the .ts source.
    assert.match(res.text, /It was stuck at test\/fixtures\/faults\.ts:\d+:\d+ in fetch\(\)\n[\s\S]*> +\d+ \| +for \(;;\) \{\}/)
    const other = await bystander
    assert.equal(other.status, 502)
    assert.match(other.text, /The worker handling this request was terminated/)
    assert.match(other.text, /most likely in GET http:\/\/\S+\/spin/)
    assert.notEqual(await okThread(), before, 'the stuck worker was replaced')
    assert.match(cli.output(), /504 The handler was stuck running JavaScript past --timeout[\s\S]*It was stuck at test\/fixtures\/faults\.ts/)
  })

  test('heap out of memory under --max-memory: 502 ERR_WORKER_OUT_OF_MEMORY, new worker, next request 200', async () => {
    const before = await okThread()
    const res = await request(`${cli.url}/oom`, { timeoutMs: 30_000 })
    assert.equal(res.status, 502)
    assert.match(res.text, /ERR_WORKER_OUT_OF_MEMORY/)
    // The limit the worker went over, as set.
    assert.match(res.text, /over its heap limit \(--max-memory 64 MiB\)/)
    assert.match(res.text, /memory limit/)
    assert.notEqual(await okThread(), before)
  })

  test('stack overflow: 500 RangeError mapped to the .ts line, worker kept', async () => {
    const before = await okThread()
    const res = await request(`${cli.url}/overflow`)
    assert.equal(res.status, 500)
    assert.match(res.text, /RangeError: Maximum call stack size exceeded/)
    assert.match(res.text, /faults\.ts:9:/)
    assert.equal(await okThread(), before)
  })

  test('a timer of the running request throws: that request gets 500 with the .ts frame, worker kept', async () => {
    const before = await okThread()
    const res = await request(`${cli.url}/timer-throw`)
    assert.equal(res.status, 500)
    assert.match(res.text, /Code started by this request threw an uncaught exception/)
    assert.match(res.text, /thrown by a timer of \/timer-throw/)
    assert.match(res.text, /> \d+ \| +throw new Error\('thrown by a timer of \/timer-throw'\)/)
    assert.equal(await okThread(), before)
  })

  test('a rejection nobody handles while its request runs: that request gets 500 titled as a rejection, not a throw', async () => {
    const before = await okThread()
    const res = await request(`${cli.url}/reject-running`)
    assert.equal(res.status, 500)
    assert.match(res.text, /^500 A promise rejection nobody handled in code started by this request\n/)
    assert.doesNotMatch(res.text, /uncaught exception/)
    assert.match(res.text, /> \d+ \| +void Promise\.reject\(new Error\('rejected while \/reject-running runs'\)\)/)
    await waitFor(() => cli.output().includes('rejected while /reject-running runs'), 5000, 'the rejection in the terminal')
    assert.match(cli.output(), /A promise rejection nobody handled in code started by this request\n+Error: rejected while \/reject-running runs/)
    assert.equal(await okThread(), before)
  })

  test('a rejection with a value that is not an Error says what the promise was rejected with, not that it was thrown', async () => {
    const res = await request(`${cli.url}/reject-string-running`)
    assert.equal(res.status, 500)
    assert.match(res.text, /a promise was rejected with the string "plain string rejection"/)
    assert.doesNotMatch(res.text, /was thrown/)
  })

  test('a late throw from request A does not fail innocent request B; it is logged against A', async () => {
    const before = await okThread()
    const innocent = request(`${cli.url}/hold?ms=600`)
    const a = await request(`${cli.url}/late-throw`)
    assert.equal(a.status, 200)
    const b = await innocent
    assert.equal(b.status, 200, b.text)
    assert.equal(threadOf(b.text), before, 'B ran on the same worker as A')
    await waitFor(
      () => /An uncaught exception in code started by GET \S+\/late-throw \(request already answered\)/.test(cli.output()),
      5000,
      'the late error in the terminal',
    )
    assert.match(cli.output(), /late throw from \/late-throw\n\s+at .*faults\.ts:\d+/)
    // With its code frame, as a 500 page has.
    assert.match(cli.output(), /late throw from \/late-throw\n[\s\S]*?faults\.ts:\d+:\d+\n[\s\S]*?> +\d+ \|[^\n]*late throw from/)
    // An unhandled rejection is attributed the same way.
    assert.equal((await request(`${cli.url}/late-reject`)).status, 200)
    await waitFor(
      () => /A promise rejection nobody handled in code started by GET \S+\/late-reject/.test(cli.output()),
      5000,
      'the late rejection in the terminal',
    )
    // A ctx.waitUntil() promise that rejects: the same report, with its code frame, and the response untouched.
    assert.equal((await request(`${cli.url}/wait-until-reject`)).status, 200)
    await waitFor(
      () => /A promise given to ctx\.waitUntil\(\) by GET \S+\/wait-until-reject rejected, worker \d+ of /.test(cli.output()),
      5000,
      'the waitUntil rejection in the terminal',
    )
    assert.match(cli.output(), /waitUntil work failed\n[\s\S]*?faults\.ts:\d+:\d+\n[\s\S]*?> +\d+ \|[^\n]*waitUntil work failed/)
    // ...also when it rejects while its request still runs: told, and the response still untouched.
    assert.equal((await request(`${cli.url}/wait-until-reject-now`)).status, 200)
    await waitFor(
      () => /A promise given to ctx\.waitUntil\(\) by GET \S+\/wait-until-reject-now rejected, worker \d+ of /.test(cli.output()),
      5000,
      'the early waitUntil rejection in the terminal',
    )
    assert.match(cli.output(), /waitUntil rejected before the response\n[\s\S]*?faults\.ts:\d+:\d+/)
    assert.equal(await okThread(), before, 'the worker was kept')
  })

  test('a stream that errors after the head: the client sees truncation, never a clean end; logged', async () => {
    const res = await fetch(`${cli.url}/stream-error`)
    assert.equal(res.status, 200)
    await assert.rejects(withDeadline(res.text(), 10_000, 'the truncated body'), /terminated/)
    await waitFor(() => /the stream broke after the head/.test(cli.output()), 5000, 'the stream error in the terminal')
    assert.equal((await request(`${cli.url}/ok`)).status, 200)
  })

  test('the worker dies mid-stream: truncation, 502 cause logged, next request 200', async () => {
    const res = await fetch(`${cli.url}/stream-exit`)
    assert.equal(res.status, 200)
    await assert.rejects(withDeadline(res.text(), 10_000, 'the truncated body'), /terminated/)
    await waitFor(() => /exited with code 9/.test(cli.output()), 5000, 'the death in the terminal')
    assert.equal((await request(`${cli.url}/ok`)).status, 200)
  })
})

describe('a request queued behind a stuck one (in process, one worker, --timeout 3s)', () => {
  test('the stuck worker never began it: once that worker is terminated, its replacement serves it (200, not 502)', async () => {
    const server = await serve({ entry: fixture('faults.ts'), port: 0, workers: 1, quiet: true, timeout: 3000 })
    try {
      const stuckOn = threadOf((await request(`${server.url}/ok`)).text)
      const spin = request(`${server.url}/spin`, { timeoutMs: 20_000 })
      // Sent well after /spin: its deadline comes ~1.5 s after /spin's, when the stuck worker is being terminated (0.3 s of sampling and locating).
      await new Promise((resolve) => setTimeout(resolve, 1500))
      const queued = request(`${server.url}/ok`, { timeoutMs: 20_000 })
      assert.equal((await spin).status, 504)
      const res = await queued
      assert.equal(res.status, 200, res.text)
      assert.notEqual(threadOf(res.text), stuckOn, 'served by the replacement')
    } finally {
      await server.close()
    }
  })
})

describe('fault matrix (in process, two workers)', () => {
  let server: HotcellServer
  before(async () => {
    server = await serve({ entry: fixture('faults.ts'), port: 0, workers: 2, quiet: true, timeout: 3000 })
  })
  after(() => server.close())

  /** Two concurrent requests land on two workers only if both are alive. */
  const liveThreads = async () => {
    const replies = await Promise.all([request(`${server.url}/hold?ms=300`), request(`${server.url}/hold?ms=300`)])
    return new Set(replies.map((r) => threadOf(r.text)))
  }

  test('after process.exit the pool is back at full size', async () => {
    const first = await liveThreads()
    assert.equal(first.size, 2)
    assert.equal((await request(`${server.url}/exit?code=3`)).status, 502)
    const now = await waitFor(
      async () => {
        const threads = await liveThreads()
        return threads.size === 2 ? threads : undefined
      },
      10_000,
      'two live workers again',
    )
    assert.ok(
      [...now].some((t) => !first.has(t)),
      'one of them is a replacement',
    )
  })

  test('100 worker deaths leak no threads and never stop the server', { skip: process.platform !== 'linux' && 'counts /proc/self/task' }, async () => {
    const threads = () => readdirSync('/proc/self/task').length
    await liveThreads()
    const baseline = threads()
    for (let i = 0; i < 100; i++) {
      const res = await request(`${server.url}/exit?code=${i % 5}`)
      assert.equal(res.status, 502, `fault ${i}: ${res.text}`)
    }
    await waitFor(async () => (await liveThreads()).size === 2, 10_000, 'two live workers')
    // Exited workers' OS threads are joined; allow for Node's own helper threads coming and going.
    await waitFor(() => threads() <= baseline + 2, 10_000, `thread count back near ${baseline} (now ${threads()})`)
  })

  test('error pages: <script> in the message is escaped; throw 42, throw null, cyclic causes and AggregateError render', async () => {
    const html = await request(`${server.url}/throw`, { headers: { accept: 'text/html', 'x-probe': '<script>alert(2)</script>' } })
    assert.equal(html.status, 500)
    assert.match(html.headers['content-type']!, /text\/html/)
    assert.ok(!html.text.includes('<script>alert(1)</script>'), 'the message reached the page unescaped')
    assert.ok(!html.text.includes('<script>alert(2)</script>'), 'a request header reached the page unescaped')
    assert.match(html.text, /(&lt;|&#60;)script(&gt;|&#62;)alert\(1\)(&lt;|&#60;)\/script(&gt;|&#62;) went wrong/)
    // The .ts file and the failing line's source (the code frame).
    assert.match(html.text, /faults\.ts/)
    assert.doesNotMatch(html.text, /dist\/workers\/|node_modules\/piscina/, "hotcell's own frames are not the developer's code")
    assert.match(html.text, /went wrong/)
    // Youch's code frame: the throwing source line, syntax-highlighted (escaped, too).
    assert.match(html.text, /shj-syn-str">'&lt;script&gt;alert\(1\)&lt;\/script&gt; went wrong'/, 'the code frame around the throw')
    for (const path of ['/throw-42', '/throw-null', '/cyclic', '/aggregate']) {
      const page = await request(`${server.url}${path}`, { headers: { accept: 'text/html' } })
      assert.equal(page.status, 500, path)
      assert.match(page.text, /<html/i, path)
      // A value without a stack has no frames: none made up from its message ("…:undefined").
      if (path.startsWith('/throw-')) assert.doesNotMatch(page.text, /:undefined/, path)
    }

    assert.match((await request(`${server.url}/throw-42`)).text, /42 \(number\) was thrown/)
    assert.match((await request(`${server.url}/throw-null`)).text, /null was thrown/)
    const cyclic = await request(`${server.url}/cyclic`)
    assert.equal(cyclic.status, 500)
    assert.match(cyclic.text, /outer failure[\s\S]*Caused by: Error: inner failure[\s\S]*loops back/)
    const aggregate = await request(`${server.url}/aggregate`)
    assert.match(
      aggregate.text,
      /AggregateError: several things failed[\s\S]*\[0\] Error: first inner[\s\S]*\[1\] TypeError: second inner[\s\S]*Caused by: Error: root cause/,
    )
    // Promise.any's AggregateError has no frames: the code frame is its first error's.
    const any = await request(`${server.url}/promise-any`)
    assert.equal(any.status, 500)
    assert.match(any.text, /AggregateError: All promises were rejected/)
    assert.match(any.text, /> \d+ \| +return await Promise\.any\(\[Promise\.reject\(new Error\('any first'\)\)/)
  })
})

describe('an entry that kills every worker', () => {
  test('the terminal titles it as the page does', () => {
    const loop = new CrashLoopError({ name: 'CrashLoopError', message: 'Workers keep ending' })
    const page = lostView(loop, { method: 'GET', url: 'http://127.0.0.1/', headers: [] }, { reload: true })
    assert.equal(page.title, 'The entry keeps crashing its workers')
    assert.equal(loadFailureTitle(undefined, loop.data), page.title)
  })

  for (const [name, source] of [
    ['process.exit at import', `process.exit(1)\nexport default { fetch: () => new Response('never') }\n`],
    ['process.exit from a top-level timer', `setTimeout(() => process.exit(4), 30)\nexport default { fetch: () => new Response('until the timer') }\n`],
  ] as const) {
    test(`${name}: an error page, no respawn storm`, async () => {
      const project = projectDir({ 'app.ts': source })
      let server: HotcellServer | undefined
      try {
        server = await withDeadline(serve({ entry: `${project.dir}/app.ts`, port: 0, workers: 1, quiet: true }), 15_000, 'serve()')
        const url = server.url
        const res = await waitFor(
          async () => {
            const r = await request(`${url}/`)
            return r.status === 500 ? r : undefined
          },
          10_000,
          'the crash-loop page',
        )
        assert.match(res.text, /keeps crashing its workers/)
        assert.match(res.text, /stopped replacing them until the next build/)
        // Where the app called process.exit(), as for a request's worker: its code and its line.
        assert.match(res.text, /the last one called process\.exit\([14]\)/)
        assert.match(res.text, /app\.ts:1:\d+/)
        // The breaker stays tripped: no new workers, the same page, promptly.
        const threads = readdirSync('/proc/self/task').length
        for (let i = 0; i < 5; i++) assert.equal((await request(`${url}/`)).status, 500)
        await new Promise((r) => setTimeout(r, 300))
        assert.ok(readdirSync('/proc/self/task').length <= threads + 1, 'workers were respawned after the breaker tripped')
      } finally {
        await server?.close()
        project.remove()
      }
    })
  }
})
