// A workspace package of TypeScript source is compiled with its own tsconfig
// (source-packages.ts), and that tsconfig usually extends a config outside
// the package: the monorepo's root tsconfig.base.json, or a shared config
// package (`@acme/tsconfig/react.json`). An edit there changes how the
// package compiles, though no folder hotcell watches for sources holds it.
import assert from 'node:assert/strict'
import { mkdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { serve } from '../src/index.js'
import { SourcePackages } from '../src/reload/source-package-set.js'
import { cleanup, projectDir } from './helpers.js'
import { nextReload, text } from './reload-helpers.js'

const h = 'const h = (tag: unknown, _props: unknown, ...children: string[]): string => "<" + tag + ">" + children.join("") + "</" + tag + ">"'
const bb = 'const bb = (tag: unknown, _props: unknown, ...children: string[]): string => "[" + tag + "]" + children.join("") + "[/" + tag + "]"'

/** A monorepo: packages/ui (TypeScript source) and packages/tsconfig (shared configs), both linked into node_modules/@acme. */
function monorepo(uiExtends: string | string[]) {
  const project = projectDir({
    'package.json': '{ "name": "mono", "private": true, "type": "module" }\n',
    'tsconfig.base.json': JSON.stringify({ compilerOptions: { jsxFragmentFactory: 'frag' } }),
    'packages/tsconfig/package.json': '{ "name": "@acme/tsconfig" }\n',
    'packages/tsconfig/react.json': JSON.stringify({ compilerOptions: { jsx: 'react', jsxFactory: 'h' } }),
    'packages/ui/package.json': JSON.stringify({ name: '@acme/ui', type: 'module', exports: { '.': './src/index.tsx' } }),
    'packages/ui/tsconfig.json': `{\n  // as a workspace writes it\n  "extends": ${JSON.stringify(uiExtends)}\n}\n`,
    'packages/ui/src/index.tsx': [
      h,
      bb,
      "const frag = 'frag'",
      "const lump = 'lump'",
      'export const card = (title: string): string => <><b>{title}</b></>',
      '',
    ].join('\n'),
    // The app has no tsconfig, and its folder none above it that extends the base: only the package's chain names it.
    'app/app.ts': "import { card } from '@acme/ui'\nexport default { fetch: () => new Response(card('hi')) }\n",
  })
  cleanup(project.remove)
  mkdirSync(join(project.dir, 'node_modules/@acme'), { recursive: true })
  for (const name of ['ui', 'tsconfig']) symlinkSync(join(project.dir, 'packages', name), join(project.dir, 'node_modules/@acme', name), 'dir')
  return project
}

describe("a source package's tsconfig that extends a config outside the package", () => {
  test('an edit of the root tsconfig.base.json, or of a shared config package it extends (an array, TS 5), rebuilds', async () => {
    const project = monorepo(['@acme/tsconfig/react.json', '../../tsconfig.base.json'])
    const server = await serve({ entry: join(project.dir, 'app/app.ts'), port: 0, workers: 1, quiet: !process.env.DEBUG_HOTCELL })
    cleanup(() => server.close())
    assert.equal(await text(server.url), '<frag><b>hi</b></frag>')

    let reloaded = nextReload(server, (info) => info.ok)
    project.write('tsconfig.base.json', JSON.stringify({ compilerOptions: { jsxFragmentFactory: 'lump' } }))
    await reloaded
    assert.equal(await text(server.url), '<lump><b>hi</b></lump>')

    reloaded = nextReload(server, (info) => info.ok)
    project.write('packages/tsconfig/react.json', JSON.stringify({ compilerOptions: { jsx: 'react', jsxFactory: 'bb' } }))
    await reloaded
    assert.equal(await text(server.url), '[lump][b]hi[/b][/lump]')
  })

  test('tsconfigs(): the chain outside the packages, relative, from a workspace package, and the folders above up to the shared one', () => {
    const project = monorepo('@acme/tsconfig/react')
    project.write('tsconfig.base.json', '{ "extends": "./tsconfig.root.json" }')
    project.write('tsconfig.root.json', '{}')
    project.write('packages/tsconfig/react.json', '{ "extends": ["../../tsconfig.base.json"] }')
    const sources = new SourcePackages(join(project.dir, 'app'))
    assert.equal(sources.foundAmong(['@acme/ui']), true)
    const at = (...names: string[]) => names.map((name) => join(project.dir, name))
    assert.deepEqual(
      sources.tsconfigs().sort(),
      at(
        'jsconfig.json',
        'packages/jsconfig.json',
        'packages/tsconfig.json',
        'packages/tsconfig/react.json',
        'tsconfig.base.json',
        'tsconfig.json',
        'tsconfig.root.json',
      ).sort(),
    )
  })
})
