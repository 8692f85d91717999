// The line that says an entry's own listen() was captured: once per address,
// and true whether or not hotcell's port is the one the app asked for.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Logger } from '../src/report/logger.js'
import { createListenNotice } from '../src/report/listen-notice.js'

function capture(url: string) {
  const lines: string[] = []
  const logger = { info: (line: string) => lines.push(line) } as unknown as Logger
  return { lines, notice: createListenNotice(logger, 'src/server.ts', () => url) }
}

test('on the port the app asked for, hotcell says it serves there itself', () => {
  const { lines, notice } = capture('http://127.0.0.1:3000')
  notice('3000')
  notice('3000')
  assert.deepEqual(lines, [
    "hotcell: src/server.ts calls listen(3000); hotcell serves that server's handler at http://127.0.0.1:3000 itself, so the app's own listen() binds nothing",
  ])
})

test('on another port, it says the requested one stays free; each address is told once', () => {
  const { lines, notice } = capture('http://127.0.0.1:4000')
  notice('localhost:3000')
  notice('localhost:3000')
  notice('3001')
  assert.equal(lines.length, 2)
  assert.equal(
    lines[0],
    "hotcell: src/server.ts calls listen(localhost:3000); hotcell leaves that port alone and serves the app's handler at http://127.0.0.1:4000",
  )
  assert.match(lines[1]!, /listen\(3001\); hotcell leaves that port alone/)
})
