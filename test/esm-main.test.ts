// The ES module "am I the main module?" checks, as under `node app.ts` or
// `tsx app.ts`: `process.argv[1] === fileURLToPath(import.meta.url)` and
// Node 24's `import.meta.main` are true in the entry's source and false in
// every other file, on every Node hotcell runs on. So an entry that starts its
// server only when run directly, and exports its handler by name for tests,
// runs its listen(), which hotcell captures. Also when the entry is named
// through a symlinked folder (esbuild names the sources by their real paths).
import assert from 'node:assert/strict'
import { realpathSync, rmSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { serve } from '../src/index.js'
import { cleanup, projectDir, request, serveProject } from './helpers.js'

const FILES = {
  'package.json': '{ "name": "p", "version": "1.0.0", "type": "module" }\n',
  'app.ts': [
    `import http from 'node:http'`,
    `import { fileURLToPath } from 'node:url'`,
    `import { lib } from './lib.ts'`,
    'const viaArgv = process.argv[1] === fileURLToPath(import.meta.url)',
    'const viaMeta = (import.meta as { main?: boolean }).main',
    'const handler = (_req: http.IncomingMessage, res: http.ServerResponse) =>',
    '  res.end(JSON.stringify({ viaArgv, viaMeta, argv1: process.argv[1], lib }))',
    'if (viaArgv && viaMeta) http.createServer(handler).listen(3000)',
    'export { handler }',
    '',
  ].join('\n'),
  'lib.ts': [
    `import { fileURLToPath } from 'node:url'`,
    'export const lib = { viaArgv: process.argv[1] === fileURLToPath(import.meta.url), viaMeta: import.meta.main }',
    '',
  ].join('\n'),
}

describe('ES module main checks', () => {
  test('process.argv[1] and import.meta.main name the entry: its guarded listen() runs, another file is not main', async () => {
    const { server, project } = await serveProject(FILES)
    const reply = await request(server.url)
    assert.equal(reply.status, 200, reply.text)
    assert.deepEqual(JSON.parse(reply.text), {
      viaArgv: true,
      viaMeta: true,
      argv1: join(realpathSync(project.dir), 'app.ts'),
      lib: { viaArgv: false, viaMeta: false },
    })
  })

  test('the entry named through a symlinked folder is still main', async () => {
    const project = projectDir(FILES)
    cleanup(project.remove)
    const link = `${project.dir}-link`
    symlinkSync(project.dir, link)
    cleanup(() => rmSync(link, { force: true }))
    const server = await serve({ port: 0, workers: 1, quiet: !process.env.DEBUG_HOTCELL, entry: join(link, 'app.ts') })
    cleanup(() => server.close())
    const reply = await request(server.url)
    assert.equal(reply.status, 200, reply.text)
    assert.deepEqual(JSON.parse(reply.text).viaMeta, true, reply.text)
    assert.deepEqual(JSON.parse(reply.text).viaArgv, true, reply.text)
  })
})
