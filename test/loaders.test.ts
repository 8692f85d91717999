// Imports of files that are not code, as a Cloudflare Worker project writes
// them: .html, .txt and .sql are strings by default (wrangler's rule), and an
// edit of one reloads; `loaders` adds others, as esbuild's `loader` option,
// and a wrong one is a clear error; an extension with no loader fails the
// build with what to do.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { serve } from '../src/index.js'
import { cleanup, projectDir, request, serveProject, waitFor } from './helpers.js'

const PACKAGE = '{ "name": "p", "private": true, "type": "module" }\n'

describe('loaders', () => {
  test('.html, .txt and .sql import as text by default; an edit of one reloads', async () => {
    const { server, project } = await serveProject({
      'package.json': PACKAGE,
      'page.html': '<h1>v1</h1>\n',
      'note.txt': 'note\n',
      'q.sql': 'select 1;\n',
      'app.ts': `import page from './page.html'\nimport note from './note.txt'\nimport query from './q.sql'\nexport default { fetch: () => new Response(page + note + query) }\n`,
    })
    const reply = await request(server.url)
    assert.equal(reply.status, 200, reply.text)
    assert.equal(reply.text, '<h1>v1</h1>\nnote\nselect 1;\n')
    project.write('page.html', '<h1>v2</h1>\n')
    await waitFor(async () => (await request(server.url)).text.startsWith('<h1>v2</h1>'), 10_000, 'the edited page to be served')
  })

  test('loaders adds extensions, with the loaders esbuild has', async () => {
    const { server } = await serveProject(
      {
        'package.json': PACKAGE,
        'logo.svg': '<svg/>',
        'data.bin': 'AB',
        'app.ts': `import logo from './logo.svg'\nimport data from './data.bin'\nexport default { fetch: () => Response.json({ logo, data: [...data] }) }\n`,
      },
      { loaders: { '.svg': 'text', '.bin': 'binary' } },
    )
    const reply = await request(server.url)
    assert.equal(reply.status, 200, reply.text)
    assert.deepEqual(JSON.parse(reply.text), { logo: '<svg/>', data: [65, 66] })
  })

  test('an extension without a loader: the build error says how to add one', async () => {
    const { server } = await serveProject({
      'package.json': PACKAGE,
      'logo.svg': '<svg/>',
      'app.ts': `import logo from './logo.svg'\nexport default { fetch: () => new Response(logo) }\n`,
    })
    const reply = await request(server.url, { headers: { accept: 'text/plain' } })
    assert.equal(reply.status, 500)
    assert.match(
      reply.text,
      /No loader is configured for "\.svg" files: \S*logo\.svg\. hotcell imports \.html, \.txt and \.sql files as text; for \.svg files add a loader in hotcell\.config\.ts, loaders: \{ "\.svg": "text" \}/,
      reply.text,
    )
    assert.match(reply.text, /or read the file when the code runs: readFileSync\(new URL\('\.\/logo\.svg', import\.meta\.url\), 'utf8'\)/, reply.text)
  })

  test('a wrong loaders option is refused with what to write', async () => {
    const project = projectDir({ 'package.json': PACKAGE, 'app.ts': 'export default { fetch: () => new Response("x") }\n' })
    cleanup(project.remove)
    const entry = join(project.dir, 'app.ts')
    const cases: [unknown, RegExp][] = [
      [
        { '.svg': 'txt' },
        /^loaders\["\.svg"\] must be one of text, binary, base64, dataurl, json, js, jsx, ts, tsx, empty \(got "txt"\): did you mean "text"\?$/,
      ],
      [{ svg: 'text' }, /^loaders: "svg" is not a file extension: write "\.svg"$/],
      [{ '.ts': 'text' }, /^loaders: \.ts files are code, which hotcell compiles itself/],
      [['.svg'], /^loaders must map file extensions to loaders, such as \{ "\.svg": "text" \}/],
    ]
    for (const [loaders, message] of cases) {
      await assert.rejects(serve({ entry, port: 0, quiet: true, loaders: loaders as Record<string, 'text'> }), { code: 'ERR_INVALID_OPTION', message })
    }
  })
})
