// A CommonJS source file (a .ts of a package without "type": "module", a
// .cts) gets every property of a CommonJS package's module.exports as a
// named export, as under tsx and tsc's CommonJS output, also those Node's
// lexer cannot see (lodash's `module.exports = _`). ES module packages, the
// ESM side of dual packages and ES module sources keep Node's semantics.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { request, serveProject, waitFor } from './helpers.js'

// Names assigned to a local object: Node's CommonJS lexer finds none of them, as with lodash.
const CJSLIB = {
  'node_modules/cjslib/package.json': '{ "name": "cjslib", "version": "1.0.0", "main": "index.js" }\n',
  'node_modules/cjslib/index.js': 'const lib = {}\nlib.capitalize = (s) => s[0].toUpperCase() + s.slice(1)\nmodule.exports = lib\n',
  'node_modules/cjslib/extra.js': 'const extra = {}\nextra.shout = (s) => s.toUpperCase() + "!"\nmodule.exports = extra\n',
}
const PACKAGES = {
  ...CJSLIB,
  // Compiled from ESM by Babel or tsc: a default import is its `default`, as tsx and tsc give it.
  'node_modules/babellib/package.json': '{ "name": "babellib", "version": "1.0.0" }\n',
  'node_modules/babellib/index.js': 'Object.defineProperty(exports, "__esModule", { value: true })\nexports.default = "babel default"\n',
  'node_modules/eslib/package.json': '{ "name": "eslib", "version": "1.0.0", "type": "module", "exports": "./index.js" }\n',
  'node_modules/eslib/index.js': 'export const es = "es"\n',
  // Dual: the ESM entry is imported, as Node imports it.
  'node_modules/duallib/package.json': '{ "name": "duallib", "version": "1.0.0", "exports": { "import": "./index.mjs", "require": "./index.cjs" } }\n',
  'node_modules/duallib/index.mjs': 'export const side = "esm side"\n',
  'node_modules/duallib/index.cjs': 'const lib = {}\nlib.side = "cjs side"\nmodule.exports = lib\n',
}

describe('named imports of CommonJS packages', () => {
  test('in a CommonJS project: every name of module.exports, tsx-style defaults; ES and dual packages stay ES modules; a .mts keeps Node semantics', async () => {
    const { server, project } = await serveProject({
      // npm init's package.json: "type" is "commonjs", and cjslib is not even declared (found by the build).
      'package.json': '{ "name": "p", "version": "1.0.0", "type": "commonjs" }\n',
      'app.ts': [
        `import { capitalize } from 'cjslib'`,
        `import * as whole from 'cjslib'`,
        `import babel from 'babellib'`,
        `import { es } from 'eslib'`,
        `import { side } from 'duallib'`,
        `import { viaMts } from './lib.mts'`,
        `export default { fetch: () => new Response([capitalize('hello'), typeof whole.capitalize, babel, es, side, viaMts].join(' | ')) }`,
        '',
      ].join('\n'),
      // An ES module source: the default import is module.exports, as Node gives it.
      'lib.mts': `import lib from 'cjslib'\nexport const viaMts = typeof lib.capitalize\n`,
      ...PACKAGES,
    })
    const reply = await request(server.url)
    assert.equal(reply.text, 'Hello | function | babel default | es | esm side | function', reply.text)
    // A path in a package, imported by a save: the stub is made for it too.
    project.write('app.ts', `import { shout } from 'cjslib/extra'\nexport default { fetch: () => new Response(shout('saved')) }\n`)
    await waitFor(async () => (await request(server.url)).text === 'SAVED!', 10_000, 'the reload to cjslib/extra')
  })

  test('a CommonJS package imported only to run it (a polyfill) still runs before the ES module packages imported after it', async () => {
    const { server } = await serveProject({
      'package.json': '{ "name": "p", "dependencies": { "polyfill": "1.0.0", "cjslib": "1.0.0" } }\n',
      'app.ts': [
        `import 'polyfill'`,
        `import { seen } from 'esreader'`,
        `import { capitalize } from 'cjslib'`,
        `export default { fetch: () => new Response(capitalize(String(seen))) }`,
        '',
      ].join('\n'),
      'node_modules/polyfill/package.json': '{ "name": "polyfill", "version": "1.0.0", "main": "index.js" }\n',
      'node_modules/polyfill/index.js': 'globalThis.polyfilled = true\n',
      'node_modules/esreader/package.json': '{ "name": "esreader", "version": "1.0.0", "type": "module", "exports": "./index.js" }\n',
      'node_modules/esreader/index.js': 'export const seen = globalThis.polyfilled === true\n',
      ...CJSLIB,
    })
    assert.equal((await request(server.url)).text, 'True')
  })

  test('a .cts file in a "type": "module" project gets every name', async () => {
    const { server } = await serveProject({
      'package.json': '{ "name": "p", "type": "module", "dependencies": { "cjslib": "1.0.0" } }\n',
      'app.ts': `import { greet } from './greet.cts'\nexport default { fetch: () => new Response(greet()) }\n`,
      'greet.cts': `import { capitalize } from 'cjslib'\nexport const greet = () => capitalize('from cts')\n`,
      ...CJSLIB,
    })
    assert.equal((await request(server.url)).text, 'From cts')
  })

  test('in a "type": "module" project the import fails as under node and tsx, with the advice to import the default', async () => {
    const { server } = await serveProject({
      'package.json': '{ "name": "p", "type": "module", "dependencies": { "cjslib": "1.0.0" } }\n',
      'app.ts': `import { capitalize } from 'cjslib'\nexport default { fetch: () => new Response(capitalize('hi')) }\n`,
      ...CJSLIB,
    })
    const page = await request(server.url)
    assert.equal(page.status, 500)
    assert.match(page.text, /does not provide an export named 'capitalize'/)
    assert.match(page.text, /import cjslib from 'cjslib', then cjslib\.capitalize/)
    assert.match(page.text, /"type": "module"/)
  })
})
