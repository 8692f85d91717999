// A plain TCP server the app binds to a fixed port as it loads, closed at its
// SIGTERM (trial s24, finding 8): the older generation holds the port while
// a reload imports, so the new listen() is tried again until it has ended;
// the port is up after every save, not every other one.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { connect, createServer } from 'node:net'
import { join } from 'node:path'
import { serve } from '../src/index.js'
import { cleanup, freePort, projectDir, waitFor } from './helpers.js'
import { nextReload } from './reload-helpers.js'

const app = (side: number, v: number) => `import { createServer } from 'node:net'
const side = createServer((socket) => socket.end('side v${v}')).listen(${side}, '127.0.0.1')
process.on('SIGTERM', () => new Promise<void>((resolve) => side.close(() => resolve())))
export default { fetch: () => new Response('v${v}') }
`

/** What the side port answers: its text, or the connection's error code. */
function probe(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let text = ''
    socket.on('data', (chunk) => (text += chunk))
    socket.on('end', () => resolve(text))
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
  })
}

async function start(side: number, lines: string[] = []) {
  const project = projectDir({ 'app.ts': app(side, 1) })
  cleanup(project.remove)
  const server = await serve({ entry: join(project.dir, 'app.ts'), port: 0, workers: 1, log: ({ text }) => lines.push(text) })
  cleanup(() => server.close())
  return { project, server }
}

test('a fixed port the module binds at import is up after every save', async () => {
  const side = await freePort()
  const { project, server } = await start(side)
  await waitFor(async () => (await probe(side)) === 'side v1' || undefined, 5_000, 'the side port of v1')
  for (let v = 2; v <= 5; v++) {
    const reloaded = nextReload(server)
    project.write('app.ts', app(side, v))
    assert.equal((await reloaded).ok, true)
    // Each generation's own server, once the one before has let the port go: the save before left it down without the retry.
    await waitFor(async () => (await probe(side)) === `side v${v}` || undefined, 8_000, `the side port of v${v}`)
  }
})

test('a fixed port that never frees: the explanation each time, not "the same error as above"', async () => {
  const side = await freePort()
  // Held by the test, not by any generation: the retry gives up once the older generations have ended.
  const holder = createServer().listen(side, '127.0.0.1')
  cleanup(() => new Promise((resolve) => holder.close(resolve)))
  const lines: string[] = []
  const { project, server } = await start(side, lines)
  const given = () => lines.filter((line) => /tried this listen\(\) again until the older generations of this server had ended/.test(line)).length
  for (let v = 2; v <= 3; v++) {
    const reloaded = nextReload(server)
    project.write('app.ts', app(side, v))
    assert.equal((await reloaded).ok, true)
    await waitFor(() => given() >= v - 1 || undefined, 15_000, `the explanation after save ${v - 1}`)
  }
  assert.equal(given(), 2, lines.join('\n'))
  assert.ok(!lines.some((line) => /the same error as above/.test(line)), lines.join('\n'))
  assert.ok(
    lines.some((line) => /still in use after the older generations of this server had ended/.test(line)),
    lines.join('\n'),
  )
})
