// The command refuses, in one line, a Node without require() of ES modules
// (it is bundled as CommonJS and requires chokidar, an ES module).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { unsupportedNode } from '../src/cli/node-version.js'

test('a Node with require(esm) runs the command; one without is told what to install or change', () => {
  assert.equal(unsupportedNode(process.versions.node, true), undefined)
  assert.equal(unsupportedNode(), undefined, 'the Node running the tests has require(esm)')
  for (const old of ['18.20.4', '20.18.1', '21.7.3', '22.11.0'])
    assert.match(
      unsupportedNode(old, false)!,
      new RegExp(`^hotcell needs Node\\.js 20\\.19 or newer \\(22\\.12 or newer on Node 22\\); this is v${old.replaceAll('.', '\\.')}\\. Install`),
    )
  for (const recent of ['20.19.0', '22.12.0', '24.1.0'])
    assert.match(unsupportedNode(recent, false)!, /has turned off: remove --no-experimental-require-module/)
})
