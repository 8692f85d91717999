// `import.meta.resolve('./x')` and an import() of a path computed when the code
// runs resolve from the source file, as under node, not from the bundle's
// folder in .hotcell/: a .js file there loads, an edit of it reloads, and
// what cannot load (a missing file, TypeScript Node cannot run) is said with
// the source file and line, never a .hotcell path.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { request, serveProject, waitFor } from './helpers.js'

const APP = `export default {
  async fetch(request: Request) {
    const name = new URL(request.url).pathname.slice(1)
    if (name === 'meta') return Response.json({ url: import.meta.url, here: import.meta.resolve('./routes/b.js'), pkg: import.meta.resolve('eslib') })
    const note = ' (import(x) in a string stays)'
    const spec = './routes/' + name
    try {
      const route = await import(spec)
      return new Response(route.default() + note)
    } catch (error) {
      if (name.startsWith('caught-')) return new Response(String((error as NodeJS.ErrnoException).code) + ' ' + (error as Error).message, { status: 404 })
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
      'src/routes/b.js': `export default () => 'route b'\n`,
      // An enum: Node 20 cannot load .ts at all, and Nodes that strip types refuse it.
      'src/routes/typed.ts': `enum Kind { A }\nexport default (): string => 'typed ' + Kind.A\n`,
      'node_modules/eslib/package.json': '{ "name": "eslib", "version": "1.0.0", "type": "module", "exports": "./index.js" }\n',
      'node_modules/eslib/index.js': 'export const es = "es"\n',
    },
    { entry: 'src/app.ts' },
  )
}

describe('paths computed at run time resolve from the source file', () => {
  test('import.meta.resolve of a relative path names the source folder; of a package, the package', async () => {
    const { server, project } = await start()
    const meta = JSON.parse((await request(`${server.url}/meta`)).text) as Record<string, string>
    const src = new URL(`file://${project.dir}/src/`)
    assert.equal(meta.url, new URL('app.ts', src).href)
    assert.equal(meta.here, new URL('routes/b.js', src).href)
    assert.equal(meta.pkg, new URL(`file://${project.dir}/node_modules/eslib/index.js`).href)
  })

  test('an import() of a computed path loads the .js file beside the source, and an edit of it is served', async () => {
    const { server, project } = await start()
    assert.equal((await request(`${server.url}/b.js`)).text, 'route b (import(x) in a string stays)')
    project.write('src/routes/b.js', `export default () => 'route b, edited'\n`)
    await waitFor(async () => (await request(`${server.url}/b.js`)).text.startsWith('route b, edited'), 10_000, 'the edited route to be served')
  })

  test('a missing file: Node’s error and code, naming the source line instead of the bundle', async () => {
    const { server } = await start()
    const caught = await request(`${server.url}/caught-nope.js`)
    assert.equal(caught.status, 404)
    // The source file relative to the working folder (the test runner's).
    assert.match(caught.text, /^ERR_MODULE_NOT_FOUND Cannot find module '.*[\\/]src[\\/]routes[\\/]caught-nope\.js' imported from \S*src[\\/]app\.ts:8$/)
    const page = await request(`${server.url}/nope.js`)
    assert.equal(page.status, 500)
    assert.match(page.text, />\s+8 \| +const route = await import\(spec\)/)
    assert.doesNotMatch(page.text, /\.hotcell/)
  })

  test('a TypeScript file Node cannot run: what happened, where, and how to let esbuild bundle it', async () => {
    const { server } = await start()
    const page = await request(`${server.url}/typed.ts`)
    assert.equal(page.status, 500)
    assert.match(page.text, /import\('\.\/routes\/typed\.ts'\) at \S*src[\\/]app\.ts:8 names a TypeScript file, \S*src[\\/]routes[\\/]typed\.ts/)
    assert.match(page.text, /import\(`\.\/routes\/\$\{name\}\.ts`\)/)
    assert.doesNotMatch(page.text, /\.hotcell/)
  })
})
