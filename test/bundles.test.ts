// The built bundles that Node compiles at every start (the command's two
// CommonJS files, the worker runtime's chunks) hold ASCII only. V8 keeps a
// script's source as a string on the heap for as long as its functions live,
// and one character outside Latin-1 anywhere, even in a comment esbuild kept,
// makes the whole source a two-byte string: the server bundle took 699 KB of
// the main thread's heap instead of 358 KB, from three characters (…, → and –).
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { ROOT } from './helpers.js'

const bundles = [
  ...readdirSync(join(ROOT, 'dist/src/cli'))
    .filter((name) => name.endsWith('.cjs'))
    .map((name) => join('dist/src/cli', name)),
  ...readdirSync(join(ROOT, 'dist/workers/bundle'))
    .filter((name) => name.endsWith('.js'))
    .map((name) => join('dist/workers/bundle', name)),
]

test('the bundles Node compiles at start are ASCII (write \\u2026 in a regex, -> or - in a comment)', () => {
  assert.ok(bundles.length >= 3, `bundles found: ${bundles.join(', ')}`)
  for (const file of bundles) {
    const text = readFileSync(join(ROOT, file), 'utf8')
    const at = [...text].findIndex((char) => char.charCodeAt(0) > 0x7f)
    assert.equal(at, -1, `${file}: a non-ASCII character in "${text.slice(Math.max(0, at - 60), at + 20)}"`)
  }
})
