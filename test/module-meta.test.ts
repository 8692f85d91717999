// import.meta.url/dirname/filename and __dirname/__filename in the app are its
// source files', not the bundle's in .hotcell/: a static folder or a data
// file next to the source is found, in the entry and in a module elsewhere.
import assert from 'node:assert/strict'
import { realpathSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, test } from 'node:test'
import { request, serveProject, waitFor } from './helpers.js'

const ROUTES = `import { readFileSync } from 'node:fs'
import { join } from 'node:path'
export const where = () => ({
  url: import.meta.url,
  dirname: import.meta.dirname,
  filename: import.meta.filename,
  freeDirname: typeof __dirname === 'string' ? __dirname : 'undefined',
  freeFilename: __filename,
  page: readFileSync(join(import.meta.dirname, '..', 'public', 'page.txt'), 'utf8'),
  data: readFileSync(new URL('./data.json', import.meta.url), 'utf8'),
})
`
const APP = (version: number) => `import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { where } from './lib/routes.ts'
// The ESM idiom: an app's own __dirname stays its own.
const __dirname = dirname(fileURLToPath(import.meta.url))
export default { fetch: () => Response.json({ version: ${version}, entry: { url: import.meta.url, own: __dirname }, routes: where() }) }
`

describe('import.meta and __dirname', () => {
  test('are the source file’s, in the entry and in a module in another folder, before and after a reload', async () => {
    const { project, server } = await serveProject(
      {
        'src/app.ts': APP(1),
        'src/lib/routes.ts': ROUTES,
        'src/lib/data.json': '{"ok":true}\n',
        'src/public/page.txt': 'static page',
      },
      { entry: 'src/app.ts' },
    )
    const dir = realpathSync(project.dir)
    const lib = join(dir, 'src', 'lib')
    const expected = (version: number) => ({
      version,
      entry: { url: pathToFileURL(join(dir, 'src', 'app.ts')).href, own: join(dir, 'src') },
      routes: {
        url: pathToFileURL(join(lib, 'routes.ts')).href,
        dirname: lib,
        filename: join(lib, 'routes.ts'),
        freeDirname: lib,
        freeFilename: join(lib, 'routes.ts'),
        page: 'static page',
        data: '{"ok":true}\n',
      },
    })
    const first = await request(server.url)
    assert.equal(first.status, 200, first.text)
    assert.deepEqual(JSON.parse(first.text), expected(1))
    project.write('src/app.ts', APP(2))
    const second = await waitFor(
      async () => {
        const res = await request(server.url)
        return JSON.parse(res.text).version === 2 ? res : undefined
      },
      20_000,
      'the edited app to be served',
    )
    assert.deepEqual(JSON.parse(second.text), expected(2))
  })

  // More of it in computed-import.test.ts.
  test('an import() of a path computed at run time resolves from the source file, as one built from import.meta.url does', async () => {
    const { server } = await serveProject(
      {
        'src/app.ts': `export default {
  async fetch(request: Request) {
    const name = new URL(request.url).pathname.slice(1)
    const spec = './routes/' + name.replace('url-', '') + '.js'
    const loaded = name.startsWith('url-') ? await import(new URL(spec, import.meta.url).href) : await import(spec)
    return new Response(loaded.default)
  },
}
`,
        'src/routes/b.js': "export default 'route b'\n",
      },
      { entry: 'src/app.ts' },
    )
    const computed = await request(`${server.url}/b`)
    assert.equal(computed.status, 200, computed.text)
    assert.equal(computed.text, 'route b')
    const fromSource = await request(`${server.url}/url-b`)
    assert.equal(fromSource.status, 200, fromSource.text)
    assert.equal(fromSource.text, 'route b')
  })
})
