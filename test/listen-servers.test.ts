// An entry that starts more than one server, or starts one and exports a
// handler too (workers/captured-servers.ts), run by the real CLI: WebSocket
// upgrades reach the server that listens for them, requests the handler
// served, and the terminal says what each server gets (a new-user trial
// found upgrades answered 200 by the default export, and a second server
// silently dead, under a line that said the listen()ed server was served).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cleanup, projectDir, request, startCli, waitFor, type CliRun } from './helpers.js'
import { connect } from './ws-client.js'

async function start(source: string, workers = 1): Promise<CliRun> {
  const project = projectDir({ 'server.ts': source })
  cleanup(project.remove)
  const cli = await startCli(['server.ts', '--port', '0', '--workers', String(workers)], { cwd: project.dir })
  cleanup(() => cli.stop())
  return cli
}

/** The first message of a WebSocket to `url`. */
async function hello(url: string): Promise<string> {
  const client = await connect(url)
  const text = await client.text()
  client.ws.close()
  return text
}

const count = (cli: CliRun, text: string) => cli.output().split(text).length - 1

test('Express exported (for supertest) and started in the same file: its ws server on app.listen() gets the upgrades', async () => {
  const cli = await start(
    [
      "import express from 'express'",
      "import { WebSocketServer } from 'ws'",
      'const app = express()',
      "app.get('/', (_req, res) => { res.send('express root') })",
      'const server = app.listen(3000)',
      "new WebSocketServer({ server }).on('connection', (ws) => ws.send('hello from ws'))",
      'export default app',
    ].join('\n'),
  )
  assert.equal((await request(`${cli.url}/`)).text, 'express root')
  assert.equal(await hello(`${cli.url}/`), 'hello from ws')
  assert.match(cli.output(), /server\.ts calls listen\(3000\); hotcell leaves that port alone and serves the app's handler at/)
  assert.doesNotMatch(cli.output(), /nothing reaches|besides/)
})

test("Koa exported and started: app.listen()'s callback() is the same app, and its ws server gets the upgrades", async () => {
  const cli = await start(
    [
      "import Koa from 'koa'",
      "import { WebSocketServer } from 'ws'",
      'const app = new Koa()',
      "app.use((ctx) => { ctx.body = 'koa root' })",
      'const server = app.listen(3000)',
      "new WebSocketServer({ server }).on('connection', (ws) => ws.send('hello from koa'))",
      'export default app',
    ].join('\n'),
  )
  assert.equal((await request(`${cli.url}/`)).text, 'koa root')
  assert.equal(await hello(`${cli.url}/`), 'hello from koa')
  assert.match(cli.output(), /calls listen\(3000\); hotcell leaves that port alone and serves the app's handler at/)
  assert.doesNotMatch(cli.output(), /nothing reaches|besides/)
})

test("a fetch export beside ws's standalone server ({ port }): requests to the fetch handler, upgrades to the ws server, and the line says so", async () => {
  const cli = await start(
    [
      "import { WebSocketServer } from 'ws'",
      "new WebSocketServer({ port: 3002 }).on('connection', (ws) => ws.send('hello from the ws server'))",
      "export default { fetch: () => new Response('http part') }",
    ].join('\n'),
  )
  assert.equal((await request(`${cli.url}/`)).text, 'http part')
  assert.equal(await hello(`${cli.url}/`), 'hello from the ws server')
  const line = `hotcell: server.ts calls listen(3002) besides the default export; hotcell leaves that port alone (WebSocket clients connect to ${cli.url.replace('http', 'ws')}). At ${cli.url} hotcell serves requests with the default export and WebSocket upgrades with the 'upgrade' listeners of the server from listen(3002); that server's own request handler is not used`
  await waitFor(() => count(cli, line) === 1, 10_000, `the line about listen(3002)\n${cli.output()}`)
  assert.doesNotMatch(cli.output(), /serves the app's handler/)
})

test('a ws server started after the load (after its database, say) still gets the upgrades, and is told', async () => {
  const cli = await start(
    [
      "import { WebSocketServer } from 'ws'",
      "setTimeout(() => new WebSocketServer({ port: 3002 }).on('connection', (ws) => ws.send('hello, late')), 200)",
      "export default { fetch: () => new Response('http part') }",
    ].join('\n'),
  )
  await waitFor(() => /calls listen\(3002\) besides the default export/.test(cli.output()), 10_000, `the line about listen(3002)\n${cli.output()}`)
  assert.equal(await hello(`${cli.url}/`), 'hello, late')
  assert.equal((await request(`${cli.url}/`)).text, 'http part')
})

test('two servers, no export: the first is served, and the second is said once, with how to serve it, not left silently dead', async () => {
  const cli = await start(
    [
      "import http from 'node:http'",
      "http.createServer((_req, res) => res.end('main')).listen(3000)",
      "http.createServer((_req, res) => res.end('admin')).listen(3001)",
    ].join('\n'),
    2,
  )
  assert.equal((await request(`${cli.url}/`)).text, 'main')
  const line = `hotcell: server.ts calls listen(3001) too, but hotcell serves one server per entry: the server from listen(3000), at ${cli.url}. Nothing reaches the server from listen(3001) (nothing binds port 3001). To serve it, mount its routes on the served app, or move it to an entry of its own and run that in a second hotcell (npx hotcell <that entry> --port 3001)`
  // Both workers report it; it is said once.
  await waitFor(() => count(cli, line) > 0, 10_000, `the line about listen(3001)\n${cli.output()}`)
  await waitFor(() => count(cli, 'hotcell serves that server') + count(cli, "serves the app's handler") > 0, 10_000, 'the line about listen(3000)')
  assert.equal(count(cli, line), 1, cli.output())
})

test('an http server and a standalone ws server, no export: the upgrades go to the one that listens for them', async () => {
  const cli = await start(
    [
      "import http from 'node:http'",
      "import { WebSocketServer } from 'ws'",
      "http.createServer((_req, res) => res.end('main')).listen(3000)",
      "new WebSocketServer({ port: 3001 }).on('connection', (ws) => ws.send('hello from 3001'))",
    ].join('\n'),
  )
  assert.equal((await request(`${cli.url}/`)).text, 'main')
  assert.equal(await hello(`${cli.url}/`), 'hello from 3001')
  await waitFor(
    () =>
      /calls listen\(3001\) besides the server from listen\(3000\).* WebSocket upgrades with the 'upgrade' listeners of the server from listen\(3001\)/.test(
        cli.output(),
      ),
    10_000,
    `the line about listen(3001)\n${cli.output()}`,
  )
})
