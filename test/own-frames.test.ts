// Which frames of a stack are hotcell's machinery (hidden on pages and in the
// terminal) and which are the developer's (shown).
import assert from 'node:assert/strict'
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { withoutOwnFrames } from '../src/report/source-files.js'
import { cleanup, projectDir, request, ROOT, startCli } from './helpers.js'

const own = join(ROOT, 'dist', 'workers', 'bundle', 'runtime.js')

describe('withoutOwnFrames', () => {
  test("hotcell's frames go, and so does the AsyncLocalStorage.run it calls the handler through; the user's own stays", () => {
    const stack = [
      'Error: boom',
      '    at Object.fetch (/app/app.ts:15:13)',
      '    at AsyncLocalStorage.run (node:async_hooks:346:14)',
      `    at runInScope (file://${own}:120:7)`,
      '    at handle (/app/context.ts:3:10)',
      '    at AsyncLocalStorage.run (node:internal/async_local_storage/async_context_frame:63:14)',
      '    at withUser (/app/context.ts:9:3)',
      `    at serve (file://${own}:700:5)`,
    ].join('\n')
    assert.equal(
      withoutOwnFrames(stack),
      [
        'Error: boom',
        '    at Object.fetch (/app/app.ts:15:13)',
        '    at handle (/app/context.ts:3:10)',
        '    at AsyncLocalStorage.run (node:internal/async_local_storage/async_context_frame:63:14)',
        '    at withUser (/app/context.ts:9:3)',
      ].join('\n'),
    )
  })

  test("a built-in without a location goes when hotcell's code called the app through it (a Node handler's Promise), not when the app's did", () => {
    const stack = [
      'Error: boom',
      '    at Server.<anonymous> (/app/server.ts:3:33)',
      '    at new Promise (<anonymous>)',
      `    at handle (file://${own}:400:10)`,
      '    at JSON.parse (<anonymous>)',
      '    at load (/app/config.ts:2:8)',
    ].join('\n')
    assert.equal(
      withoutOwnFrames(stack),
      ['Error: boom', '    at Server.<anonymous> (/app/server.ts:3:33)', '    at JSON.parse (<anonymous>)', '    at load (/app/config.ts:2:8)'].join('\n'),
    )
  })

  test("esbuild's helpers left in the bundle (__require…) go, with an absolute or a relative path", () => {
    const stack = [
      'SyntaxError: Unexpected token',
      '    at JSON.parse (<anonymous>)',
      '    at <anonymous> (/app/config.ts:3:21)',
      '    at __require (.hotcell/30483-3oxtnv/app-FPQLWXNA.mjs:5:52)',
      '    at __init (file:///app/.hotcell/30483-3oxtnv/app-FPQLWXNA.mjs:12:9)',
      '    at <anonymous> (/app/app.ts:1:1)',
    ].join('\n')
    assert.equal(
      withoutOwnFrames(stack),
      [
        'SyntaxError: Unexpected token',
        '    at JSON.parse (<anonymous>)',
        '    at <anonymous> (/app/config.ts:3:21)',
        '    at <anonymous> (/app/app.ts:1:1)',
      ].join('\n'),
    )
  })
})

test('installed under a path with a space and a non-ASCII letter, hotcell still hides its own frames (ESM frames name it as a percent-encoded file: URL)', async () => {
  const base = mkdtempSync(join(tmpdir(), 'hotcell-install-'))
  cleanup(() => rmSync(base, { recursive: true, force: true }))
  const install = join(base, 'my projé', 'node_modules', 'hotcell')
  mkdirSync(join(install, 'dist'), { recursive: true })
  for (const part of ['src', 'workers']) cpSync(join(ROOT, 'dist', part), join(install, 'dist', part), { recursive: true })
  cpSync(join(ROOT, 'package.json'), join(install, 'package.json'))
  symlinkSync(join(ROOT, 'node_modules'), join(install, 'node_modules'))
  const project = projectDir({ 'app.ts': "export default { fetch() { throw new Error('boom') } }\n" })
  cleanup(project.remove)
  const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir, bin: join(install, 'dist', 'src', 'cli', 'hotcell.cjs') })
  cleanup(() => cli.stop())
  const page = await request(cli.url, { headers: { accept: 'text/plain' } })
  assert.equal(page.status, 500)
  assert.match(page.text, /at Object\.fetch \(app\.ts:1:34\)/)
  assert.doesNotMatch(page.text, /node_modules|runtime\.js|chunk-|%20|%C3/, page.text)
})
