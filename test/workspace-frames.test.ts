// Run from the app's folder of a workspace (`cd apps/web && hotcell
// src/app.ts`), a workspace package of TypeScript source is the developer's
// own code as much as the app is: bundled, watched, rebuilt on save. A throw
// in it is shown at its own line, with its code frame, on the page and in the
// terminal, and so are a late error and a stuck loop in it; its path reads
// relative to the working folder, as the app's do. Its node_modules stay the
// packages' code.
import assert from 'node:assert/strict'
import { mkdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { shortenFrame } from '../src/report/source-files.js'
import { type CliRun, projectDir, request, startCli, waitFor } from './helpers.js'

/** An npm workspace as `npm install` leaves it: `files`, and packages/lib linked into the root's node_modules as @acme/lib. */
function workspace(files: Record<string, string>) {
  const project = projectDir({
    'package.json': JSON.stringify({ name: 'mono', private: true, type: 'module', workspaces: ['packages/*', 'apps/*'] }),
    'apps/web/package.json': JSON.stringify({ name: 'web', private: true, type: 'module', dependencies: { '@acme/lib': '*' } }),
    ...files,
  })
  mkdirSync(join(project.dir, 'node_modules/@acme'), { recursive: true })
  symlinkSync(join(project.dir, 'packages/lib'), join(project.dir, 'node_modules/@acme/lib'), 'dir')
  return project
}

describe('a workspace package of TypeScript source, with hotcell run from the app folder', () => {
  const project = workspace({
    'packages/lib/package.json': JSON.stringify({ name: '@acme/lib', type: 'module', exports: './src/index.ts', dependencies: { 'strict-num': '1.0.0' } }),
    'packages/lib/src/index.ts': [
      "import { strict } from 'strict-num'",
      '',
      'export function parseAmount(input: string): number {',
      '  const n = Number(input)',
      "  // the lib's own check",
      "  if (Number.isNaN(n)) throw new Error('not a number: ' + input)",
      '  return n',
      '}',
      '',
      'export function spin(): void {',
      '  for (;;) {}',
      '}',
      '',
      'export function strictAmount(input: string): number {',
      '  return strict(input)',
      '}',
      '',
    ].join('\n'),
    // A package of the lib's own, installed (in node_modules): not the developer's code, though under the lib's folder.
    'packages/lib/node_modules/strict-num/package.json': JSON.stringify({ name: 'strict-num', type: 'module', exports: './index.js' }),
    'packages/lib/node_modules/strict-num/index.js': "export function strict(input) {\n  throw new RangeError('strict-num refuses ' + input)\n}\n",
    'apps/web/src/app.ts': [
      "import { parseAmount, spin, strictAmount } from '@acme/lib'",
      '',
      'export default {',
      '  fetch(request: Request): Response {',
      '    const { pathname } = new URL(request.url)',
      "    if (pathname === '/spin') spin()",
      "    if (pathname === '/strict') return new Response(String(strictAmount('x')))",
      "    if (pathname === '/late') {",
      "      setTimeout(() => parseAmount('later'), 1)",
      "      return new Response('answered')",
      '    }',
      "    return new Response(String(parseAmount('abc')))",
      '  },',
      '}',
      '',
    ].join('\n'),
  })
  let cli: CliRun
  before(async () => {
    cli = await startCli(['src/app.ts', '--port', '0', '--workers', '1', '--timeout', '1s'], { cwd: join(project.dir, 'apps/web') })
  })
  after(async () => {
    await cli?.stop()
    project.remove()
  })

  test('a throw in it: the code frame is at its line, and its stack line reads relative to the working folder, on the page and in the terminal', async () => {
    const res = await request(`${cli.url}/`)
    assert.equal(res.status, 500)
    const block =
      /Error: not a number: abc\n {4}at parseAmount \(\.\.\/\.\.\/packages\/lib\/src\/index\.ts:6:30\)\n {4}at Object\.fetch \(src\/app\.ts:12:32\)\n\n\.\.\/\.\.\/packages\/lib\/src\/index\.ts:6:30\n[\s\S]*> 6 \| {3}if \(Number\.isNaN\(n\)\) throw new Error/
    assert.match(res.text, block)
    assert.ok(!res.text.includes(project.dir), res.text)
    await waitFor(() => block.test(cli.output()), 10_000, "the terminal's report of the throw")
    assert.ok(!cli.output().includes(project.dir), cli.output())
  })

  test("the browser page shows the package's source at the throw", async () => {
    const res = await request(`${cli.url}/`, { headers: { accept: 'text/html' } })
    assert.equal(res.status, 500)
    assert.match(res.headers['content-type'] ?? '', /^text\/html/)
    assert.match(res.text, /the lib&#39;s own check|the lib's own check/)
  })

  test("a throw in a package of the package's node_modules: the frame stays at the developer's line that called it", async () => {
    const res = await request(`${cli.url}/strict`)
    assert.equal(res.status, 500)
    assert.match(
      res.text,
      /RangeError: strict-num refuses x\n[\s\S]*\n\n\.\.\/\.\.\/packages\/lib\/src\/index\.ts:15:10\n[\s\S]*> 15 \| {3}return strict\(input\)/,
    )
  })

  test("an error thrown later by a callback of an answered request: the terminal shows it at the package's line", async () => {
    assert.equal((await request(`${cli.url}/late`)).status, 200)
    await waitFor(
      () =>
        /Error: not a number: later\n {4}at parseAmount \(\.\.\/\.\.\/packages\/lib\/src\/index\.ts:6:30\)\n[\s\S]*?\n\.\.\/\.\.\/packages\/lib\/src\/index\.ts:6:30\n/.test(
          cli.output(),
        ),
      10_000,
      "the late error's report at the package's line",
    )
  })

  test('a loop in it past --timeout: the 504 says it is stuck at its line', async () => {
    const res = await request(`${cli.url}/spin`, { timeoutMs: 20_000 })
    assert.equal(res.status, 504)
    assert.match(res.text, /It was stuck at \.\.\/\.\.\/packages\/lib\/src\/index\.ts:11:\d+ in spin\(\)\n[\s\S]*> 11 \| {3}for \(;;\) \{\}/)
  })
})

describe('a workspace package of TypeScript source that throws while the app imports it', () => {
  test("the start's last line says to fix the package's line, and the terminal shows its code frame", async () => {
    const project = workspace({
      'packages/lib/package.json': JSON.stringify({ name: '@acme/lib', type: 'module', exports: './src/index.ts' }),
      'packages/lib/src/index.ts': "export const rate = 2\nthrow new Error('no rates configured')\n",
      'apps/web/src/app.ts': "import { rate } from '@acme/lib'\nexport default { fetch: () => new Response(String(rate)) }\n",
    })
    const cli = await startCli(['src/app.ts', '--port', '0', '--workers', '1'], { cwd: join(project.dir, 'apps/web') })
    try {
      await waitFor(
        () => /✘ serving the error page on \S+ — fix \.\.\/\.\.\/packages\/lib\/src\/index\.ts:2 and save/.test(cli.output()),
        10_000,
        'the state line',
      )
      assert.match(cli.output(), /Error: no rates configured\n[\s\S]*\n\.\.\/\.\.\/packages\/lib\/src\/index\.ts:2:7\n[\s\S]*> 2 \| throw new Error/)
    } finally {
      await cli.stop()
      project.remove()
    }
  })
})

describe('shortenFrame', () => {
  const roots = { cwd: '/w/apps/web', dirs: ['/w/apps/web', '/w/packages/lib'] }
  test("a root's path or file: URL where a location starts reads relative to the working folder", () => {
    assert.equal(shortenFrame('at f (/w/packages/lib/src/a.ts:1:2)', roots), 'at f (../../packages/lib/src/a.ts:1:2)')
    assert.equal(shortenFrame('at file:///w/packages/lib/src/a.ts:1:2', roots), 'at ../../packages/lib/src/a.ts:1:2')
    assert.equal(shortenFrame('at f (/w/apps/web/src/app.ts:3:4)', roots), 'at f (src/app.ts:3:4)')
  })
  test('a longer path that merely contains a root stays whole', () => {
    assert.equal(shortenFrame('at f (/x/w/packages/lib/src/a.ts:1:2)', roots), 'at f (/x/w/packages/lib/src/a.ts:1:2)')
    assert.equal(shortenFrame('at f (/w/packages/library/a.ts:1:2)', roots), 'at f (/w/packages/library/a.ts:1:2)')
  })
  test("a package's file above the working folder (a monorepo's node_modules, pnpm's store) reads relative to it", () => {
    assert.equal(shortenFrame('at X (file:///w/node_modules/hono/dist/jsx/base.js:190:24)', roots), 'at X (../../node_modules/hono/dist/jsx/base.js:190:24)')
    assert.equal(
      shortenFrame('at X (file:///w/node_modules/.pnpm/hono@4.13.23/node_modules/hono/dist/jsx/base.js:1:2)', roots),
      'at X (../../node_modules/.pnpm/hono@4.13.23/node_modules/hono/dist/jsx/base.js:1:2)',
    )
    assert.equal(shortenFrame('at /w/node_modules/ms/index.js:3:4', roots), 'at ../../node_modules/ms/index.js:3:4')
    // Inside the working folder it was relative already; a global install far above stays whole.
    assert.equal(shortenFrame('at f (/w/apps/web/node_modules/ms/index.js:1:2)', roots), 'at f (node_modules/ms/index.js:1:2)')
    const deep = { cwd: '/home/me/code/mono/apps/web', dirs: ['/home/me/code/mono/apps/web'] }
    assert.equal(shortenFrame('at f (/usr/lib/node_modules/x/i.js:1:2)', deep), 'at f (/usr/lib/node_modules/x/i.js:1:2)')
  })
  test('roots that grow (a package a later build links) are read again', () => {
    const dirs = ['/w/apps/web']
    const growing = {
      cwd: '/w/apps/web',
      get dirs() {
        return [...dirs]
      },
    }
    assert.equal(shortenFrame('at f (/w/packages/lib/src/a.ts:1:2)', growing), 'at f (/w/packages/lib/src/a.ts:1:2)')
    dirs.push('/w/packages/lib')
    assert.equal(shortenFrame('at f (/w/packages/lib/src/a.ts:1:2)', growing), 'at f (../../packages/lib/src/a.ts:1:2)')
  })
})
