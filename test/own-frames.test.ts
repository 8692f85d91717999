// Which frames of a stack are hotcell's machinery (hidden on pages and in the
// terminal) and which are the developer's (shown).
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { withoutOwnFrames } from '../src/report/source-files.js'
import { ROOT } from './helpers.js'

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
