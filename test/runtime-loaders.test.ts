// @fastify/autoload loads the files of a folder from disk when the app starts,
// outside hotcell's bundle. A save of one of them reloads (with fresh
// workers, which load it again), and a .ts file Node cannot run gets a
// message saying why and what to do, not only autoload's "use ts-node".
// The package here does what autoload does with a folder, in a few lines:
// the same name, its require() of each file, and its message.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { request, serveProject, waitFor } from './helpers.js'

const AUTOLOAD = {
  'node_modules/@fastify/autoload/package.json': '{ "name": "@fastify/autoload", "version": "6.5.0", "main": "index.js" }\n',
  'node_modules/@fastify/autoload/index.js': [
    `const { readdirSync } = require('node:fs')`,
    `const { join } = require('node:path')`,
    'module.exports = function autoload(dir) {',
    '  return readdirSync(dir).sort().map((name) => {',
    '    const file = join(dir, name)',
    '    if (/\\.ts$/.test(file) && !process.features.typescript)',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the package's code, a template literal
    "      throw new Error(`@fastify/autoload cannot import plugin at '${file}'. To fix this error compile TypeScript to JavaScript or use 'ts-node' to run your app.`)",
    '    return require(file)',
    '  })',
    '}',
    '',
  ].join('\n'),
}

const APP = [
  `import autoload from '@fastify/autoload'`,
  `import { join } from 'node:path'`,
  `const routes = autoload(join(__dirname, 'routes'))`,
  'export default { fetch: () => new Response(routes.map((route: () => string) => route()).join(" ")) }',
  '',
].join('\n')

const stripsTypes = Boolean((process.features as { typescript?: unknown }).typescript)

describe('code a package loads from disk at run time (@fastify/autoload)', () => {
  test('a save of a file it loaded reloads', async () => {
    const { server, project } = await serveProject(
      {
        'package.json': '{ "name": "p", "version": "1.0.0", "type": "commonjs" }\n',
        'src/app.ts': APP,
        'src/routes/a.js': `module.exports = () => 'route a'\n`,
        ...AUTOLOAD,
      },
      { entry: 'src/app.ts' },
    )
    assert.equal((await request(server.url)).text, 'route a')
    project.write('src/routes/a.js', `module.exports = () => 'route a, saved'\n`)
    await waitFor(async () => (await request(server.url)).text === 'route a, saved', 10_000, 'the reload after saving src/routes/a.js')
  })

  test('a .ts file on a Node that cannot run TypeScript: why, and what to do', {
    skip: stripsTypes && 'this Node strips types',
  }, async () => {
    const { server } = await serveProject(
      {
        'package.json': '{ "name": "p", "version": "1.0.0", "type": "commonjs" }\n',
        'src/app.ts': APP,
        'src/routes/typed.ts': `export default (): string => 'typed'\n`,
        ...AUTOLOAD,
      },
      { entry: 'src/app.ts' },
    )
    const reply = await request(server.url, { headers: { accept: 'text/plain' } })
    assert.equal(reply.status, 500, reply.text)
    assert.match(
      reply.text,
      /@fastify\/autoload loads this file from disk itself when the app starts: hotcell compiles only what its bundle imports/,
      reply.text,
    )
    assert.match(reply.text, /cannot run TypeScript/, reply.text)
    assert.match(reply.text, /register the plugins and routes with imports/, reply.text)
  })
})
