// An import() or require() of a path spelled out with its folder
// (`'./routes/' + name + '.js'`) is bundled by esbuild as a table of the files
// that can match. A path not in it fails as under node: ERR_MODULE_NOT_FOUND
// (MODULE_NOT_FOUND for require) naming the source line, a rejected promise
// for import(), so that an app answering 404 on that code does, whichever way
// the path is written. If esbuild changes its helper's text
// (reload/glob-imports.ts), these fail with its code-less error.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { request, serveProject } from './helpers.js'

const APP = `import load from './load.cjs'
export default {
  async fetch(request: Request) {
    const [kind, name] = new URL(request.url).pathname.slice(1).split('/')
    try {
      if (kind === 'import') return new Response((await import('./routes/' + name + '.js')).default())
      if (kind === 'template') return new Response((await import(\`./routes/\${name}.js\`)).default())
      if (kind === 'promise') {
        const pending = import('./routes/' + name + '.js')
        return pending.then((m) => new Response(m.default()), (e) => new Response('rejected ' + e.code, { status: 404 }))
      }
      return new Response(load(name))
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException
      if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return new Response(code + ' ' + message, { status: 404 })
      throw error
    }
  },
}
`

async function start() {
  return serveProject(
    {
      'package.json': '{ "name": "p", "type": "module" }\n',
      'src/app.ts': APP,
      'src/load.cjs': `module.exports = (name) => require('./routes/' + name).default()\n`,
      'src/routes/b.js': `export default () => 'route b'\n`,
    },
    { entry: 'src/app.ts' },
  )
}

describe('a missing file of an import() or require() whose folder is spelled out', () => {
  test('import(): a rejected promise with Node’s code and the source line; present files still load', async () => {
    const { server } = await start()
    assert.equal((await request(`${server.url}/import/b`)).text, 'route b')
    const missing = await request(`${server.url}/import/nope`)
    assert.equal(missing.status, 404, missing.text)
    assert.match(missing.text, /^ERR_MODULE_NOT_FOUND Cannot find module '.*[\\/]src[\\/]routes[\\/]nope\.js' imported from \S*src[\\/]app\.ts:6$/)
    const template = await request(`${server.url}/template/nope`)
    assert.match(template.text, /^ERR_MODULE_NOT_FOUND .*imported from \S*src[\\/]app\.ts:7$/)
    // Not thrown at the call: import() returns a promise, as under node.
    const promised = await request(`${server.url}/promise/nope`)
    assert.equal(promised.text, 'rejected ERR_MODULE_NOT_FOUND')
  })

  test('require() in a CommonJS file: MODULE_NOT_FOUND with the path as written and the source file', async () => {
    const { server } = await start()
    assert.equal((await request(`${server.url}/require/b.js`)).text, 'route b')
    const missing = await request(`${server.url}/require/nope`)
    assert.equal(missing.status, 404, missing.text)
    assert.match(missing.text, /^MODULE_NOT_FOUND Cannot find module '\.\/routes\/nope'\nRequire stack:\n- .*[\\/]src[\\/]load\.cjs/)
  })
})
