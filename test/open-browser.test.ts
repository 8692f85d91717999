// The `o` hotkey: says what it does, and says so when no browser opened.
import assert from 'node:assert/strict'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { openBrowser } from '../src/cli/open-browser.js'
import { cleanup, waitFor } from './helpers.js'

const linux = process.platform === 'linux' ? false : 'drives a fake xdg-open'

/** Put a fake xdg-open first on PATH for this test. */
function fakeXdgOpen(script: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hotcell-xdg-'))
  writeFileSync(join(dir, 'xdg-open'), `#!/bin/sh\n${script}\n`)
  chmodSync(join(dir, 'xdg-open'), 0o755)
  const path = process.env.PATH
  process.env.PATH = `${dir}:${path}`
  cleanup(() => {
    process.env.PATH = path
    rmSync(dir, { recursive: true, force: true })
  })
  return dir
}

test('opens the URL with the platform command and says so', { skip: linux }, async () => {
  const dir = fakeXdgOpen('echo "$1" > "$(dirname "$0")/opened"')
  const info: string[] = []
  const errors: string[] = []
  openBrowser('http://127.0.0.1:3000', { info: (l) => info.push(l), error: (l) => errors.push(l) })
  assert.deepEqual(info, ['hotcell: opening http://127.0.0.1:3000 in your browser'])
  await waitFor(
    () => {
      try {
        return readFileSync(join(dir, 'opened'), 'utf8')
      } catch {
        return undefined
      }
    },
    5000,
    'xdg-open to run',
  )
  assert.equal(readFileSync(join(dir, 'opened'), 'utf8'), 'http://127.0.0.1:3000\n')
  assert.deepEqual(errors, [])
})

test('no browser to open (xdg-open exits 3): one line that says to open the URL by hand', { skip: linux }, async () => {
  fakeXdgOpen('exit 3')
  const errors: string[] = []
  openBrowser('http://127.0.0.1:3000', { info: () => {}, error: (l) => errors.push(l) })
  await waitFor(() => errors.length > 0, 5000, 'the error line')
  assert.deepEqual(errors, ['hotcell: could not open a browser (xdg-open exited with 3); open http://127.0.0.1:3000 yourself'])
})
