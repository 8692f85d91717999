// --inspect: a debugger client on the main process's inspector (127.0.0.1)
// reaches the worker threads through the NodeWorker domain, as VS Code's
// js-debug does, and the same connection sees the next generation's workers.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createServer, type AddressInfo } from 'node:net'
import { createInterface } from 'node:readline'
import { describe, test } from 'node:test'
import { cleanup, freePort, projectDir, request, runCli, runMain, startCli, waitFor, withDeadline } from './helpers.js'

// A CDP client in a child process (Node 20's WebSocket needs a flag): stdin
// lines are messages to send, stdout lines the messages received.
const BRIDGE = `
const ws = new WebSocket(process.argv[1])
ws.onopen = () => console.log(JSON.stringify({ open: true }))
ws.onmessage = (e) => console.log(e.data)
ws.onclose = () => process.exit(0)
require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => ws.send(line))
`

interface Cdp {
  id?: number
  method?: string
  params?: Record<string, unknown> & { sessionId?: string; message?: string; workerInfo?: { workerId: string; url: string } }
  result?: Record<string, unknown>
}

const app = (version: string) => `globalThis.hcVersion = '${version}'\nexport default { fetch: () => new Response('${version}') }\n`

describe('--inspect', () => {
  test('workers of the current generation are reachable from one inspector endpoint on 127.0.0.1, across a reload', async () => {
    const project = projectDir({ 'app.ts': app('one') })
    cleanup(project.remove)
    const run = await startCli(['app.ts', '--port', '0', '--workers', '1', '--inspect=0'], { cwd: project.dir })
    cleanup(() => run.stop())
    // Node prints its own "Debugger listening" line first; the banner's line says how to attach.
    const wsUrl = await waitFor(() => /debug\s+(ws:\/\/\S+) · .*request timeouts are off/.exec(run.output())?.[1], 10_000, 'the inspector line of the banner')
    assert.match(wsUrl, /^ws:\/\/127\.0\.0\.1:\d+\//)

    const bridge = spawn(process.execPath, ['--experimental-websocket', '--no-warnings', '-e', BRIDGE, wsUrl], { stdio: ['pipe', 'pipe', 'inherit'] })
    cleanup(() => {
      bridge.kill()
    })
    const received: Cdp[] = []
    createInterface({ input: bridge.stdout }).on('line', (line) => received.push(JSON.parse(line) as Cdp))
    let nextId = 1
    const send = (method: string, params: object = {}) => {
      const id = nextId++
      bridge.stdin.write(JSON.stringify({ id, method, params }) + '\n')
      return waitFor(() => received.find((m) => m.id === id), 10_000, `the reply to ${method}`)
    }
    /** Evaluate in a worker through NodeWorker.sendMessageToWorker; the reply comes back wrapped. */
    const evaluateIn = async (sessionId: string, expression: string) => {
      const id = nextId++
      await send('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id, method: 'Runtime.evaluate', params: { expression } }) })
      const reply = await waitFor(
        () =>
          received
            .map((m) =>
              m.method === 'NodeWorker.receivedMessageFromWorker' && m.params?.sessionId === sessionId ? (JSON.parse(m.params.message!) as Cdp) : undefined,
            )
            .find((m) => m?.id === id),
        10_000,
        `the worker's reply to ${expression}`,
      )
      return (reply.result as { result: { value: unknown } }).result.value
    }
    const gone = (sessionId: string) => received.some((m) => m.method === 'NodeWorker.detachedFromWorker' && m.params?.sessionId === sessionId)
    const attached = () =>
      received
        .filter((m) => m.method === 'NodeWorker.attachedToWorker')
        .map((m) => m.params as { sessionId: string; workerInfo: { workerId: string; url: string } })
        .filter((w) => !gone(w.sessionId))
    /** A live worker whose entry set hcVersion to `version`. */
    const workerRunning = (version: string, what: string) =>
      waitFor(
        async () => {
          for (const worker of attached()) if ((await evaluateIn(worker.sessionId, 'globalThis.hcVersion').catch(() => undefined)) === version) return worker
          return undefined
        },
        20_000,
        what,
      )

    await waitFor(() => received.some((m) => (m as { open?: boolean }).open), 10_000, 'the debugger connection')
    await send('NodeWorker.enable', { waitForDebuggerOnStart: false })
    // The serving worker runs the entry; a pre-booted standby has no bundle yet.
    const first = await workerRunning('one', 'a worker running the entry')

    // A reload brings new workers to the same connection; they run the new code.
    project.write('app.ts', app('two'))
    await waitFor(async () => (await request(run.url)).text === 'two', 20_000, 'the new code to serve')
    const later = await workerRunning('two', 'a worker of the new generation, on the same connection')
    assert.notEqual(later.workerInfo.workerId, first.workerInfo.workerId)
    await waitFor(
      () => received.some((m) => m.method === 'NodeWorker.detachedFromWorker' && m.params?.sessionId === first.sessionId),
      10_000,
      'the retired worker to be reported gone',
    )
    bridge.stdin.end()
    await withDeadline(new Promise((resolve) => bridge.once('exit', resolve)), 5_000, 'the debugger client to exit').catch(() => bridge.kill())
  })

  test("Node's own --inspect (node --inspect …/hotcell, or NODE_OPTIONS) reaches the server process, not the supervisor", async () => {
    const project = projectDir({ 'app.ts': `export default { fetch: () => new Response('hi') }\n` })
    cleanup(project.remove)
    const port = await freePort()
    const run = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir, env: { NODE_OPTIONS: `--inspect=127.0.0.1:${port}` } })
    try {
      assert.equal((await request(run.url)).text, 'hi')
      const targets = await waitFor(
        async () => {
          const list = (await request(`http://127.0.0.1:${port}/json/list`).catch(() => undefined))?.text
          return list && /hotcell-server\.cjs/.test(list) ? list : undefined
        },
        10_000,
        'the server process on the inspector port',
      )
      assert.doesNotMatch(targets, /hotcell\.cjs/)
      assert.doesNotMatch(run.output(), /address already in use/)
    } finally {
      await run.stop()
    }
  })

  test('an --inspect port already in use: one line naming it and how to choose another, exit 1 (not a server without a debugger)', async () => {
    const project = projectDir({ 'app.ts': app('one') })
    cleanup(project.remove)
    const holder = createServer()
    const port = await withDeadline(
      new Promise<number>((resolve) => holder.listen(0, '127.0.0.1', () => resolve((holder.address() as AddressInfo).port))),
      5_000,
      'a port held',
    )
    try {
      const result = await runCli(['app.ts', '--port', '0', `--inspect=${port}`], { cwd: project.dir })
      assert.equal(result.code, 1, result.stdout + result.stderr)
      assert.equal(
        result.stderr,
        `hotcell: the --inspect port ${port} is already in use on 127.0.0.1. Stop what holds it, or choose another port with --inspect=<port> (--inspect=0 for a free one).\n`,
      )
      assert.doesNotMatch(result.stdout, /ready/)
    } finally {
      holder.close()
    }
  })

  test('--inspect naming the --port port says they are the same, not that another server holds it', async () => {
    const project = projectDir({ 'app.ts': app('one') })
    cleanup(project.remove)
    const port = await freePort()
    const result = await runCli(['app.ts', '--port', String(port), `--inspect=${port}`], { cwd: project.dir })
    assert.equal(result.code, 1, result.stdout + result.stderr)
    assert.equal(
      result.stderr,
      `hotcell: --inspect and --port name the same port, ${port}: the debugger needs one of its own; choose another port with --inspect=<port> (--inspect=0 for a free one).\n`,
    )
  })

  test('inspect and port set in the config file: the message names the config keys', async () => {
    const port = await freePort()
    const project = projectDir({ 'app.ts': app('one'), 'hotcell.config.ts': `export default { port: ${port}, inspect: ${port} }\n` })
    cleanup(project.remove)
    const result = await runCli(['app.ts'], { cwd: project.dir })
    assert.equal(result.code, 1, result.stdout + result.stderr)
    assert.equal(
      result.stderr,
      `hotcell: hotcell.config.ts: inspect and hotcell.config.ts: port name the same port, ${port}: the debugger needs one of its own; choose another port for hotcell.config.ts: inspect (0 for a free one).\n`,
    )
  })

  test('--inspect on the default port, with no port asked for: the debugger has it and HTTP takes the next free one', async (t) => {
    const busy = await Promise.all([3000, 3001].map((port) => portBusy(port)))
    if (busy.some(Boolean)) return t.skip('port 3000 or 3001 is in use on this machine')
    const project = projectDir({ 'app.ts': app('one') })
    cleanup(project.remove)
    const run = await startCli(['app.ts', '--workers', '1', '--inspect=3000'], { cwd: project.dir })
    cleanup(() => run.stop())
    await waitFor(() => /debug\s+ws:\/\/127\.0\.0\.1:3000\//.test(run.output()), 10_000, 'the inspector on 3000 in the banner')
    assert.match(run.output(), /http:\/\/127\.0\.0\.1:3001/)
    assert.equal((await request('http://127.0.0.1:3001/')).text, 'one')
  })

  test('--inspect 9230, with a space: says to write --inspect=9230, not "expected one entry file"', async () => {
    for (const args of [
      ['app.ts', '--inspect', '9230'],
      ['--inspect', '9230', 'app.ts'],
    ]) {
      const result = await runMain(args)
      assert.equal(result.code, 1)
      assert.equal(result.stderr, 'hotcell: --inspect takes its port after "=": --inspect=9230 (with a space, 9230 reads as the entry file)\n')
    }
  })

  test('a bad --inspect port is one line naming the flag', async () => {
    const project = projectDir({ 'app.ts': app('one') })
    cleanup(project.remove)
    const result = await runCli(['app.ts', '--port', '0', '--inspect=nope'], { cwd: project.dir })
    assert.equal(result.code, 1)
    assert.equal(result.stderr, 'hotcell: --inspect must be a port from 0 to 65535, as in --inspect=9230 (got "nope")\n')
  })
})

/** Whether something listens on 127.0.0.1:port. */
function portBusy(port: number): Promise<boolean> {
  const probe = createServer()
  return withDeadline(
    new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(true))
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)))
    }),
    5_000,
    `a probe of port ${port}`,
  )
}
