// Node's own frames (node:internal/…: timers, web streams, the microtask
// queue) say nothing to the developer: the page and the terminal collapse
// them into one "… n frames inside Node.js" line under the developer's
// frames, and a stack with none of the developer's frames is not shown.
import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { collapseNodeFrames, collapseRepeats, NODE_FRAMES_LINE } from '../src/report/node-frames.js'
import { projectDir, request, startCli, waitFor, type CliRun } from './helpers.js'

const APP = `export default {
  async fetch(request: Request) {
    const { pathname } = new URL(request.url)
    if (pathname === '/stream-start') {
      return new Response(new ReadableStream({ start(c) { c.error(new Error('stream broke at start')) } }))
    }
    if (pathname === '/stream-pull') {
      return new Response(new ReadableStream({ pull(c) { c.error(new Error('stream broke in pull')) } }))
    }
    if (pathname === '/timer') {
      await new Promise(() => setTimeout(() => { throw new Error('timer threw') }, 1))
    }
    return new Response('ok')
  },
}
`
// A fetch handler with a second parameter: guessed Node-style, and it returns a Response.
const TWO = `type Env = Record<string, string>

export default async (request: Request, env: Env) => new Response('hi')
`

// The same, but it uses its first argument as a Request (most real handlers do): Node's TypeError alone said nothing of why.
const USES = `type Env = Record<string, string>

export default async (request: Request, env: Env) => {
  if (new URL(request.url).pathname === '/text') return new Response(await request.text())
  return new Response('hi')
}
`

/** A line of a stack that is one of Node's own frames. */
const NODE_FRAME = /^\s*(?:at .*\(node:|at (?:async )?node:)/m
const HIDDEN = (n: number) => new RegExp(`^    … ${n} frames? inside Node\\.js$`, 'm')

/** A free port of the range the test machine gives these servers. */
async function freePort(): Promise<number> {
  const first = 4600 + Math.floor(Math.random() * 100)
  for (let i = 0; i < 100; i++) {
    const port = 4600 + ((first - 4600 + i) % 100)
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer()
      probe.once('error', () => resolve(false))
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)))
    })
    if (free) return port
  }
  throw new Error('no free port in 4600-4699')
}

describe('collapseNodeFrames', () => {
  test('each run of Node frames (internal or public, with or without a function name, async) becomes one counted line', () => {
    // Node 24's shapes: a public module (node:fs, node:events), an async frame, a frame without a function name.
    const frames = [
      'at Object.openSync (node:fs:621:18)',
      'at readFileSync (node:fs:487:35)',
      'at Object.fetch (/app/app.ts:4:7)',
      'at EventEmitter.emit (node:events:514:28)',
      'at async Object.fetch (/app/app.ts:5:7)',
      'at readableStreamDefaultControllerCallPullIfNeeded (node:internal/webstreams/readablestream:2777:3)',
      'at node:internal/webstreams/readablestream:2912:7',
      'at async open (node:internal/fs/promises:1345:25)',
    ]
    assert.deepEqual(collapseNodeFrames(frames), [
      '… 2 frames inside Node.js',
      'at Object.fetch (/app/app.ts:4:7)',
      '… 1 frame inside Node.js',
      'at async Object.fetch (/app/app.ts:5:7)',
      '… 3 frames inside Node.js',
    ])
  })

  test("V8's built-ins, packages and code evaluated by Node stay; a stack of Node frames alone is no stack", () => {
    const kept = [
      'at JSON.parse (<anonymous>)',
      'at async Promise.all (index 0)',
      'at handle (/app/node_modules/pkg/index.js:3:9)',
      'at eval (eval at run (node:internal/vm:1:1), <anonymous>:1:1)',
    ]
    assert.deepEqual(collapseNodeFrames(kept), kept)
    assert.deepEqual(collapseNodeFrames(['at process.processTicksAndRejections (node:internal/process/task_queues:95:5)']), [])
  })
})

describe('collapseRepeats', () => {
  test('a recursion (a stack overflow) shows its frame once and a count; a frame seen twice stays twice', () => {
    const f = 'at f (src/misc.ts:20:40)'
    const g = 'at g (src/misc.ts:30:5)'
    const out = collapseRepeats([g, f, f, f, f, f, f, f, f, f, f, g, g])
    assert.deepEqual(out, [g, f, '… the frame above 9 more times', g, g])
    // Dimmed in the terminal like Node's frames.
    assert.match('    ' + out[2], NODE_FRAMES_LINE)
  })
})

describe("Node's internal frames on pages and in the terminal", () => {
  const project = projectDir({ 'app.ts': APP, 'two.ts': TWO, 'uses.ts': USES })
  let app: CliRun
  let two: CliRun
  let uses: CliRun
  before(async () => {
    app = await startCli(['app.ts', '--port', String(await freePort()), '--workers', '1', '--no-reload'], { cwd: project.dir })
    two = await startCli(['two.ts', '--port', String(await freePort()), '--workers', '1', '--no-reload'], { cwd: project.dir })
    uses = await startCli(['uses.ts', '--port', String(await freePort()), '--workers', '1', '--no-reload'], { cwd: project.dir })
  })
  after(async () => {
    await app?.stop()
    await two?.stop()
    await uses?.stop()
    project.remove()
  })

  /** The terminal's stack for the error whose message starts with `message`: from its message line to the blank line after it. */
  const block = (cli: CliRun, message: string) => waitFor(() => new RegExp(`^\\w*Error: ${message}.*\\n(?:.+\\n)*`, 'm').exec(cli.output())?.[0], 5000, message)

  test('a stream that errors in start(): the frames of app.ts, one line for the Node frames between them', async () => {
    const res = await request(`${app.url}/stream-start`)
    assert.equal(res.status, 500)
    assert.match(
      res.text,
      /Error: stream broke at start\n {4}at Object\.start \(app\.ts:5:\d+\)\n {4}… \d+ frames? inside Node\.js\n {4}at Object\.fetch \(app\.ts:5:\d+\)\n/,
    )
    assert.doesNotMatch(res.text, NODE_FRAME)
    const logged = await block(app, 'stream broke at start')
    assert.match(logged, /at Object\.start \(app\.ts:5:\d+\)/)
    assert.match(logged, /^ {4}… \d+ frames? inside Node\.js$/m)
    assert.doesNotMatch(logged, NODE_FRAME)
  })

  test('a stream that errors in pull(): the frame of app.ts, then one line for the web-stream frames under it', async () => {
    const res = await request(`${app.url}/stream-pull`)
    assert.equal(res.status, 500)
    assert.match(res.text, /Error: stream broke in pull\n {4}at Object\.pull \(app\.ts:8:\d+\)\n {4}… \d+ frames? inside Node\.js\n/)
    assert.doesNotMatch(res.text, NODE_FRAME)
    const logged = await block(app, 'stream broke in pull')
    assert.match(logged, /at Object\.pull \(app\.ts:8:\d+\)\n {4}… \d+ frames? inside Node\.js\n/)
    assert.doesNotMatch(logged, NODE_FRAME)
  })

  test("a throw in a timer: the callback's frame, and listOnTimeout/processTimers as one line", async () => {
    const res = await request(`${app.url}/timer`)
    assert.equal(res.status, 500)
    assert.match(res.text, /Error: timer threw\n {4}at Timeout\._onTimeout \(app\.ts:11:\d+\)\n/)
    assert.match(res.text, HIDDEN(2))
    assert.doesNotMatch(res.text, NODE_FRAME)
    const logged = await block(app, 'timer threw')
    assert.match(logged, HIDDEN(2))
    assert.doesNotMatch(logged, NODE_FRAME)
  })

  test('a fetch handler run as a Node one: its message and hint, and no stack made of Node frames', async () => {
    const res = await request(`${two.url}/`)
    assert.equal(res.status, 500)
    assert.match(res.text, /it returned a Response: it is a fetch handler\. Start hotcell with --handler fetch/)
    assert.doesNotMatch(res.text, NODE_FRAME)
    assert.doesNotMatch(res.text, /frames? inside Node\.js/)
    const logged = await block(two, 'The handler was run as a Node')
    assert.doesNotMatch(logged, NODE_FRAME)
    assert.doesNotMatch(logged, /frames? inside Node\.js/)
    // The browser page (Youch): no Node frame, not even behind its "View All Frames" switch or in its raw view.
    const page = await request(`${two.url}/`, { headers: { accept: 'text/html' } })
    assert.equal(page.status, 500)
    assert.match(page.text, /it is a fetch handler/)
    assert.doesNotMatch(page.text, /processTicksAndRejections|node:internal/)
  })

  test('a fetch handler run as a Node one: the handler it ran is named where it is defined, with its code frame', async () => {
    const res = await request(`${two.url}/`)
    assert.equal(res.status, 500)
    assert.match(res.text, /it is a fetch handler\. Start hotcell with --handler fetch \(or handler: "fetch"\)\.\n {4}at the handler \(two\.ts:3:16\)\n/)
    assert.match(res.text, /^> 3 \| export default async \(request: Request, env: Env\) => new Response\('hi'\)$/m)
    const logged = await block(two, 'The handler was run as a Node')
    assert.match(logged, /\n {4}at the handler \(two\.ts:3:16\)\n/)
    const page = await request(`${two.url}/`, { headers: { accept: 'text/html' } })
    assert.match(page.text, /the handler/)
    assert.match(page.text, /two\.ts/)
  })

  test('a fetch handler run as a Node one that uses its request: the same hint, with what failed as its cause', async () => {
    const res = await request(`${uses.url}/`)
    assert.equal(res.status, 500)
    assert.match(res.text, /but its first argument was used as a fetch Request \(Invalid URL\): it is a fetch handler\. Start hotcell with --handler fetch/)
    // The cause keeps the user's frame.
    assert.match(res.text, /uses\.ts:4:\d+/)
  })
})
