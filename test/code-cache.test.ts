// The server bundle's V8 code cache (cli/code-cache.ts): written after a run,
// used by the next, replaced when the bundle changes or V8 turns it down, and
// the bundle's import() working with it (Node 20 loses a vm.Script's import()
// callback once a code cache is used). Each load runs in a fresh process, as a
// start does.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { promisify } from 'node:util'
import { cleanup, projectDir, request, ROOT, startCli, waitFor } from './helpers.js'

const CODE_CACHE = join(ROOT, 'dist/src/cli/code-cache.js')

/** A bundle as the server's is: CommonJS, with an import() through __hotcellImport (dynamic-import.ts) that runs while it loads. */
const bundleText = (value: number) => `'use strict'
const load = typeof __hotcellImport === 'function' ? __hotcellImport : (specifier) => import(specifier)
function platformOf() { return load('node:os').then((os) => os.platform()) }
module.exports = { value: ${value}, file: __filename, platform: platformOf(), req: typeof require('node:path').join }
`

/** Load `file` with the cache in a new process; what it saw. */
async function load(file: string, env: NodeJS.ProcessEnv = {}): Promise<{ use: string; value: number; file: string; platform: string; req: string }> {
  const script = `
    const { requireWithCodeCache } = await import(${JSON.stringify(CODE_CACHE)})
    const { createRequire } = await import('node:module')
    const use = requireWithCodeCache(${JSON.stringify(file)}, 0)
    const loaded = createRequire(import.meta.url)(${JSON.stringify(file)})
    await new Promise((resolve) => setTimeout(resolve, 200))
    console.log(JSON.stringify({ use, ...loaded, platform: await loaded.platform }))`
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '', ...env },
    timeout: 10_000,
  })
  return JSON.parse(stdout) as { use: string; value: number; file: string; platform: string; req: string }
}

describe('code cache', () => {
  /** A package as installed: <dir>/node_modules/pkg/dist/src/cli/server.cjs; its cache goes to <dir>/node_modules/.cache/hotcell. */
  function installed() {
    const project = projectDir({})
    cleanup(project.remove)
    const file = join(project.dir, 'node_modules/pkg/dist/src/cli/server.cjs')
    const cache = join(project.dir, 'node_modules/.cache/hotcell')
    mkdirSync(join(file, '..'), { recursive: true })
    writeFileSync(file, bundleText(1))
    return { file, cache, caches: () => (existsSync(cache) ? readdirSync(cache) : []) }
  }

  test('a first load writes the cache, the next uses it, and import() works in both', async () => {
    const { file, caches } = installed()
    const first = await load(file)
    assert.deepEqual(first, { use: 'none', value: 1, file, platform: process.platform, req: 'function' })
    assert.equal(caches().length, 1, 'one cache written')
    assert.match(caches()[0]!, new RegExp(`^server-${process.version}-${process.arch}-.+\\.v8$`))
    const second = await load(file)
    assert.deepEqual(second, { use: 'used', value: 1, file, platform: process.platform, req: 'function' })
  })

  test('a changed bundle is compiled anew and its cache replaces the old one', async () => {
    const { file, caches } = installed()
    await load(file)
    const before = caches()
    // Same length, other text: V8 alone would take the old cache for it.
    writeFileSync(file, bundleText(2))
    assert.equal((await load(file)).use, 'none')
    const after = caches()
    assert.equal(after.length, 1)
    assert.notDeepEqual(after, before)
    assert.deepEqual(await load(file), { use: 'used', value: 2, file, platform: process.platform, req: 'function' })
  })

  test('a cache V8 turns down is replaced, and the bundle still loads', async () => {
    const { file, cache, caches } = installed()
    await load(file)
    const name = caches()[0]!
    writeFileSync(join(cache, name), Buffer.alloc(4096, 7))
    assert.equal((await load(file)).use, 'rejected')
    assert.ok(statSync(join(cache, name)).size !== 4096, 'rewritten')
    assert.equal((await load(file)).use, 'used')
  })

  test("NODE_DISABLE_COMPILE_CACHE (Node's own switch) turns it off; an unwritable folder only costs the cache", async () => {
    const { file, cache, caches } = installed()
    assert.deepEqual(await load(file, { NODE_DISABLE_COMPILE_CACHE: '1' }), { use: 'off', value: 1, file, platform: process.platform, req: 'function' })
    assert.deepEqual(caches(), [])
    mkdirSync(cache, { recursive: true })
    chmodSync(cache, 0o500)
    cleanup(() => chmodSync(cache, 0o700))
    const unwritable = await load(file)
    assert.equal(unwritable.value, 1)
    // root writes anyway; anyone else gets no cache, and no error.
    if (process.getuid?.() !== 0) assert.deepEqual(caches(), [])
  })

  test("the server bundle's only import() is dynamic-import.ts's: any other fails in a run that uses the cache (Node 20)", () => {
    const bundle = readFileSync(join(ROOT, 'dist/src/cli/hotcell-server-main.cjs'), 'utf8')
    // config/isolated-import.ts's worker source is a string the bundle hands to a Worker, which runs it itself.
    const calls = bundle.split('\n').filter((line) => /(?<![\w$.])import\(/.test(line) && !line.includes('import(workerData)'))
    assert.deepEqual(calls.length, 1, `import() outside dynamic-import.ts:\n${calls.join('\n')}`)
    assert.match(calls[0]!, /__hotcellImport/)
  })

  test('hotcell as installed: its server writes the cache beside node_modules, and the next run, using it, imports Youch for the error page', async () => {
    const project = projectDir({
      'app.ts': `export default { fetch: () => { throw new Error('cached boom') } }\n`,
    })
    cleanup(project.remove)
    const pkg = join(project.dir, 'node_modules/hotcell')
    mkdirSync(join(pkg, 'dist/src/cli'), { recursive: true })
    for (const name of ['hotcell.cjs', 'hotcell-server.cjs', 'hotcell-server-main.cjs'])
      copyFileSync(join(ROOT, 'dist/src/cli', name), join(pkg, 'dist/src/cli', name))
    copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'))
    symlinkSync(join(ROOT, 'dist/workers'), join(pkg, 'dist/workers'))
    symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'))
    const cache = join(project.dir, 'node_modules/.cache/hotcell')
    const bin = join(pkg, 'dist/src/cli/hotcell.cjs')
    const env = { NODE_DISABLE_COMPILE_CACHE: '' }

    const first = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir, bin, env })
    try {
      await waitFor(() => existsSync(cache) && readdirSync(cache).some((name) => name.endsWith('.v8')), 10_000, 'the cache to be written')
    } finally {
      await first.stop()
    }
    const [name] = readdirSync(cache)
    const written = statSync(join(cache, name!)).mtimeMs

    const second = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir, bin, env })
    try {
      const page = await request(second.url, { headers: { accept: 'text/html' } })
      assert.equal(page.status, 500)
      // Youch's page (hotcell's own, without Youch, is the fallback when its import fails).
      assert.match(page.text, /dumper-dump/)
      assert.match(page.text, /cached boom/)
      // Past the 3 s after which a run that found no usable cache writes one: this run wrote none.
      await new Promise((resolve) => setTimeout(resolve, 3_500))
    } finally {
      await second.stop()
    }
    assert.deepEqual(readdirSync(cache), [name], 'used, not replaced')
    assert.equal(statSync(join(cache, name!)).mtimeMs, written)
  })
})
