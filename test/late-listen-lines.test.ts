// What the terminal and the 500 say of an entry without a handler whose
// listen() hotcell waited for (workers/listen-verdict.ts): the last line names
// what the page blames, a listen() after the 500 gets a line, the ways out come
// in the order of what was seen under way, and the 1 s line names Fastify only
// for a Fastify app.
import assert from 'node:assert/strict'
import { createServer, type Socket } from 'node:net'
import { test } from 'node:test'
import { start } from './reload-helpers.js'
import { cleanup, projectDir, request, startCli, waitFor } from './helpers.js'

const COMMONJS = '{ "type": "commonjs" }\n'

async function cliFor(source: string, readyMs = 15_000) {
  const project = projectDir({ 'package.json': COMMONJS, 'app.ts': source })
  cleanup(project.remove)
  const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir, readyMs })
  cleanup(() => cli.stop())
  return cli
}

test('a connect that fails unhandled after 3 s, at the start: the rejection is of the app loading, and the last line blames what listen() waited on', async () => {
  const cli = await cliFor(`import { createServer } from 'node:http'
const connectDb = () => new Promise((_resolve, reject) => setTimeout(() => reject(new Error('ECONNREFUSED 127.0.0.1:5432')), 3000))
connectDb().then(() => createServer((_req, res) => res.end('never')).listen(3000))
`)
  const expected = `✘ serving the error page on ${cli.url} — fix what app.ts waits on before its listen() (a connect that failed? its error is above, if logged) and save`
  await waitFor(() => cli.output().includes(expected), 10_000, `the line: ${expected}\n${cli.output()}`)
  const out = cli.output()
  assert.match(
    out,
    /A promise rejection nobody handled outside any request \(in a timer or callback the module started[^)]*\), worker \d+ of the generation loading the app\./,
    out,
  )
  assert.doesNotMatch(out, /loading the change|export a handler from/, out)
})

test('a listen() 11 s after the import, timers only: the 500 leads with the forgotten export, the last line too, and the late listen() is said to be too late', async () => {
  const cli = await cliFor(
    `import { createServer } from 'node:http'
setTimeout(() => createServer((_req, res) => res.end('late')).listen(3000, () => console.log('app: listening')), 11_000)
`,
    20_000,
  )
  await waitFor(
    () =>
      /app\.ts called listen\(3000\) [\d.]+ s after its import began, after hotcell had stopped waiting for it: not served, the error page stays\./.test(
        cli.output(),
      ),
    15_000,
    `the late listen()'s line\n${cli.output()}`,
  )
  const out = cli.output()
  assert.ok(out.includes(`✘ serving the error page on ${cli.url} — export default app from app.ts, or make what its listen() waits for answer, and save`), out)
  assert.match(out, /the likelier cause/)
  const res = await request(cli.url)
  assert.equal(res.status, 500, 'the late server is not served')
})

test('a socket to a service that never answers: the 500 leads with that service, not the forgotten export', async () => {
  const held: Socket[] = []
  const silent = createServer((socket) => held.push(socket))
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  cleanup(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of held) socket.destroy()
        silent.close(() => resolve())
      }),
  )
  const { port } = silent.address() as { port: number }
  const { server } = await start({
    'package.json': COMMONJS,
    'app.ts': `import { connect } from 'node:net'\nconnect(${port}, '127.0.0.1').on('data', () => {})\n`,
  })
  const res = await request(server.url, { timeoutMs: 15_000 })
  assert.equal(res.status, 500)
  assert.match(res.text, /within 10 s of the start of its import/)
  assert.match(res.text, /a database or a service that does not answer.*\n {2}- make sure that service answers/)
  assert.doesNotMatch(res.text, /likelier/)
})

test("Fastify's app.listen() behind a plugin that takes 3 s: the 1 s line names Fastify's plugins", async () => {
  const cli = await cliFor(`import Fastify from 'fastify'
const app = Fastify()
app.register(async () => {
  await new Promise((resolve) => setTimeout(resolve, 3000))
})
app.get('/', async () => 'ok')
app.listen({ port: 3000 })
`)
  assert.match(
    cli.output(),
    /app\.ts exports no handler and has not called listen\(\) after 1 s: hotcell waits for its listen\(\) \(Fastify's waits for its plugins\) up to 10 s/,
  )
})
