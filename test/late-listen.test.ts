// An entry that exports no handler and calls listen() more than 2 s after its
// import (Express's connectDb().then(() => app.listen()), Fastify's
// app.listen() behind a slow plugin) is served once it listens, within the 10 s
// an import gets; requests meanwhile wait for it; the lines say what hotcell
// waits for; an entry that never listens is told (workers/listen-wait.ts).
// The apps' "database" takes 3 s: past the 2 s an entry with nothing under
// way gets (LISTEN_GRACE_MS), which is what the old code gave every entry.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { nextReload, start } from './reload-helpers.js'
import { cleanup, freePort, projectDir, request, startCli, waitFor, withDeadline } from './helpers.js'

const COMMONJS = '{ "type": "commonjs" }\n'
const LATE = 3_000

/** An entry without exports that listens once its "database" connects, `LATE` ms after the import. */
const expressLike = (body: string) => `import { createServer } from 'node:http'
const connectDb = () => new Promise((resolve) => setTimeout(resolve, ${LATE}))
connectDb().then(() => createServer((_req, res) => res.end(${JSON.stringify(body)})).listen(3000, () => console.log('app: listening')))
`

/** Fastify's app.listen() at import, not awaited: it binds once the plugin that takes `LATE` ms is ready. */
const fastifyListen = (body: string) => `import Fastify from 'fastify'
const app = Fastify()
app.register(async () => {
  await new Promise((resolve) => setTimeout(resolve, ${LATE}))
})
app.get('/', async () => ({ body: ${JSON.stringify(body)} }))
app.listen({ port: 3000 })
`

test('a listen() 3 s after the import, at the start: a request sent meanwhile waits and gets the app, and the 1 s line says what hotcell waits for', async () => {
  const project = projectDir({ 'package.json': COMMONJS, 'app.ts': expressLike('db ready') })
  cleanup(project.remove)
  const port = await freePort()
  const starting = startCli(['app.ts', '--port', String(port), '--workers', '1'], { cwd: project.dir })
  cleanup(async () => (await starting).stop())
  // The socket is bound before the first build: this request is sent as soon as it accepts, seconds before the app listens.
  const url = `http://127.0.0.1:${port}/`
  const early = await waitFor(
    () => request(url, { timeoutMs: 15_000 }).catch((error: Error) => (/ECONNREFUSED/.test(error.message) ? undefined : error)),
    15_000,
    'a connection',
  )
  const cli = await withDeadline(starting, 15_000, 'the ready line')
  assert.ok(!(early instanceof Error), String(early))
  assert.equal(early.status, 200, early.text)
  assert.equal(early.text, 'db ready')
  const lines = cli.output()
  assert.match(
    lines,
    /app\.ts exports no handler and has not called listen\(\) after 1 s: hotcell waits for its listen\(\) up to 10 s from the import's start while the app has work under way, 2 s if none\n/,
  )
  assert.doesNotMatch(lines, /top-level await|starts no server|Fastify/)
  assert.match(lines, /app\.ts calls listen\(3000\)/)
})

test("Fastify's app.listen() behind a plugin that takes 3 s: served at the start, and after a save that takes as long", async () => {
  const { project, server } = await start({ 'package.json': COMMONJS, 'app.ts': fastifyListen('one') })
  const first = await request(server.url)
  assert.equal(first.status, 200, first.text)
  assert.deepEqual(JSON.parse(first.text), { body: 'one' })
  const reloaded = nextReload(server)
  project.write('app.ts', fastifyListen('two'))
  const info = await reloaded
  assert.equal(info.ok, true, JSON.stringify(info))
  const second = await request(server.url)
  assert.equal(second.status, 200, second.text)
  assert.deepEqual(JSON.parse(second.text), { body: 'two' })
})

test('an entry with work under way that never calls listen(): after the 10 s an import gets, a 500 that says listen() did not come and how to fix it', async () => {
  const { server } = await start({ 'package.json': COMMONJS, 'app.ts': `setInterval(() => {}, 1000)\nconsole.log('metrics started')\n` })
  const res = await request(server.url)
  assert.equal(res.status, 500)
  assert.match(res.text, /app\.ts exports no handler, and no server of its called listen\(\) within 10 s of the start of its import/)
  assert.match(res.text, /await connectDb\(\); app\.listen\(3000\)/)
  assert.match(res.text, /export default app/)
  assert.doesNotMatch(res.text, /did not finish importing/)
  // Timers alone were under way: the forgotten export comes first.
  assert.match(res.text, /the likelier cause.*\n {2}- export default app \(Express, Koa, a Fastify instance\)/)
})

test('an entry whose connect fails after the 2 s, without a listen(): the 500 comes when that work ends, and says so', async () => {
  const { server } = await start({
    'package.json': COMMONJS,
    'app.ts': `import { createServer } from 'node:http'
const connectDb = () => new Promise((_resolve, reject) => setTimeout(() => reject(new Error('ECONNREFUSED')), ${LATE}))
connectDb().then(() => createServer((_req, res) => res.end('never')).listen(3000)).catch((error) => console.error('db:', error.message))
`,
  })
  const res = await request(server.url)
  assert.equal(res.status, 500)
  assert.match(
    res.text,
    /and it starts no server either\. Its import ended with work under way .* but that work ended [\d.]+ s after the import without a listen\(\) call/,
  )
  assert.doesNotMatch(res.text, /within 10 s/)
})

test('an exported Fastify app whose plugin takes 3 s: the 1 s lines name its ready(), not a top-level await', async () => {
  const fastifyExport = (body: string) => `import Fastify from 'fastify'
const app = Fastify()
app.register(async () => {
  await new Promise((resolve) => setTimeout(resolve, ${LATE}))
})
app.get('/', async () => ${JSON.stringify(body)})
export default app
`
  const project = projectDir({ 'app.ts': fastifyExport('one') })
  cleanup(project.remove)
  const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
  cleanup(() => cli.stop())
  assert.match(
    cli.output(),
    /app\.ts was imported, and its Fastify app is not ready after 1 s \(a plugin still loading\); hotcell serves it once ready\(\) resolves/,
  )
  assert.doesNotMatch(cli.output(), /top-level await/)
  project.write('app.ts', fastifyExport('two'))
  await waitFor(
    () => /↻ app\.ts changed · build [\d.]+ ms · imported, its Fastify app not ready yet after 1 s/.test(cli.output()),
    10_000,
    `the reload's line\n${cli.output()}`,
  )
  await waitFor(async () => (await request(cli.url)).text === 'two', 10_000, `the save served\n${cli.output()}`)
})
