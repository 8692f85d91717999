// `hotcell --help` documents every flag the parser accepts, each with its default.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SERVE_OPTIONS } from '../src/cli/main.js'
import { runCli } from './helpers.js'

test('--help names every flag with its default', async () => {
  const { code, stdout } = await runCli(['--help'])
  assert.equal(code, 0)
  const options = stdout.slice(stdout.indexOf('\nOptions\n'), stdout.indexOf('\nExamples\n'))
  // One block per flag: its line and the indented lines after it.
  const blocks = options.split(/\n(?= {2}-|\s{6}--)/)
  for (const [name, spec] of Object.entries(SERVE_OPTIONS)) {
    const spelled = spec.type === 'boolean' && ['reload', 'live-reload'].includes(name) ? `--no-${name}` : `--${name}`
    const block = blocks.find((b) => new RegExp(`(^|[ ,])${spelled}(\\[|\\s|$)`).test(b.trim().split('  ')[0]!.replace(/^-\w, /, ' ')))
    assert.ok(block, `${spelled} is documented`)
    if (name === 'help' || name === 'version') continue
    assert.match(block, /\(default: [^)]+\)/, `${spelled} says its default`)
  }
  assert.match(stdout, /Keys \(in a terminal\): r reload · o open in browser · c clear · q quit · h help/)
})
