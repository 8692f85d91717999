// An error no request carries (a timer's throw, a rejection) that comes again
// and again as it was: the terminal shows its report once, then one line that
// counts the repeats, not the whole report each time. Anything printed in
// between makes the next one whole again.
import assert from 'node:assert/strict'
import { after, describe, mock, test } from 'node:test'
import { timeOfDay } from '../src/report/clock.js'
import { createLogger } from '../src/report/logger.js'
import { projectDir, request, sink, startCli, waitFor } from './helpers.js'

const at = () => new Date(2026, 0, 2, 15, 4, 5)
const REPORT = (message: string) =>
  `hotcell: An uncaught exception in code started by GET http://127.0.0.1:3000/ (request already answered), worker 1 of generation 1. The worker keeps running; no other request was failed.\nError: ${message}\n    at Timeout._onTimeout (app.ts:4:11)\n`

describe('logger', () => {
  test('a report without a request that comes again as it was: printed once, then its repeats counted in one line', (t) => {
    mock.timers.enable({ apis: ['setTimeout'] })
    t.after(() => mock.timers.reset())
    const out = sink()
    const err = sink()
    const logger = createLogger({ quiet: false, stdout: out, stderr: err, now: at })
    const time = timeOfDay()(at())
    for (let i = 0; i < 3; i++) logger.error(REPORT('poller failed'))
    assert.equal(err.text(), `${time} ${REPORT('poller failed')}`)
    // A second later, the count so far.
    mock.timers.tick(1000)
    assert.equal(err.text(), `${time} ${REPORT('poller failed')}${time} · the same error again (×2)\n`)
    // Still the same error right after that line: counted on, from the first report, and said after twice the wait.
    logger.error(REPORT('poller failed'))
    mock.timers.tick(1000)
    assert.doesNotMatch(err.text(), /×3/)
    mock.timers.tick(1000)
    assert.match(err.text(), /\(×2\)\n.* · the same error again \(×3\)\n$/)
    // A different error: the count so far goes out first, then the new report whole.
    logger.error(REPORT('poller failed'))
    logger.error(REPORT('another failure'))
    assert.match(err.text(), /\(×3\)\n.* · the same error again \(×4\)\n.* hotcell: An uncaught exception[^\n]*\nError: another failure\n/)
    // A request line in between: the next one is whole again.
    logger.error(REPORT('another failure'))
    logger.request({ method: 'GET', path: '/', status: 200, ms: 1, worker: 1 })
    logger.error(REPORT('another failure'))
    logger.flush()
    assert.equal(err.text().match(/Error: another failure/g)?.length, 2, err.text())
    assert.match(err.text(), /Error: another failure\n[^\n]*\n.* · the same error again \(×1\)\n.* hotcell: An uncaught/)
    assert.equal(out.text(), `${time} GET / 200 1.0ms w1\n`)
  })
})

describe('background errors told apart by their key', () => {
  const late = (message: string, path: string, worker: number) => ({
    text: REPORT(message).replace('http://127.0.0.1:3000/', `http://127.0.0.1:3000${path}`).replace('worker 1', `worker ${worker}`),
    background: { key: `uncaughtException\nError: ${message}`, whose: `in code started by GET ${path} (request already answered), w${worker}` },
  })
  test('the same error between request lines: one line each, whichever request and worker; a different one is printed whole', () => {
    const out = sink()
    const err = sink()
    const logger = createLogger({ quiet: false, stdout: out, stderr: err, now: at })
    const time = timeOfDay()(at())
    const log = (entry: ReturnType<typeof late>) => logger.error(entry.text, entry.background)
    log(late('late repeated', '/late?a', 1))
    logger.request({ method: 'GET', path: '/late', status: 200, ms: 1, worker: 2 })
    log(late('late repeated', '/late?b', 2))
    logger.request({ method: 'GET', path: '/late', status: 200, ms: 1, worker: 1 })
    log(late('late repeated', '/late?c', 1))
    assert.equal(
      err.text(),
      `${time} ${late('late repeated', '/late?a', 1).text}` +
        `${time} · the same error as above, in code started by GET /late?b (request already answered), w2\n` +
        `${time} · the same error as above, in code started by GET /late?c (request already answered), w1\n`,
    )
    // Another error: printed whole, and so is the first one after it.
    log(late('late other', '/other', 1))
    logger.request({ method: 'GET', path: '/late', status: 200, ms: 1, worker: 1 })
    log(late('late repeated', '/late?d', 1))
    assert.equal(err.text().match(/hotcell: An uncaught exception/g)?.length, 3, err.text())
    assert.match(err.text(), /Error: late other\n[\s\S]*\n.* hotcell: An uncaught exception in code started by GET http:\/\/127\.0\.0\.1:3000\/late\?d /)
    // An in-request error block in between: whole again too.
    logger.error('Error: in the request\n    at fetch (app.ts:2:9)\n\nGET http://127.0.0.1:3000/now\n')
    log(late('late repeated', '/late?e', 1))
    assert.equal(err.text().match(/Error: late repeated/g)?.length, 3, err.text())
  })
})

describe('a timer that throws every 50 ms, in a served app', () => {
  const project = projectDir({
    'app.ts': `let started = false
export default {
  fetch(request: Request) {
    if (new URL(request.url).pathname === '/start' && !started) {
      started = true
      setInterval(() => {
        throw new Error('poller failed')
      }, 50)
    }
    return new Response('ok')
  },
}
`,
  })
  after(() => project.remove())

  test('its report is printed once, then a line counts the repeats; after a request line, one line says it is the same error', async () => {
    const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
    try {
      assert.equal((await request(`${cli.url}/start`)).status, 200)
      await waitFor(() => /· the same error again \(×\d+\)\n/.test(cli.output()), 10_000, 'the line counting the repeats')
      const out = cli.output()
      assert.equal(out.match(/Error: poller failed/g)?.length, 1, out)
      assert.equal(out.match(/hotcell: An uncaught exception in code started by GET \S+\/start \(request already answered\)/g)?.length, 1, out)
      // With its code frame, the first time.
      assert.match(out, /> +\d+ \| +throw new Error\('poller failed'\)/)
      // Not a screenful: a dozen repeats or more went by by now.
      assert.ok(out.split('\n').length < 40, out)
      assert.equal((await request(`${cli.url}/other`)).status, 200)
      await waitFor(
        () =>
          /GET \/other 200 [^\n]*\n[^\n]* · the same error as above, in code started by GET \/start \(request already answered\), w\d+\n/.test(cli.output()),
        10_000,
        'the one line after the request line',
      )
      assert.equal(cli.output().match(/Error: poller failed/g)?.length, 1, cli.output())
    } finally {
      await cli.stop()
    }
  })
})

describe('a timer that throws after each response, in a served app', () => {
  // Each timer is armed by its request and set off by /fire: its error then
  // comes after that request's line, as a late error does, in an order the
  // test can wait for.
  const project = projectDir({
    'app.ts': `const armed: (() => void)[] = []
export default {
  fetch(request: Request) {
    const url = new URL(request.url)
    if (url.pathname === '/fire') {
      for (const fire of armed.splice(0)) fire()
      return new Response('fired')
    }
    const message = url.pathname === '/other' ? 'late other' : 'late repeated'
    new Promise<void>((resolve) => armed.push(resolve)).then(() => setTimeout(() => { throw new Error(message) }))
    return new Response('ok')
  },
}
`,
  })
  after(() => project.remove())

  test('twenty of the same late error: one report, then one line each; a different one is printed whole', async () => {
    const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
    const count = (pattern: RegExp) => cli.output().match(pattern)?.length ?? 0
    const told = () => count(/hotcell: An uncaught exception|· the same error as above, in code started/g)
    const late = async (path: string, errors: number) => {
      assert.equal((await request(`${cli.url}${path}`)).status, 200)
      await waitFor(() => cli.output().includes(`GET ${path} 200`), 10_000, `the request line of ${path}`)
      assert.equal((await request(`${cli.url}/fire`)).status, 200)
      await waitFor(() => told() === errors, 10_000, `the error of ${path}`)
    }
    try {
      for (let i = 0; i < 20; i++) await late(`/late?i=${i}`, i + 1)
      const out = cli.output()
      assert.equal(count(/Error: late repeated/g), 1, out)
      assert.match(out, /> +\d+ \| +new Promise<void>/)
      assert.equal(count(/· the same error as above, in code started by GET \/late\?i=\d+ \(request already answered\), w\d+\n/g), 19, out)
      // Not 20 reports of ~15 lines.
      assert.ok(out.split('\n').length < 100, out)
      await late('/other', 21)
      assert.equal(count(/Error: late other/g), 1, cli.output())
      await late('/late', 22)
      assert.equal(count(/Error: late repeated/g), 2, cli.output())
    } finally {
      await cli.stop()
    }
  })
})
