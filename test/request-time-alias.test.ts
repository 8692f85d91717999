// An import() through a tsconfig `paths` alias or `baseUrl` that only a
// handler runs, at request time: a literal one esbuild could not resolve
// (the file is missing), or one whose path is computed when the code runs,
// which esbuild never bundles and Node cannot resolve (Node knows no
// aliases). Node's own "Cannot find package '@/lib' imported from
// .hotcell/…/app-X.mjs" names the scope and hotcell's bundle; hotcell names
// the import, its line, the alias, and what to write instead.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { request, serveProject } from './helpers.js'

const FILES = {
  'package.json': '{ "name": "p", "private": true, "type": "module" }\n',
  'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@/*': ['./src/*'] } } }),
  'src/lib/exists.ts': 'export const ok = 1\n',
  'src/app.ts': `export default {
  async fetch(request: Request) {
    const { pathname, searchParams } = new URL(request.url)
    const name = searchParams.get('name') ?? ''
    if (pathname === '/literal') return new Response(String((await import('@/lib/moved-away')).gone))
    if (pathname === '/base') return new Response(String(await import('src/lib/' + name)))
    return new Response(String(await import('@/lib/' + name)))
  },
}
`,
}

describe('an import() through a tsconfig alias that a handler runs', () => {
  test('a literal one to a missing file, and computed ones to a missing or an existing file: each names the alias and its line', async () => {
    const { server } = await serveProject(FILES, { entry: 'src/app.ts' })

    const literal = await request(`${server.url}/literal`)
    assert.equal(literal.status, 500)
    assert.match(
      literal.text,
      /Cannot resolve '@\/lib\/moved-away', imported by \S*src\/app\.ts:5: \S*tsconfig\.json maps '@\/\*' to \S*src\/lib\/moved-away, and there is no such file/,
      literal.text,
    )
    assert.doesNotMatch(literal.text, /Cannot find package|\.hotcell/, literal.text)

    const missing = await request(`${server.url}/computed?name=gone`)
    assert.equal(missing.status, 500)
    assert.match(
      missing.text,
      /Cannot resolve '@\/lib\/gone', imported by \S*src\/app\.ts:7: \S*tsconfig\.json maps '@\/\*' to \S*src\/lib\/gone, and there is no such file/,
    )
    assert.doesNotMatch(missing.text, /Cannot find package/, missing.text)

    // The file is there: Node cannot follow the alias, and esbuild bundles no computed path but a relative one.
    for (const [path, alias] of [
      ['/computed?name=exists', "'@/\\*' of \\S*tsconfig\\.json"],
      ['/base?name=exists', "baseUrl '\\.' of \\S*tsconfig\\.json"],
    ] as const) {
      const existing = await request(`${server.url}${path}`)
      assert.equal(existing.status, 500)
      assert.match(
        existing.text,
        new RegExp(
          `Cannot resolve '\\S+/lib/exists', imported by \\S*src/app\\.ts:\\d by a path computed when the code runs: ${alias} makes it \\S*src/lib/exists\\.ts`,
        ),
        existing.text,
      )
      assert.ok(existing.text.includes('import(`./lib/$' + "{name}.ts`) or './lib/' + name + '.ts'"), existing.text)
      assert.doesNotMatch(existing.text, /Cannot find package|no such file/, existing.text)
    }
  })
})
