// What other machines see: the default bind, error pages without details for
// non-loopback clients (a real second address of this machine, not a mock),
// the CLI's warnings; refusing --insecure-http-parser; the bounded pool queue.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { connect } from 'node:net'
import { networkInterfaces } from 'node:os'
import { describe, test } from 'node:test'
import { createBuilder } from '../src/reload/builder.js'
import { createDispatcher } from '../src/http/dispatch.js'
import { createFrontGate } from '../src/http/gate/front-gate.js'
import { Generation } from '../src/pool/generation.js'
import { serve } from '../src/index.js'
import { createLogger } from '../src/report/logger.js'
import { exposureLines, networkUrls } from '../src/report/exposure.js'
import { listen } from '../src/http/server.js'
import { BIN, fixture, request, ROOT, runCli, startCli, waitFor, withDeadline } from './helpers.js'
import { exchange } from './raw-http.js'

const quiet = !process.env.DEBUG_HOTCELL
const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address
const noLan = lanAddress === undefined ? 'this machine has no non-loopback IPv4 address' : false

describe('exposure beyond this machine', () => {
  test('by default the server is not reachable on a non-loopback address', { skip: noLan }, async () => {
    const server = await serve({ entry: fixture('counter.ts'), port: 0, workers: 1, quiet })
    try {
      const error = await withDeadline(
        new Promise<NodeJS.ErrnoException>((resolve) => {
          const s = connect(server.port, lanAddress!)
          s.once('connect', () => resolve(Object.assign(new Error('connected'), { code: 'CONNECTED' })))
          s.once('error', resolve)
        }),
        10_000,
        'the LAN connection attempt',
      )
      assert.equal(error.code, 'ECONNREFUSED')
    } finally {
      await server.close()
    }
  })

  test('--host 0.0.0.0: every URL and a warning; remote clients get no stack, source or message, only a request id that the terminal names', {
    skip: noLan,
  }, async () => {
    const run = await startCli([fixture('counter.ts'), '--port', '0', '--host', '0.0.0.0', '--workers', '1'])
    try {
      const port = new URL(run.url).port
      // The URL list and the warning follow the ready line.
      await waitFor(() => /warning: listening on 0\.0\.0\.0/.test(run.output()), 5000, 'the warning')
      assert.ok(run.output().includes(`  http://${lanAddress}:${port}\n`), run.output())
      // The loopback URL is the ready line's; the list under it adds only the other addresses.
      assert.equal(run.output().split(`http://127.0.0.1:${port}`).length - 1, 1, run.output())
      for (const accept of ['text/html', 'text/plain', 'application/json']) {
        const remote = await request(`http://${lanAddress}:${port}/throw`, { headers: { accept } })
        assert.equal(remote.status, 500)
        assert.doesNotMatch(remote.text, /secret-message-from-handler|counter\.ts|\bat \w/, `${accept} page leaked details`)
        const id = /request #(\d+)/.exec(remote.text)?.[1]
        assert.ok(id, 'the page names a request id')
        await waitFor(
          () => new RegExp(`request #${id} \\(GET http://${lanAddress!.replace(/\./g, '\\.')}`).test(run.output()),
          5000,
          'the terminal line with that id',
        )
      }
      assert.match(run.output(), /secret-message-from-handler/, 'the terminal has the full error')
      const local = await request(`http://127.0.0.1:${port}/throw`)
      assert.equal(local.status, 500)
      assert.match(local.text, /secret-message-from-handler/)
      assert.match(local.text, /counter\.ts/)
      assert.equal((await request(`http://${lanAddress}:${port}/health`)).status, 200)
    } finally {
      await run.stop()
    }
  })

  test('--expose-errors shows details to remote clients too', { skip: noLan }, async () => {
    const run = await startCli([fixture('counter.ts'), '--port', '0', '--host', '0.0.0.0', '--workers', '1', '--expose-errors'])
    try {
      const port = new URL(run.url).port
      const remote = await request(`http://${lanAddress}:${port}/throw`)
      assert.equal(remote.status, 500)
      assert.match(remote.text, /secret-message-from-handler/)
      assert.match(remote.text, /counter\.ts/)
      await waitFor(() => /error details are shown to every client/.test(run.output()), 5000, 'the --expose-errors warning')
    } finally {
      await run.stop()
    }
  })

  test('--allowed-hosts all prints a warning', async () => {
    const run = await startCli([fixture('counter.ts'), '--port', '0', '--workers', '1', '--allowed-hosts', 'all'])
    try {
      await waitFor(() => /--allowed-hosts all turns off the DNS-rebinding guard/.test(run.output()), 5000, 'the warning')
    } finally {
      await run.stop()
    }
  })
})

describe('the address lines under the ready line', () => {
  test('say the scheme the port speaks: https:// with --https, never http:// to a TLS-only port', () => {
    assert.deepEqual(networkUrls('192.0.2.7', 3000, 'https'), ['https://192.0.2.7:3000'])
    assert.deepEqual(networkUrls('2001:db8::7', 3000, 'https'), ['https://[2001:db8::7]:3000'])
    assert.deepEqual(networkUrls('192.0.2.7', 3000), ['http://192.0.2.7:3000'])
    const urls = exposureLines('0.0.0.0', 3000, false, false, 'https://127.0.0.1:3000').filter((line) => line.startsWith('  '))
    for (const line of urls) assert.match(line, /^ {2}https:\/\//)
    if (lanAddress) assert.ok(urls.includes(`  https://${lanAddress}:3000`), urls.join('\n'))
  })

  test('a --host naming one address adds no line repeating the ready URL', () => {
    const lines = exposureLines('192.0.2.7', 3000, false, false, 'https://192.0.2.7:3000')
    assert.equal(lines.length, 1, lines.join('\n'))
    assert.match(lines[0]!, /warning: listening on 192\.0\.2\.7/)
  })
})

describe('refusing to start', () => {
  const oneLine = (text: string) => {
    assert.equal(text.trim().split('\n').length, 1, text)
    assert.doesNotMatch(text, /\n\s+at /)
  }

  test('--insecure-http-parser in NODE_OPTIONS: one line, exit 1', async () => {
    const { code, stderr } = await runCli([fixture('counter.ts'), '--port', '0'], { env: { NODE_OPTIONS: '--insecure-http-parser' } })
    assert.equal(code, 1)
    assert.match(stderr, /refusing to start: .*--insecure-http-parser.*NODE_OPTIONS/)
    oneLine(stderr)
  })

  test('--insecure-http-parser on the node command line: one line, exit 1', async () => {
    const child = spawn(process.execPath, ['--insecure-http-parser', BIN, fixture('counter.ts'), '--port', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()))
    const code = await withDeadline(new Promise<number | null>((resolve) => child.once('exit', resolve)), 15_000, 'hotcell to exit')
    assert.equal(code, 1)
    assert.match(stderr, /refusing to start: .*the node command line/)
    oneLine(stderr)
  })

  test('bad --static and --allowed-hosts values: one line, exit 1', async () => {
    const missing = await runCli([fixture('counter.ts'), '--static', 'no-such-folder'])
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /--static folder not found: no-such-folder/)
    oneLine(missing.stderr)
    const bad = await runCli([fixture('counter.ts'), '--allowed-hosts', 'good.test,bad host'])
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, /--allowed-hosts must be host names/)
    oneLine(bad.stderr)
  })
})

describe('bounded pool queue', () => {
  test('over the queue limit: 503 with Retry-After, from the main thread; the server keeps serving', async () => {
    const builder = await createBuilder(fixture('counter.ts'), ROOT)
    const build = await builder.build()
    assert.ok(build.ok)
    // One worker running one task at a time, one queued: the third concurrent request is over the limit.
    const generation = new Generation({
      gen: 1,
      workers: 1,
      entry: 'counter.ts',
      handler: 'auto',
      maxMemoryMb: undefined,
      preloadUrl: build.preloadUrl,
      bundleUrl: build.url,
      onWorkerError: () => {},
      tasksPerWorker: 1,
      maxQueue: 1,
    })
    await generation.load()
    const dispatcher = createDispatcher({
      target: () => ({ kind: 'generation', generation }),
      bodyLimit: 1024,
      roots: { cwd: ROOT, dirs: [ROOT] },
      details: () => true,
      gate: createFrontGate({ allowedHosts: [], host: '127.0.0.1', staticDir: undefined }),
      logger: createLogger({ quiet: true }),
      closing: () => false,
      refresh: { reload: true },
    })
    const http = await listen(dispatcher, '127.0.0.1', 0)
    try {
      const slow = `GET /slow?ms=3000 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`
      const replies = await Promise.all([1, 2, 3].map(() => exchange(http.port, slow, { timeoutMs: 20_000 })))
      const statuses = replies.map((r) => r.status).sort()
      assert.deepEqual(statuses, [200, 200, 503])
      const busy = replies.find((r) => r.status === 503)!
      assert.match(busy.head, /\r\nretry-after: 1/i)
      assert.equal((await request(`${http.url}/health`)).status, 200)
    } finally {
      http.stopAccepting()
      http.closeAll()
      await generation.destroy()
      await builder.dispose()
    }
  })
})
