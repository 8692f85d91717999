// hotcell.config.ts: found next to the entry or in cwd, typed with
// defineConfig, checked by serve()'s own rules with the file named; flags win.
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { cleanup, projectDir, request, runCli, startCli, waitFor } from './helpers.js'

const APP = `export default { fetch: (_r: Request, env: Record<string, string | undefined>) => new Response('<html><body>' + (env.HC_CFG ?? 'none') + '</body></html>', { headers: { 'content-type': 'text/html' } }) }\n`

describe('config file', () => {
  test('hotcell.config.ts next to the entry: typed defineConfig, its paths relative to it, flags beat it', async () => {
    const project = projectDir({
      'src/app.ts': APP,
      'src/vars.env': 'HC_CFG=from-config-env\n',
      'src/hotcell.config.ts': `import { defineConfig, type FetchHandler } from 'hotcell'
const port: number = 0
export default defineConfig({ port, workers: 1, liveReload: false, envFile: 'vars.env', quiet: true })
export type { FetchHandler }
`,
    })
    cleanup(project.remove)
    const run = await startCli(['src/app.ts', '--workers', '2'], { cwd: project.dir })
    cleanup(() => run.stop())
    const page = await request(run.url, { headers: { accept: 'text/html' } })
    assert.equal(page.text, '<html><body>from-config-env</body></html>') // envFile from the config; liveReload: false
    assert.equal(await run.stop(), 0)
    assert.doesNotMatch(run.output(), / workers? · first build/) // quiet: from the file, no banner
    assert.match(run.output(), /ready on http/)

    // Without --quiet in the file the banner shows the flag's worker count over the file's.
    project.write('src/hotcell.config.ts', `import { defineConfig } from 'hotcell'\nexport default defineConfig({ port: 0, workers: 1 })\n`)
    const again = await startCli(['src/app.ts', '--workers', '2', '--no-live-reload'], { cwd: project.dir })
    cleanup(() => again.stop())
    await waitForText(again, / 2 workers/)
    await waitForText(again, /live reload off/)
    assert.doesNotMatch((await request(again.url, { headers: { accept: 'text/html' } })).text, /EventSource/)
  })

  test('the entry may come from a config file in cwd; --config names another file', async () => {
    const project = projectDir({
      'app.ts': APP,
      'hotcell.config.mjs': `export default { entry: 'app.ts', port: 0, workers: 1 }\n`,
      'other.config.js': `export default { entry: 'app.ts', port: 0, workers: 1, liveReload: false }\n`,
    })
    cleanup(project.remove)
    const run = await startCli([], { cwd: project.dir })
    cleanup(() => run.stop())
    assert.match((await request(run.url, { headers: { accept: 'text/html' } })).text, /EventSource/)
    await run.stop()
    const other = await startCli(['--config', 'other.config.js'], { cwd: project.dir })
    cleanup(() => other.stop())
    assert.doesNotMatch((await request(other.url, { headers: { accept: 'text/html' } })).text, /EventSource/)
  })

  test('unknown keys, bad values, a broken file and a missing --config are one line naming the file and key', async () => {
    const project = projectDir({ 'app.ts': APP })
    cleanup(project.remove)
    const cases: [string, RegExp][] = [
      [`export default { prot: 8080 }`, /^hotcell: hotcell\.config\.ts: unknown option "prot" \(did you mean "port"\?\)\n$/],
      [`export default { workers: 'many' }`, /^hotcell: hotcell\.config\.ts: workers must be a whole number from 1 to 64 \(got "many"\)\n$/],
      [`export default { liveReload: 'yes' }`, /^hotcell: hotcell\.config\.ts: liveReload must be true or false/],
      // A bare number of ms below 100 is seconds meant, as with --timeout 5: a number as much as a string.
      [`export default { port: 0, timeout: '5' }`, /^hotcell: hotcell\.config\.ts: timeout 5 would be 5 ms: .* Write 5s for seconds, or 5ms if/],
      [`export default { port: 0, timeout: 5 }`, /^hotcell: hotcell\.config\.ts: timeout 5 would be 5 ms: .* Write '5s' for seconds, or '5ms' if/],
      [`export default 42`, /^hotcell: hotcell\.config\.ts must export default defineConfig\(\{ … \}\) \(an object\), got a number\n$/],
      // typeof says "object" for these: the message must not.
      [`export default null`, /^hotcell: hotcell\.config\.ts must export default defineConfig\(\{ … \}\) \(an object\), got null\n$/],
      [`export default [{ port: 0 }]`, /^hotcell: hotcell\.config\.ts must export default defineConfig\(\{ … \}\) \(an object\), got an array\n$/],
      [`export default 'src/app.ts'`, /\(an object\), got a string\n$/],
      [`export const port = 0`, /\(an object\), got no default export\n$/],
      [`export default () => null`, /\(an object\), got a function that returned null\n$/],
      [`export default async () => undefined`, /\(an object\), got a function that returned undefined\n$/],
      [`export default {`, /^hotcell: hotcell\.config\.ts does not build:\n.*hotcell\.config\.ts:\d+:\d+:/s],
    ]
    for (const [source, expected] of cases) {
      project.write('hotcell.config.ts', source + '\n')
      const result = await runCli(['app.ts'], { cwd: project.dir })
      assert.equal(result.code, 1, source)
      assert.match(result.stderr, expected, source)
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace')
    }
    const missing = await runCli(['app.ts', '--config', 'nope.ts'], { cwd: project.dir })
    assert.equal(missing.code, 1)
    assert.equal(missing.stderr, `hotcell: config file not found: nope.ts (looked in ${project.dir})\n`)
    // Run from a subfolder without naming an entry: the config above is named, and how to use it.
    project.write('scripts/run.sh', 'true\n')
    const below = await runCli([], { cwd: join(project.dir, 'scripts') })
    assert.equal(below.code, 1)
    assert.equal(
      below.stderr,
      `hotcell: missing the entry file. Usage: hotcell <entry> [options], e.g. hotcell src/app.ts (${join('..', 'hotcell.config.ts')} is above this folder: run hotcell where it is, or name it with --config ${join('..', 'hotcell.config.ts')})\n`,
    )
    // A folder: which file in it was meant, not esbuild's "Could not resolve".
    project.write('conf/hotcell.config.ts', 'export default {}\n')
    const folder = await runCli(['app.ts', '--config', 'conf'], { cwd: project.dir })
    assert.equal(folder.code, 1)
    assert.equal(folder.stderr, `hotcell: --config must be a file, but conf is a folder. Did you mean ${join('conf', 'hotcell.config.ts')}?\n`)

    // An entry the config names, missing: the message says where the name came from; one given on the command line does not.
    project.write('hotcell.config.ts', `export default { entry: 'src/nope.ts' }\n`)
    const fromConfig = await runCli([], { cwd: project.dir })
    assert.equal(fromConfig.code, 1)
    assert.equal(fromConfig.stderr, `hotcell: entry file not found: src/nope.ts, named by hotcell.config.ts: entry (looked in ${project.dir}).\n`)
    const fromArgument = await runCli(['nope.ts'], { cwd: project.dir })
    assert.equal(fromArgument.code, 1)
    assert.equal(fromArgument.stderr, `hotcell: entry file not found: nope.ts (looked in ${project.dir}).\n`)
    // A config file without an entry, and none on the command line: the file is named.
    project.write('hotcell.config.ts', `export default { port: 4305 }\n`)
    const noEntry = await runCli([], { cwd: project.dir })
    assert.equal(noEntry.code, 1)
    assert.equal(
      noEntry.stderr,
      "hotcell: missing the entry file: hotcell.config.ts has no entry. Add one to it (entry: 'src/app.ts'), or name it: hotcell src/app.ts\n",
    )
  })

  test('a promise of the options is awaited; a config file under a name not looked for, and a command word for the entry, say what to do', async () => {
    const project = projectDir({ 'app.ts': APP, 'hotcell.config.ts': `export default Promise.resolve({ entry: 'app.ts', port: 0, workers: 1 })\n` })
    cleanup(project.remove)
    const run = await startCli([], { cwd: project.dir })
    cleanup(() => run.stop())
    assert.equal((await request(run.url)).status, 200)
    assert.equal(await run.stop(), 0)
    rmSync(join(project.dir, 'hotcell.config.ts'))
    project.write('hotcell.config.json', '{ "entry": "app.ts" }\n')
    const unread = await runCli([], { cwd: project.dir })
    assert.equal(unread.code, 1)
    assert.match(
      unread.stderr,
      /hotcell\.config\.json is not read: hotcell looks for hotcell\.config\.ts, [^;]*; rename it, or name it with --config hotcell\.config\.json/,
    )
    const help = await runCli(['help'], { cwd: project.dir })
    assert.equal(help.code, 1)
    assert.match(help.stderr, /^hotcell: entry file not found: help \(looked in [^)]*\)\. [^\n]*for the options: hotcell --help\.\n$/)
  })

  test("import.meta and __dirname in a config file and its imports name their own source files, not the bundle's; it is not main", async () => {
    const project = projectDir({
      'apps/web/app.ts': APP,
      'apps/web/public/hello.txt': 'hello from public\n',
      'apps/web/lib/where.ts': 'export const where = import.meta.filename\n',
      'apps/web/hotcell.config.ts': `import { fileURLToPath } from 'node:url'
import { defineConfig } from 'hotcell'
import { where } from './lib/where.ts'
console.log('config meta:', import.meta.dirname === __dirname, import.meta.main, where)
export default defineConfig({ port: 0, workers: 1, static: fileURLToPath(new URL('./public', import.meta.url)) })
`,
    })
    cleanup(project.remove)
    const run = await startCli(['apps/web/app.ts'], { cwd: project.dir })
    cleanup(() => run.stop())
    assert.equal((await request(`${run.url}/hello.txt`)).text, 'hello from public\n')
    assert.ok(run.output().includes(`config meta: true false ${join(project.dir, 'apps/web/lib/where.ts')}`), run.output())
    // Nothing of the file moved: a throw below is still located on its own line.
    project.write('apps/web/hotcell.config.ts', `const here = import.meta.url\nif (here) throw new Error('after meta')\nexport default {}\n`)
    const failed = await runCli(['apps/web/app.ts'], { cwd: project.dir })
    assert.match(failed.stderr, /^apps\/web\/hotcell\.config\.ts:2:\d+$/m, failed.stderr)
    assert.ok(failed.stderr.includes("> 2 | if (here) throw new Error('after meta')"), failed.stderr)
  })

  test('a config file that throws is named with the line:column of its source and a code frame, without hotcell frames', async () => {
    const project = projectDir({ 'app.ts': APP })
    cleanup(project.remove)
    // Types and an import before the throw: the bundle's line and column are not the source's, so only the source map finds it.
    const line3 = `const port: Port = Number('4300'); if (port > 0) throw new Error('boom')`
    const cases: { name: string; source: string; where: RegExp; frame: string; message: string }[] = [
      {
        name: 'hotcell.config.ts',
        source: `import { defineConfig } from 'hotcell'\ntype Port = number\n${line3}\nexport default defineConfig({ port })\n`,
        where: new RegExp(`^hotcell\\.config\\.ts:3:${line3.indexOf('new Error') + 1}$`, 'm'),
        frame: `> 3 | ${line3}`,
        message: 'hotcell.config.ts threw while being loaded: boom',
      },
      {
        name: 'hotcell.config.mjs',
        source: `export default { port: 0 }\nconst settings = undefined\nexport const port = settings.port\n`,
        where: /^hotcell\.config\.mjs:3:\d+$/m,
        frame: '> 3 | export const port = settings.port',
        message: "hotcell.config.mjs threw while being loaded: TypeError: Cannot read properties of undefined (reading 'port')",
      },
      // A default export that is a function runs while loading too.
      {
        name: 'hotcell.config.ts',
        source: `import type { UserConfig } from 'hotcell'\nexport default (): UserConfig => {\n  throw new Error('later')\n}\n`,
        where: /^hotcell\.config\.ts:3:9$/m,
        frame: "> 3 |   throw new Error('later')",
        message: 'hotcell.config.ts threw while being loaded: later',
      },
    ]
    for (const { name, source, where, frame, message } of cases) {
      project.write(name, source)
      const result = await runCli(['app.ts'], { cwd: project.dir })
      rmSync(join(project.dir, name))
      assert.equal(result.code, 1, name)
      assert.ok(result.stderr.startsWith(`hotcell: ${message}\n`), `${name}: ${result.stderr}`)
      assert.match(result.stderr, where, name)
      assert.ok(result.stderr.includes(frame), `${name}: ${result.stderr}`)
      assert.doesNotMatch(result.stderr, /\n\s+at |\.hotcell[\\/]|dist[\\/]src|node:internal/, `${name}: no stack trace, no hotcell internals`)
    }
  })
})

async function waitForText(run: { output(): string }, pattern: RegExp): Promise<void> {
  await waitFor(() => pattern.test(run.output()), 10_000, `output matching ${pattern}`)
}
