// Import failures no line of the code causes (trial s24, findings 7 and 10):
// a service down at import names the app's line that connected and says how
// to import again; a SQLite file locked by the old generation says to give it
// a busy timeout.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { serve } from '../src/index.js'
import { problemOf } from '../src/report/serving-state.js'
import { cleanup, freePort, projectDir, request } from './helpers.js'
import { join } from 'node:path'

async function start(files: Record<string, string>) {
  const project = projectDir(files)
  cleanup(project.remove)
  const lines: string[] = []
  const server = await serve({ entry: join(project.dir, 'app.ts'), port: 0, workers: 1, log: ({ text }) => lines.push(text) })
  cleanup(() => server.close())
  return { server, lines }
}

test('a connection refused at import: what it is, the line that connected, how to import again', async () => {
  const port = await freePort()
  const { server, lines } = await start({
    'app.ts': `import net from 'node:net'
function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.once('connect', () => resolve(socket))
    socket.once('error', reject)
  })
}
const db = await connect(${port})
export default { fetch: () => new Response(String(db.destroyed)) }
`,
  })
  const problem = server.info.problem
  assert.ok(problem)
  assert.match(
    problem.summary,
    new RegExp(`^a service the entry connects to as it imports is not reachable \\(127\\.0\\.0\\.1:${port}\\) at \\S*app\\.ts:4:\\d+$`),
  )
  assert.equal(problem.fix, `start the service at 127.0.0.1:${port} (or correct its address in your code), then call server.reload() (or save a file)`)
  const page = await request(server.url, { headers: { accept: 'text/plain' } })
  assert.equal(page.status, 500)
  assert.match(page.text, new RegExp(`A service the app connects to as it imports is not reachable: 127\\.0\\.0\\.1:${port} \\(the connection was refused\\)`))
  const block = lines.find((line) => /ECONNREFUSED/.test(line)) ?? ''
  // The code frame of the line that opened the connection, and the top-level await under it.
  assert.match(block, /> 4 \| +const socket = net\.connect\(port, '127\.0\.0\.1'\)/, block)
  assert.match(block, /app\.ts:9:/, block)
})

test('the r key is offered only where there is one', () => {
  const error = {
    name: 'Error',
    message: 'connect ECONNREFUSED\nA service the app connects to as it imports is not reachable: 10.0.0.9:5432 (the connection was refused).',
  }
  const roots = { project: '/nowhere', outDir: '/nowhere/.hotcell' } as never
  const fix = (refresh: { reload: boolean; keys?: 'reload' | 'restart'; api?: boolean }) => problemOf('import', error, 'src/db.ts', roots, refresh)?.fix
  assert.equal(fix({ reload: true, keys: 'reload' }), 'start the service at 10.0.0.9:5432 (or correct its address in your code), then press r (or save a file)')
  assert.equal(fix({ reload: true }), 'start the service at 10.0.0.9:5432 (or correct its address in your code), then save a file')
  assert.equal(fix({ reload: false, keys: 'reload' }), 'start the service at 10.0.0.9:5432 (or correct its address in your code), then press r')
})

test('SQLite "database is locked" at import: the busy timeout to give it', async () => {
  const { server } = await start({
    'app.ts': `throw Object.assign(new Error('database is locked'), { code: 'ERR_SQLITE_ERROR', errcode: 5, errstr: 'database is locked' })
export default { fetch: () => new Response('never') }
`,
  })
  const page = await request(server.url, { headers: { accept: 'text/plain' } })
  assert.equal(page.status, 500)
  assert.match(page.text, /the generation serving still has the database open/)
  assert.match(page.text, /new DatabaseSync\(path, \{ timeout: 5000 \}\)/)
})
