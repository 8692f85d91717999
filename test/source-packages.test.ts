// A workspace package that exports its TypeScript source (`"exports":
// "./src/index.ts"`, the "internal package" of a monorepo) is bundled like the
// app's own files: Node 20 cannot load a .ts file, and Node 24's type
// stripping refuses enums. Every other package stays external.
import assert from 'node:assert/strict'
import { mkdirSync, symlinkSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, test } from 'node:test'
import { serve } from '../src/index.js'
import { sourcePackagesAmong } from '../src/reload/source-packages.js'
import { cleanup, projectDir, request } from './helpers.js'
import { nextReload, text } from './reload-helpers.js'

const LIB = {
  'packages/lib/package.json': JSON.stringify({
    name: '@acme/lib',
    type: 'module',
    exports: { '.': './src/index.ts', './util': { types: './src/util.d.ts', import: './src/util.ts' } },
  }),
  'packages/lib/src/index.ts': "export enum Color { Red = 'red' }\nexport const paint = (what: string): string => what + ' is ' + Color.Red\n",
  'packages/lib/src/util.ts': "export function fail(): never {\n  throw new Error('failed in the lib')\n}\n",
}

/** A monorepo: packages/lib linked as node_modules/@acme/lib, and `files`. */
function monorepo(files: Record<string, string>) {
  const project = projectDir({ 'package.json': '{ "name": "mono", "private": true, "type": "module" }\n', ...LIB, ...files })
  cleanup(project.remove)
  mkdirSync(join(project.dir, 'node_modules/@acme'), { recursive: true })
  symlinkSync(join(project.dir, 'packages/lib'), join(project.dir, 'node_modules/@acme/lib'), 'dir')
  return project
}

async function serveIn(project: { dir: string }) {
  const server = await serve({ entry: join(project.dir, 'app/app.ts'), port: 0, workers: 1, quiet: !process.env.DEBUG_HOTCELL })
  cleanup(() => server.close())
  return server
}

describe('a linked package that exports TypeScript source', () => {
  test('is compiled into the bundle: its enum works, its files reload and its stacks name them', async () => {
    const project = monorepo({
      'app/app.ts': [
        "import { paint } from '@acme/lib'",
        "import { fail } from '@acme/lib/util'",
        "export default { fetch: (request: Request) => (new URL(request.url).pathname === '/fail' ? fail() : new Response(paint('sky'))) }",
        '',
      ].join('\n'),
    })
    const server = await serveIn(project)
    assert.equal(await text(server.url), 'sky is red')

    const failed = await request(`${server.url}/fail`)
    assert.equal(failed.status, 500)
    assert.match(failed.text, /Error: failed in the lib\n\s+at fail \(.*packages\/lib\/src\/util\.ts:2:9\)/)

    const reloaded = nextReload(server)
    project.write(
      'packages/lib/src/index.ts',
      "export enum Color { Red = 'rouge' }\nexport const paint = (what: string): string => what + ' is ' + Color.Red\n",
    )
    const info = await reloaded
    assert.equal(info.ok, true)
    assert.deepEqual(
      info.changed.map((path) => resolve(path)),
      [join(project.dir, 'packages/lib/src/index.ts')],
    )
    assert.equal(await text(server.url), 'sky is rouge')
  })

  test("an import of a name it does not export: esbuild's error names its file, not hotcell's stub namespace", async () => {
    const project = monorepo({ 'app/app.ts': "import { boom } from '@acme/lib'\nexport default { fetch: () => new Response(String(boom)) }\n" })
    const server = await serveIn(project)
    const page = await request(server.url)
    assert.equal(page.status, 500)
    assert.match(page.text, /No matching export in "[^":]*packages\/lib\/src\/index\.ts" for import "boom"/)
    assert.doesNotMatch(page.text, /hotcell-source-package/)
    assert.equal(server.info.problem?.summary.includes('hotcell-source-package'), false)
  })

  test('exports with a development condition: its source is compiled, not the build that import names', async () => {
    const project = monorepo({
      'packages/dev/package.json': JSON.stringify({
        name: '@acme/dev',
        type: 'module',
        exports: { '.': { types: './src/index.ts', development: './src/index.ts', import: './dist/index.js' } },
      }),
      'packages/dev/src/index.ts': "export const from: string = 'the source'\n",
      'packages/dev/dist/index.js': "export const from = 'the build'\n",
      'app/app.ts': "import { from } from '@acme/dev'\nexport default { fetch: () => new Response(from) }\n",
    })
    symlinkSync(join(project.dir, 'packages/dev'), join(project.dir, 'node_modules/@acme/dev'), 'dir')
    const server = await serveIn(project)
    assert.equal(await text(server.url), 'the source')
  })

  test('imported only after the start: the import added by a save is compiled too', async () => {
    const project = monorepo({ 'app/app.ts': "export default { fetch: () => new Response('none') }\n" })
    const server = await serveIn(project)
    assert.equal(await text(server.url), 'none')
    const reloaded = nextReload(server)
    project.write('app/app.ts', "import { paint } from '@acme/lib'\nexport default { fetch: () => new Response(paint('grass')) }\n")
    assert.equal((await reloaded).ok, true)
    assert.equal(await text(server.url), 'grass is red')
  })

  test("is compiled with its own tsconfig (jsx, experimentalDecorators), not the app's defaults", async () => {
    const project = monorepo({
      'packages/ui/package.json': JSON.stringify({ name: '@acme/ui', type: 'module', exports: { '.': './src/index.tsx' } }),
      'packages/ui/tsconfig.json': JSON.stringify({ compilerOptions: { jsx: 'react', jsxFactory: 'h', experimentalDecorators: true } }),
      'packages/ui/src/index.tsx': [
        'const h = (tag: string, _props: unknown, ...children: string[]): string => "<" + tag + ">" + children.join("") + "</" + tag + ">"',
        'const bb = (tag: string, _props: unknown, ...children: string[]): string => "[" + tag + "]" + children.join("") + "[/" + tag + "]"',
        'const columns: string[] = []',
        // Legacy decorators get (prototype, key); TC39 ones (undefined, context), and this one would throw at import.
        'function Column(target: object, key: string) { columns.push(target.constructor.name + "." + key) }',
        "export class User { @Column name = 'x' }",
        'export const card = (title: string): string => <b>{title}</b>',
        "export const described = (): string => columns.join(',')",
        '',
      ].join('\n'),
      // The app has no tsconfig: esbuild's defaults would compile JSX to React.createElement.
      'app/app.ts': "import { card, described } from '@acme/ui'\nexport default { fetch: () => new Response(card('hi') + ' ' + described()) }\n",
    })
    symlinkSync(join(project.dir, 'packages/ui'), join(project.dir, 'node_modules/@acme/ui'), 'dir')
    const server = await serveIn(project)
    assert.equal((await request(`${server.url}/`)).text, '<b>hi</b> User.name')
    // Its tsconfig, beside its package.json, is watched: an edit rebuilds with the new setting.
    const reloaded = nextReload(server, (info) => info.ok)
    project.write('packages/ui/tsconfig.json', JSON.stringify({ compilerOptions: { jsx: 'react', jsxFactory: 'bb', experimentalDecorators: true } }))
    await reloaded
    assert.equal(await text(server.url), '[b]hi[/b] User.name')
  })

  test("with pnpm's layout (nothing hoisted), a dependency of the package alone is loaded from the package's own node_modules", async () => {
    const project = monorepo({
      'packages/lib/package.json': JSON.stringify({
        name: '@acme/lib',
        type: 'module',
        exports: './src/index.ts',
        dependencies: { 'lib-only': '1.0.0', 'main-only': '1.0.0', '@acme/inner': '*' },
      }),
      'packages/lib/src/index.ts': [
        "import { word } from 'lib-only'",
        "import mark from 'main-only'",
        "import { Shade } from '@acme/inner'",
        "export const paint = (what: string): string => what + ' is ' + word + mark + Shade.Dark",
        '',
      ].join('\n'),
      'packages/lib/node_modules/lib-only/package.json':
        '{ "name": "lib-only", "type": "module", "exports": { "import": "./esm.js", "require": "./cjs.cjs" } }',
      'packages/lib/node_modules/lib-only/esm.js': "export const word = 'blue'\n",
      // No exports, and a main without its extension: Node tries index.js.
      'packages/lib/node_modules/main-only/package.json': '{ "name": "main-only", "main": "./index" }',
      'packages/lib/node_modules/main-only/index.js': "module.exports = '!'\n",
      // Another workspace package of TypeScript source, linked into the lib's node_modules only.
      'packages/inner/package.json': '{ "name": "@acme/inner", "type": "module", "exports": "./src/index.ts" }',
      'packages/inner/src/index.ts': "export enum Shade { Dark = ' (dark)' }\n",
      'app/app.ts': "import { paint } from '@acme/lib'\nexport default { fetch: () => new Response(paint('sea')) }\n",
    })
    mkdirSync(join(project.dir, 'packages/lib/node_modules/@acme'), { recursive: true })
    symlinkSync(join(project.dir, 'packages/inner'), join(project.dir, 'packages/lib/node_modules/@acme/inner'), 'dir')
    const server = await serveIn(project)
    assert.equal(await text(server.url), 'sea is blue! (dark)')
  })

  test('a dependency the package declares, installed while the server runs (pnpm: into its own node_modules), is found after the install', async () => {
    const project = monorepo({
      'packages/lib/package.json': JSON.stringify({ name: '@acme/lib', type: 'module', exports: './src/index.ts', dependencies: { 'lib-only': '1.0.0' } }),
      'packages/lib/src/index.ts': "import { word } from 'lib-only'\nexport const paint = (what: string): string => what + ' is ' + word\n",
      'app/app.ts': "import { paint } from '@acme/lib'\nexport default { fetch: () => new Response(paint('sea')) }\n",
    })
    // `git pull` brought the dependency; not installed yet.
    const server = await serveIn(project)
    assert.equal((await request(`${server.url}/`)).status, 500)
    const installed = nextReload(server, (info) => info.ok)
    // What pnpm install does: the package into the lib's node_modules, then the lockfile. No package.json changes.
    project.write('packages/lib/node_modules/lib-only/package.json', '{ "name": "lib-only", "type": "module", "exports": "./esm.js" }')
    project.write('packages/lib/node_modules/lib-only/esm.js', "export const word = 'green'\n")
    project.write('pnpm-lock.yaml', 'lockfileVersion: 9.0\n')
    await installed
    assert.equal(await text(server.url), 'sea is green')
  })

  test("a save of the package's package.json rebuilds: a subpath added to its exports fixes the import", async () => {
    const project = monorepo({ 'app/app.ts': "import { paint } from '@acme/lib/paint'\nexport default { fetch: () => new Response(paint('sun')) }\n" })
    const server = await serveIn(project)
    assert.equal((await request(`${server.url}/`)).status, 500)
    const fixed = nextReload(server, (info) => info.ok)
    project.write('packages/lib/package.json', JSON.stringify({ name: '@acme/lib', type: 'module', exports: { './paint': './src/index.ts' } }))
    await fixed
    assert.equal(await text(server.url), 'sun is red')
  })

  test('imported before it is linked: the install that links it (at the workspace root) is built, and the package bundled', async () => {
    const project = projectDir({
      'package.json': '{ "name": "mono", "private": true, "workspaces": ["packages/*", "app"] }\n',
      'app/package.json': '{ "name": "app", "private": true, "type": "module" }\n',
      'app/app.ts': "import { paint } from '@acme/lib'\nexport default { fetch: () => new Response(paint('moon')) }\n",
      ...LIB,
    })
    cleanup(project.remove)
    const server = await serveIn(project)
    assert.equal((await request(`${server.url}/`)).status, 500)
    const linked = nextReload(server, (info) => info.ok)
    // What `npm install` at the root does: the link, then the lockfile.
    mkdirSync(join(project.dir, 'node_modules/@acme'), { recursive: true })
    symlinkSync(join(project.dir, 'packages/lib'), join(project.dir, 'node_modules/@acme/lib'), 'dir')
    project.write('package-lock.json', '{ "name": "mono", "lockfileVersion": 3, "packages": {} }\n')
    await linked
    assert.equal(await text(server.url), 'moon is red')
  })

  test('a subpath its exports do not name: a build error naming the package, as Node would say it', async () => {
    const project = monorepo({ 'app/app.ts': "import { x } from '@acme/lib/missing'\nexport default { fetch: () => new Response(x) }\n" })
    const server = await serveIn(project)
    const res = await request(`${server.url}/`)
    assert.equal(res.status, 500)
    assert.match(res.text, /Package subpath '\.\/missing' is not defined by "exports" in @acme\/lib\/package\.json/)
  })

  test('which packages are compiled: linked ones whose entry points are .ts; not a JavaScript one, not an install, not declarations alone', () => {
    const project = monorepo({
      'packages/js/package.json': '{ "name": "js-lib", "exports": "./index.js", "types": "./index.d.ts" }',
      'node_modules/installed-ts/package.json': '{ "name": "installed-ts", "exports": "./src/index.ts" }',
      'packages/typed/package.json': '{ "name": "typed", "exports": { ".": { "types": "./dist/index.d.ts", "default": "./dist/index.js" } } }',
      'packages/main-ts/package.json': '{ "name": "main-ts", "main": "src/index.mts" }',
    })
    for (const name of ['js', 'typed', 'main-ts'])
      symlinkSync(join(project.dir, 'packages', name), join(project.dir, 'node_modules', name === 'js' ? 'js-lib' : name), 'dir')
    const found = sourcePackagesAmong(join(project.dir, 'app'), ['@acme/lib/util', 'js-lib', 'installed-ts', 'typed', 'main-ts', 'node:fs', 'not-installed'])
    assert.deepEqual(found, { found: ['@acme/lib', 'main-ts'], unresolved: ['not-installed'] })
  })
})

describe('a linked package that is built (JavaScript and a source map)', () => {
  test("its frames are the developer's: a path from the working folder, and the code frame at its throwing line", async () => {
    const source = "export function fail(): never {\n  throw new Error('failed in the built lib')\n}\n"
    const project = projectDir({
      'packages/built/package.json': JSON.stringify({ name: 'built-lib', type: 'module', exports: './dist/index.js' }),
      'packages/built/src/index.ts': source,
      // Line for line, as tsc emits this file: each line's start maps to the same line of the source.
      'packages/built/dist/index.js': "export function fail() {\n  throw new Error('failed in the built lib')\n}\n//# sourceMappingURL=index.js.map\n",
      'packages/built/dist/index.js.map': JSON.stringify({ version: 3, file: 'index.js', sources: ['../src/index.ts'], names: [], mappings: 'AAAA;AACA;AACA' }),
      'app/package.json': '{ "name": "app", "private": true, "type": "module" }\n',
      'app/app.ts': "import { fail } from 'built-lib'\n\nexport default { fetch: () => fail() }\n",
    })
    cleanup(project.remove)
    mkdirSync(join(project.dir, 'app/node_modules'), { recursive: true })
    symlinkSync(join(project.dir, 'packages/built'), join(project.dir, 'app/node_modules/built-lib'), 'dir')
    const server = await serve({ entry: 'app.ts', cwd: join(project.dir, 'app'), port: 0, workers: 1, quiet: !process.env.DEBUG_HOTCELL })
    cleanup(() => server.close())
    const failed = await request(server.url)
    assert.equal(failed.status, 500)
    // Was the absolute path, and the code frame was the app's call (its first project frame).
    assert.match(failed.text, /Error: failed in the built lib\n\s+at fail \(\.\.\/packages\/built\/src\/index\.ts:2:\d+\)/)
    assert.match(failed.text, /> ?2 \|\s+throw new Error\('failed in the built lib'\)/)
  })
})
