// A tsconfig edit changes the bundle though esbuild lists no tsconfig among
// its inputs: the configs from the entry's folder up to its package's, and
// what they extend, are watched by name. The usual layout puts tsconfig.json
// beside package.json, above src/ where the entry and every input are.
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { describe, test } from 'node:test'
import { serve } from '../src/index.js'
import { Sources } from '../src/reload/sources.js'
import { tsconfigFiles } from '../src/reload/tsconfig-files.js'
import { cleanup, projectDir, request, serveProject, startCli, waitFor } from './helpers.js'
import { nextReload } from './reload-helpers.js'

const aliased = (target: string) => JSON.stringify({ compilerOptions: { paths: { '@lib/*': [`./src/${target}/*`] } } })
const files = {
  'package.json': '{ "name": "app", "type": "module" }\n',
  'src/app.ts': `import { which } from '@lib/which'\nexport default { fetch: () => new Response(which) }\n`,
  'src/lib/which.ts': `export const which = 'lib'\n`,
  'src/lib2/which.ts': `export const which = 'lib2'\n`,
}

describe('tsconfig edits reload', () => {
  test('a paths alias changed in the tsconfig beside package.json: the new alias serves at once', async () => {
    const { project, server } = await serveProject({ ...files, 'tsconfig.json': aliased('lib') }, { entry: 'src/app.ts' })
    assert.equal((await request(server.url)).text, 'lib')
    const reloaded = nextReload(server, (info) => info.ok)
    project.write('tsconfig.json', aliased('lib2'))
    const info = await reloaded
    assert.deepEqual(info.changed, [relative(process.cwd(), join(project.dir, 'tsconfig.json'))])
    assert.equal((await request(server.url)).text, 'lib2')
  })

  test('the same in a config it extends (a base of a base), and in one created after the start', async () => {
    const { project, server } = await serveProject(
      {
        ...files,
        'tsconfig.json': '{\n  // comments are allowed here\n  "extends": "./config/tsconfig.app"\n}\n',
        'config/tsconfig.app.json': JSON.stringify({ extends: ['./tsconfig.base.json'] }),
        'config/tsconfig.base.json': JSON.stringify({ compilerOptions: { baseUrl: '..', paths: { '@lib/*': ['./src/lib/*'] } } }),
      },
      { entry: 'src/app.ts' },
    )
    assert.equal((await request(server.url)).text, 'lib')
    let reloaded = nextReload(server, (info) => info.ok)
    project.write('config/tsconfig.base.json', JSON.stringify({ compilerOptions: { baseUrl: '..', paths: { '@lib/*': ['./src/lib2/*'] } } }))
    await reloaded
    assert.equal((await request(server.url)).text, 'lib2')
    // Nearer to the entry than the one in use: esbuild takes it from now on.
    reloaded = nextReload(server, (info) => info.ok)
    project.write('src/tsconfig.json', JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@lib/*': ['./lib/*'] } } }))
    await reloaded
    assert.equal((await request(server.url)).text, 'lib')
  })

  test('a config extended from a workspace package (`@acme/tsconfig/base.json`): its edit reloads at once', async () => {
    const jsx = (factory: string) => JSON.stringify({ compilerOptions: { jsx: 'react', jsxFactory: factory } })
    const project = projectDir({
      'package.json': '{ "name": "mono", "private": true, "workspaces": ["app", "packages/*"] }\n',
      'packages/tsconfig/package.json': '{ "name": "@acme/tsconfig", "version": "0.0.0" }\n',
      'packages/tsconfig/base.json': jsx('h'),
      'app/package.json': '{ "name": "app", "type": "module" }\n',
      'app/tsconfig.json': '{ "extends": "@acme/tsconfig/base.json" }\n',
      'app/src/app.tsx': [
        'const h = (tag: string, _props: unknown, ...children: string[]): string => "<" + tag + ">" + children.join("") + "</" + tag + ">"',
        'const bb = (tag: string, _props: unknown, ...children: string[]): string => "[" + tag + "]" + children.join("") + "[/" + tag + "]"',
        'export default { fetch: () => new Response(<b>hi</b>) }',
        '',
      ].join('\n'),
    })
    cleanup(project.remove)
    // What npm install does: the workspace package linked into the root's node_modules.
    mkdirSync(join(project.dir, 'node_modules/@acme'), { recursive: true })
    symlinkSync(join(project.dir, 'packages/tsconfig'), join(project.dir, 'node_modules/@acme/tsconfig'), 'dir')
    const server = await serve({ entry: join(project.dir, 'app/src/app.tsx'), port: 0, workers: 1, quiet: !process.env.DEBUG_HOTCELL })
    cleanup(() => server.close())
    assert.equal((await request(server.url)).text, '<b>hi</b>')
    const reloaded = nextReload(server, (info) => info.ok)
    project.write('packages/tsconfig/base.json', jsx('bb'))
    const info = await reloaded
    assert.deepEqual(info.changed, [relative(process.cwd(), join(project.dir, 'packages/tsconfig/base.json'))])
    assert.equal((await request(server.url)).text, '[b]hi[/b]')
  })

  test('emitDecoratorMetadata, which esbuild does not implement, is named once the server serves', async () => {
    const project = projectDir({
      'package.json': '{ "name": "p", "private": true }\n',
      // JSON with comments, as tsc allows.
      'tsconfig.json': '{\n  // for NestJS\n  "compilerOptions": { "experimentalDecorators": true, "emitDecoratorMetadata": true }\n}\n',
      'src/app.ts': "export default { fetch: () => new Response('ok') }\n",
    })
    cleanup(project.remove)
    const cli = await startCli(['src/app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
    cleanup(() => cli.stop())
    assert.equal((await request(cli.url)).status, 200)
    await waitFor(
      () => /hotcell: tsconfig\.json sets emitDecoratorMetadata, which esbuild does not implement: no design:type or design:paramtypes/.test(cli.output()),
      10_000,
      'the warning',
    )
    assert.equal(cli.output().match(/sets emitDecoratorMetadata/g)?.length, 1)
  })

  test('a project without package.json: the configs up to the working folder are watched', () => {
    // Outside this repository: above a .tmp folder in it, its own package.json would be found.
    const dir = mkdtempSync(join(tmpdir(), 'hotcell-tsconfig-'))
    try {
      mkdirSync(join(dir, 'src'))
      const sources = new Sources({ entry: join(dir, 'src', 'app.ts'), cwd: dir, watch: [], ignore: [], envFiles: [] })
      assert.ok(sources.namedFiles.includes(join(dir, 'tsconfig.json')), sources.namedFiles.join('\n'))
      assert.ok(sources.rebuilds('change', join(dir, 'tsconfig.json')))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('tsconfigFiles: the chain up to the package, present or not, and extends relative or from a linked package', () => {
    const project = projectDir({
      'package.json': '{}',
      'tsconfig.json': '{ "extends": ["./base", "@tsconfig/node20/tsconfig.json", "@acme/config/strict", "@acme/config"] }',
      'base.json': '{ "extends": "./tsconfig.json" }',
      'src/deep/app.ts': '',
      // An install: changes with node_modules, not watched by name.
      'node_modules/@tsconfig/node20/tsconfig.json': '{}',
      // A workspace package, linked: its file and its "tsconfig" field's, by their real paths.
      'config/package.json': '{ "name": "@acme/config", "tsconfig": "./main.json" }',
      'config/strict.json': '{}',
      'config/main.json': '{}',
    })
    mkdirSync(join(project.dir, 'node_modules/@acme'))
    symlinkSync(join(project.dir, 'config'), join(project.dir, 'node_modules/@acme/config'), 'dir')
    try {
      const found = tsconfigFiles(join(project.dir, 'src/deep/app.ts'), project.dir).map((file) => file.slice(project.dir.length + 1))
      assert.deepEqual(found.sort(), [
        'base.json',
        'config/main.json',
        'config/strict.json',
        'jsconfig.json',
        'src/deep/jsconfig.json',
        'src/deep/tsconfig.json',
        'src/jsconfig.json',
        'src/tsconfig.json',
        'tsconfig.json',
      ])
    } finally {
      project.remove()
    }
  })
})
