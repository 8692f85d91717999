// A native addon built for another Node version (installed under Node 20, run
// under Node 24) fails to load with ERR_DLOPEN_FAILED: no save fixes it, a
// rebuild under this Node does, and the terminal's last line says so.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { cleanup, projectDir, startCli, waitFor } from './helpers.js'

// What process.dlopen() throws for such an addon, word for word from Node 24 (the test needs no compiler).
const ADDON = `const error = new Error("The module '" + __dirname + "/build/Release/fake_addon.node'\\\\nwas compiled against a different Node.js version using\\\\nNODE_MODULE_VERSION 115. This version of Node.js requires\\\\nNODE_MODULE_VERSION 137. Please try re-compiling or re-installing\\\\nthe module (for instance, using \`npm rebuild\` or \`npm install\`).")
error.code = 'ERR_DLOPEN_FAILED'
throw error
`

describe('a native addon built for another Node version', () => {
  test('its error says to rebuild it for this Node and press r; the last line says so, not "fix and save"', async () => {
    const project = projectDir({
      'package.json': '{ "name": "app", "private": true, "type": "module" }\n',
      'node_modules/@acme/fake-addon/package.json': '{ "name": "@acme/fake-addon", "main": "index.js" }\n',
      'node_modules/@acme/fake-addon/index.js': ADDON,
      'app.ts': "import addon from '@acme/fake-addon'\nexport default { fetch: () => new Response(String(addon)) }\n",
    })
    cleanup(project.remove)
    const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
    cleanup(() => cli.stop())
    const hint = `It was built for another Node version than the one running hotcell (${process.version}). Rebuild it for this one: npm rebuild @acme/fake-addon; then press r to load it again`
    await waitFor(() => cli.output().includes(hint), 10_000, `the hint\n${cli.output()}`)
    await waitFor(
      () => /✘ serving the error page on \S+ — run npm rebuild @acme\/fake-addon, then press r/.test(cli.output()),
      10_000,
      `the last line\n${cli.output()}`,
    )
    assert.doesNotMatch(cli.output(), /and save/)
  })
})
