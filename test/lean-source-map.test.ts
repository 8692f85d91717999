// The bundle's source map is written without the text of its sources, which
// goes beside it (src/reload/lean-source-map.ts): Node parses the whole map
// of each module it loads, at every reload. Stacks still map to the .ts
// files, and hotcell's code frames still read the code as it was built.
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { SourceMap, type SourceMapPayload } from 'node:module'
import { test } from 'node:test'
import { createBuilder } from '../src/reload/builder.js'
import { withLeanMaps } from '../src/reload/lean-source-map.js'
import { readBundleMap, SOURCES_SUFFIX, sourcesContentOf } from '../workers/bundle-map.js'
import { cleanup, projectDir, withDeadline } from './helpers.js'

const GREET = "export function greet(name: string): string {\n  throw new Error('no greeting for ' + name)\n}\n"

test("a build's map has no sources' text; the file beside it has it, as built, and its positions still map to the .ts lines", async () => {
  const project = projectDir({
    'app.ts': "import { greet } from './greet.ts'\nexport default { fetch: () => new Response(greet('you')) }\nexport { greet }\n",
    'greet.ts': GREET,
  })
  cleanup(project.remove)
  const builder = await createBuilder('app.ts', project.dir)
  cleanup(() => builder.dispose())
  const build = await withDeadline(builder.build(), 10_000, 'the build')
  assert.ok(build.ok)
  const map = JSON.parse(readFileSync(`${build.file}.map`, 'utf8')) as { sources: string[]; sourcesContent?: unknown; mappings: string }
  assert.equal(map.sourcesContent, undefined, 'the map Node reads has no text')
  assert.ok(map.mappings.length > 0)
  assert.ok(existsSync(build.file + SOURCES_SUFFIX))
  const content = sourcesContentOf(build.file)
  assert.equal(content?.[map.sources.findIndex((s) => s.endsWith('greet.ts'))], GREET)
  // Saved over since: the text beside the map is still the code that was built.
  project.write('greet.ts', 'export const greet = () => "changed"\n')
  assert.equal(readBundleMap(build.file)?.sourcesContent?.[map.sources.findIndex((s) => s.endsWith('greet.ts'))], GREET)

  // Node maps the bundle's positions with the map alone.
  const lines = readFileSync(build.file, 'utf8').split('\n')
  const line = lines.findIndex((l) => l.includes('no greeting for'))
  const entry = new SourceMap(map as unknown as SourceMapPayload).findEntry(line, lines[line]!.indexOf('throw')) as {
    originalSource?: string
    originalLine?: number
  }
  assert.match(entry.originalSource ?? '', /greet\.ts$/)
  assert.equal(entry.originalLine, 1)
})

test('a map laid out otherwise than esbuild writes it is kept whole', () => {
  const map = { version: 3, sources: ['a.ts'], sourcesContent: ['x'], mappings: 'AAAA', names: [] }
  const contents = new TextEncoder().encode(JSON.stringify(map))
  const files = [
    { path: '/out/app-X.mjs', contents: new TextEncoder().encode('export {}\n') },
    { path: '/out/app-X.mjs.map', contents },
  ]
  const written = withLeanMaps(files)
  assert.equal(written.length, 2)
  assert.equal(written[1]!.contents, contents)
})

test("esbuild's layout: the map loses exactly its text, and the file beside it is that text", () => {
  const text = ['export const a = "],\\n  \\"mappings\\": \\"x"\n', null]
  const layout = `{\n  "version": 3,\n  "sources": ["../a.ts", "../b.ts"],\n  "sourcesContent": ${JSON.stringify(text)},\n  "mappings": "AAAA;AACA",\n  "names": []\n}\n`
  const [bundle, lean, sources] = withLeanMaps([
    { path: '/out/app-X.mjs', contents: new TextEncoder().encode('export {}\n') },
    { path: '/out/app-X.mjs.map', contents: new TextEncoder().encode(layout) },
  ])
  assert.equal(bundle!.path, '/out/app-X.mjs')
  assert.equal(lean!.path, '/out/app-X.mjs.map')
  assert.deepEqual(JSON.parse(new TextDecoder().decode(lean!.contents)), { version: 3, sources: ['../a.ts', '../b.ts'], mappings: 'AAAA;AACA', names: [] })
  assert.equal(sources!.path, `/out/app-X.mjs${SOURCES_SUFFIX}`)
  assert.deepEqual(JSON.parse(new TextDecoder().decode(sources!.contents)), text)
})
