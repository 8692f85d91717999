// The lines that say the app asked for an address hotcell does not bind: an
// entry's own listen() was captured (once per address, and true whether or
// not hotcell's port is the one the app asked for), or its default export
// names a port or hostname, as Bun's `export default { port, fetch }` does.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { ListenNote } from '../src/pool/protocol.js'
import type { Logger } from '../src/report/logger.js'
import { createExportedAddressNotice, createListenNotice } from '../src/report/listen-notice.js'
import { cleanup, projectDir, request, startCli, waitFor } from './helpers.js'

/** A server whose handler hotcell serves. */
const served = (requested: string): ListenNote => ({ requested, role: 'requests', servedBy: `the server from listen(${requested})` })

function capture(url: string) {
  const lines: string[] = []
  const logger = { info: (line: string) => lines.push(line), warn: (line: string) => lines.push(line) } as unknown as Logger
  return { lines, notice: createListenNotice(logger, 'src/server.ts', () => url), exported: createExportedAddressNotice(logger, 'app.ts', () => url) }
}

test('on the port the app asked for, hotcell says it serves there itself', () => {
  const { lines, notice } = capture('http://127.0.0.1:3000')
  notice(served('3000'))
  notice(served('3000'))
  assert.deepEqual(lines, [
    "hotcell: src/server.ts calls listen(3000); hotcell serves that server's handler at http://127.0.0.1:3000 itself, so the app's own listen() binds nothing",
  ])
})

test('on another port, it says the requested one stays free; each address is told once', () => {
  const { lines, notice } = capture('http://127.0.0.1:4000')
  notice(served('localhost:3000'))
  notice(served('localhost:3000'))
  notice(served('3001'))
  assert.equal(lines.length, 2)
  assert.equal(
    lines[0],
    "hotcell: src/server.ts calls listen(localhost:3000); hotcell leaves that port alone and serves the app's handler at http://127.0.0.1:4000",
  )
  assert.match(lines[1]!, /listen\(3001\); hotcell leaves that port alone/)
})

test("a reload's workers call listen() again: one short line per generation, not per worker", () => {
  const lines: string[] = []
  let now = 0
  const notice = createListenNotice(
    { info: (line: string) => lines.push(line), warn: (line: string) => lines.push(line) } as unknown as Logger,
    'src/server.ts',
    () => 'http://127.0.0.1:4000',
    () => now,
  )
  notice(served('3000'))
  notice(served('3000')) // the generation's second worker
  now = 5_000 // a reload
  notice(served('3000'))
  notice(served('3000'))
  assert.equal(lines.length, 2, lines.join('\n'))
  assert.equal(lines[1], 'hotcell: listen(3000) again, from the new code; hotcell still serves it at http://127.0.0.1:4000')
})

test("a generation's workers that listen() seconds apart (each waits for its database): still one line per generation", () => {
  const lines: string[] = []
  let now = 0
  const notice = createListenNotice(
    { info: (line: string) => lines.push(line), warn: (line: string) => lines.push(line) } as unknown as Logger,
    'src/server.ts',
    () => 'http://127.0.0.1:4000',
    () => now,
  )
  notice({ ...served('3000'), gen: 1 })
  now = 3_000 // the second worker, which imported after the first had answered
  notice({ ...served('3000'), gen: 1 })
  now = 10_000 // a reload
  notice({ ...served('3000'), gen: 2 })
  now = 13_000
  notice({ ...served('3000'), gen: 2 })
  assert.equal(lines.length, 2, lines.join('\n'))
  assert.equal(lines[1], 'hotcell: listen(3000) again, from the new code; hotcell still serves it at http://127.0.0.1:4000')
})

describe('a server that is not the one served', () => {
  test("one whose 'upgrade' listeners get the upgrades: what serves the requests, what the upgrades, and where clients connect", () => {
    const { lines, notice } = capture('http://127.0.0.1:4000')
    notice({ requested: '3002', role: 'upgrades', servedBy: 'the default export' })
    notice({ requested: '3002', role: 'upgrades', servedBy: 'the default export' })
    assert.deepEqual(lines, [
      "hotcell: src/server.ts calls listen(3002) besides the default export; hotcell leaves that port alone (WebSocket clients connect to ws://127.0.0.1:4000). At http://127.0.0.1:4000 hotcell serves requests with the default export and WebSocket upgrades with the 'upgrade' listeners of the server from listen(3002); that server's own request handler is not used",
    ])
  })

  test('a second server: not served, which one is, and how to serve it', () => {
    const { lines, notice } = capture('http://127.0.0.1:4000')
    notice(served('3000'))
    notice({ requested: '3001', role: 'unserved', servedBy: 'the server from listen(3000)' })
    assert.equal(
      lines[1],
      'hotcell: src/server.ts calls listen(3001) too, but hotcell serves one server per entry: the server from listen(3000), at http://127.0.0.1:4000. Nothing reaches the server from listen(3001) (nothing binds port 3001). To serve it, mount its routes on the served app, or move it to an entry of its own and run that in a second hotcell (npx hotcell <that entry> --port 3001)',
    )
  })

  test('beside a default export: the default export is served, and the server is not', () => {
    const { lines, notice } = capture('http://127.0.0.1:3001')
    notice({ requested: '3001', role: 'unserved', servedBy: 'the default export' })
    assert.equal(
      lines[0],
      'hotcell: src/server.ts exports a handler and also calls listen(3001): hotcell serves the default export at http://127.0.0.1:3001, and nothing reaches the server from listen(3001). That is all right if it serves the same app; if it serves something else, mount its routes on the exported app, or move it to an entry of its own and run that in a second hotcell (npx hotcell <that entry>)',
    )
  })

  test('after a reload, one short line that still says what it gets', () => {
    const lines: string[] = []
    let now = 0
    const logger = { info: (line: string) => lines.push(line), warn: (line: string) => lines.push(line) } as unknown as Logger
    const notice = createListenNotice(
      logger,
      'src/server.ts',
      () => 'http://127.0.0.1:4000',
      () => now,
    )
    notice({ requested: '3001', role: 'unserved', servedBy: 'the server from listen(3000)' })
    notice({ requested: '3002', role: 'upgrades', servedBy: 'the server from listen(3000)' })
    now = 5_000
    notice({ requested: '3001', role: 'unserved', servedBy: 'the server from listen(3000)' })
    notice({ requested: '3002', role: 'upgrades', servedBy: 'the server from listen(3000)' })
    assert.deepEqual(lines.slice(2), [
      'hotcell: listen(3001) again, from the new code; that server is still not served',
      'hotcell: listen(3002) again, from the new code; hotcell still sends it the WebSocket upgrades at http://127.0.0.1:4000',
    ])
  })
})

describe("a Bun-style default export's port and hostname", () => {
  test('the address hotcell serves on, or a loopback name for its loopback address: nothing to tell', () => {
    const { lines, exported } = capture('http://127.0.0.1:3000')
    exported({ port: 3000 })
    exported({ hostname: 'localhost' })
    exported({ port: 3000, hostname: '127.0.0.1' })
    assert.deepEqual(lines, [])
  })

  test('another hostname, or both: the flags that would serve there', () => {
    const { lines, exported } = capture('http://[::1]:3000')
    exported({ hostname: '0.0.0.0' })
    exported({ port: 8080, hostname: '0.0.0.0' })
    exported({ port: 8080, hostname: '0.0.0.0' })
    assert.deepEqual(lines, [
      'hotcell: app.ts exports hostname 0.0.0.0; hotcell serves on http://[::1]:3000 (pass --host 0.0.0.0 to use it)',
      'hotcell: app.ts exports port 8080 and hostname 0.0.0.0; hotcell serves on http://[::1]:3000 (pass --port 8080 --host 0.0.0.0 to use them)',
    ])
  })

  test("a port other than hotcell's: one line, once per value, however many workers and reloads report it", async () => {
    const app = (port: number, body: string) => `export default { port: ${port}, fetch: () => new Response('${body}') }\n`
    const project = projectDir({ 'app.ts': app(8080, 'one') })
    cleanup(project.remove)
    const cli = await startCli(['app.ts', '--port', '0', '--workers', '2'], { cwd: project.dir })
    cleanup(() => cli.stop())
    const told = (port: number) => `hotcell: app.ts exports port ${port}; hotcell serves on ${cli.url} (pass --port ${port} to use it)\n`
    const count = (line: string) => cli.output().split(line).length - 1
    await waitFor(() => count(told(8080)) > 0, 10_000, `the port notice\n${cli.output()}`)
    // A reload with the same port says nothing new.
    project.write('app.ts', app(8080, 'two'))
    await waitFor(async () => (await request(`${cli.url}/`)).text === 'two', 10_000, `the reload\n${cli.output()}`)
    project.write('app.ts', app(8081, 'three'))
    await waitFor(() => count(told(8081)) > 0, 10_000, `the notice for the new port\n${cli.output()}`)
    assert.equal((await request(`${cli.url}/`)).text, 'three')
    assert.equal(count(told(8080)), 1, cli.output())
    assert.equal(count(told(8081)), 1, cli.output())
  })
})

test("a standby's rehearsal listen() is never taken for the app's: an app that listens late is served, and no listen(127.0.0.1:0) is told", async () => {
  // Generation 1 is Node-style, so the standbys rehearse a stand-in server's listen() before the next bundle arrives.
  const app = (body: string, late: boolean) =>
    `import { createServer } from 'node:http'\nconst server = createServer((_req, res) => res.end('${body}'))\n${late ? 'setTimeout(() => server.listen(3000), 50)' : 'server.listen(3000)'}\n`
  const project = projectDir({ 'app.ts': app('one', false) })
  cleanup(project.remove)
  const cli = await startCli(['app.ts', '--port', '0'], { cwd: project.dir })
  cleanup(() => cli.stop())
  assert.equal((await request(`${cli.url}/`)).text, 'one')
  project.write('app.ts', app('two', true))
  await waitFor(async () => (await request(`${cli.url}/`)).text === 'two', 10_000, `the late listen() of the new code to be served\n${cli.output()}`)
  project.write('app.ts', app('three', false))
  await waitFor(async () => (await request(`${cli.url}/`)).text === 'three', 10_000, `the reload\n${cli.output()}`)
  assert.doesNotMatch(cli.output(), /listen\(127\.0\.0\.1:0\)|rehearsal/)
})
