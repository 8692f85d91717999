// `module` and `require.main` in the source files of a "type": "commonjs"
// package, as under node or tsx: the entry is the main module, so
// `if (require.main === module) app.listen(3000)` runs (hotcell captures that
// listen() and serves the default export), and every other file is not main.
// Both for files with import/export syntax (ES modules in the bundle) and for
// files esbuild wraps as CommonJS. And a top-level throw in a CommonJS entry
// has one frame, as in an ES module: not one named after the file, nor one
// past the end of the line.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { request, serveProject } from './helpers.js'

const PACKAGE = { 'package.json': '{ "name": "p", "version": "1.0.0", "type": "commonjs" }\n' }

describe('module and require.main in CommonJS sources', () => {
  test('a file with import/export syntax: the entry is main, its listen() is captured, the default export is served', async () => {
    const { server, project } = await serveProject({
      ...PACKAGE,
      'app.ts': [
        `import express from 'express'`,
        `import { lib } from './lib'`,
        'let listened = false',
        `const app = express().get('/', (_req, res) => {`,
        '  res.json({ main: require.main === module, id: module.id, mainFile: require.main.filename, file: module.filename, listened, lib })',
        '})',
        'if (require.main === module) app.listen(3000, () => { listened = true })',
        'export default app',
        '',
      ].join('\n'),
      'lib.ts': 'export const lib = { main: require.main === module, file: module.filename }\n',
    })
    const reply = await request(server.url)
    assert.equal(reply.status, 200, reply.text)
    assert.deepEqual(JSON.parse(reply.text), {
      main: true,
      id: '.',
      mainFile: join(project.dir, 'app.ts'),
      file: join(project.dir, 'app.ts'),
      listened: true,
      lib: { main: false, file: join(project.dir, 'lib.ts') },
    })
  })

  test('a file esbuild wraps as CommonJS (require and module.exports): the same answers, module.exports served', async () => {
    const { server, project } = await serveProject({
      ...PACKAGE,
      'app.ts': [
        `const express = require('express')`,
        `const lib = require('./lib')`,
        'const app = express().get("/", (_req: unknown, res: { json(v: unknown): void }) => {',
        '  res.json({ main: require.main === module, id: module.id, file: module.filename, lib })',
        '})',
        'if (require.main === module) app.listen(3000)',
        'module.exports = app',
        '',
      ].join('\n'),
      'lib.ts': 'module.exports = { main: require.main === module, file: module.filename }\n',
    })
    const reply = await request(server.url)
    assert.equal(reply.status, 200, reply.text)
    assert.deepEqual(JSON.parse(reply.text), {
      main: true,
      id: '.',
      file: join(project.dir, 'app.ts'),
      lib: { main: false, file: join(project.dir, 'lib.ts') },
    })
  })

  test("a CommonJS entry that throws at its top level: one frame, the throw's", async () => {
    const { server } = await serveProject({ ...PACKAGE, 'app.ts': "throw new Error('config missing: DATABASE_URL')\n" })
    const text = (await request(server.url, { headers: { accept: 'text/plain' } })).text
    assert.match(text, /config missing: DATABASE_URL/, text)
    const frames = text.split('\n').filter((line) => /^\s+at /.test(line))
    assert.equal(frames.length, 1, text)
    assert.match(frames[0]!, /^\s+at <anonymous> \(\S*app\.ts:1:7\)$/, text)
  })
})
