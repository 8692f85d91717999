// After a start whose code does not serve, the error comes first and the last
// line says what the server serves now and what to do. A reload that brings
// broken code says so in its one reload line.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { cleanup, projectDir, request, startCli, waitFor } from './helpers.js'

async function start(source: string, ...flags: string[]) {
  const project = projectDir({ 'app.ts': source })
  cleanup(project.remove)
  const cli = await startCli(['app.ts', '--port', '0', '--workers', '1', ...flags], { cwd: project.dir })
  cleanup(() => cli.stop())
  return { project, cli }
}

/** The line after the banner is the last one, and it is `expected`. */
async function endsWith(cli: { output(): string; url: string }, expected: string): Promise<void> {
  await waitFor(() => cli.output().includes(expected), 10_000, `the line: ${expected}\n${cli.output()}`)
  const lines = cli.output().trimEnd().split('\n')
  assert.equal(lines.at(-1), expected, cli.output())
  assert.ok(lines.findIndex((l) => l.startsWith('hotcell ready on')) < lines.length - 1)
}

describe('the last line after a failed start', () => {
  test('a syntax error: the build error page, and the line to fix', async () => {
    const { cli } = await start('export default {\n  fetch: () => new Response("hi"),\n  oops: ,\n}\n')
    await endsWith(cli, `✘ serving the build error page on ${cli.url} — fix app.ts:3 and save`)
    // The banner does not give the failed build a time as if it had worked.
    assert.match(cli.output(), / · 1 worker · first build failed\n/)
  })

  test('an entry that throws while imported: the error page, and its line', async () => {
    const { cli } = await start('const config = JSON.parse("{")\nexport default { fetch: () => new Response(String(config)) }\n')
    await endsWith(cli, `✘ serving the error page on ${cli.url} — fix app.ts:1 and save`)
    // The terminal's block has the page's title, and names the entry where a request would be.
    assert.match(cli.output(), /500 The entry threw while being imported\n/)
    assert.match(cli.output(), /\nwhile importing app\.ts\n/)
  })

  test('a package that is not installed: the command that installs it; no r key offered, as stdin is not a terminal', async () => {
    const { cli } = await start("import nope from 'not-installed-anywhere'\nexport default { fetch: () => new Response(nope) }\n")
    await endsWith(
      cli,
      `✘ serving the error page on ${cli.url} — run npm install not-installed-anywhere; hotcell reloads when package.json changes (or save any source file)`,
    )
  })

  test('no handler exported: what to export', async () => {
    const { cli } = await start('export const handler = () => new Response("hi")\n')
    await endsWith(cli, `✘ serving the error page on ${cli.url} — export a handler from app.ts and save`)
  })

  test('with --no-reload, a save changes nothing: the line says to restart', async () => {
    const { cli } = await start('export const handler = () => new Response("hi")\n', '--no-reload')
    await endsWith(cli, `✘ serving the error page on ${cli.url} — export a handler from app.ts and restart hotcell (reloading is off)`)
  })

  test('an entry whose import never ends: the error page once the import timed out, once, and the save that fixes it is served', async () => {
    const project = projectDir({ 'app.ts': 'while (true) {}\nexport default { fetch: () => new Response("never") }\n' })
    cleanup(project.remove)
    // The import timeout is 10 s; the start used to run the hung import a second time before it said it was ready.
    const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir, readyMs: 60_000 })
    cleanup(() => cli.stop())
    await endsWith(cli, `✘ serving the error page on ${cli.url} — fix app.ts:1 and save`)
    assert.equal(cli.output().match(/ImportTimeoutError: /g)?.length, 1, cli.output())
    // The build was good: the banner gives its time.
    assert.match(cli.output(), / · 1 worker · first build [\d.]+ ms\n/)
    project.write('app.ts', 'export default { fetch: () => new Response("fixed") }\n')
    await waitFor(
      () => /↻ app\.ts changed(?: · waited [^·]+)? · build [\d.]+ ms · load [\d.]+ ms · generation 1 serving/.test(cli.output()),
      20_000,
      `the fix\n${cli.output()}`,
    )
    assert.equal((await request(cli.url)).text, 'fixed')
  })

  test('a good start has no such line', async () => {
    const { cli } = await start('export default { fetch: () => new Response("hi") }\n')
    await waitFor(() => /first build [\d.]+ ms\n/.test(cli.output()), 10_000, 'the banner')
    assert.doesNotMatch(cli.output(), /✘/)
  })
})

describe('the reload line of a reload that brings broken code', () => {
  test('build failed at the place, and what is served until the next good build', async () => {
    const good = 'export default { fetch: () => new Response("one") }\n'
    const { project, cli } = await start(good)
    project.write('app.ts', `${good}export const x = (\n`)
    await waitFor(
      () => /↻ app\.ts changed · build failed at app\.ts:2:19 · serving the build error page until the next good build\n/.test(cli.output()),
      20_000,
      `the failed reload line\n${cli.output()}`,
    )
    assert.equal((await request(cli.url)).status, 500)
    project.write('app.ts', good.replace('one', 'two'))
    await waitFor(
      () => /↻ app\.ts changed(?: · waited [^·]+)? · build [\d.]+ ms · load [\d.]+ ms · generation \d+ serving/.test(cli.output()),
      20_000,
      `the good reload line\n${cli.output()}`,
    )
    project.write('app.ts', 'throw new Error("at import")\nexport default { fetch: () => new Response("x") }\n')
    await waitFor(
      () => /↻ app\.ts changed · the entry threw while being imported at app\.ts:1:\d+ · serving the error page until the next good build\n/.test(cli.output()),
      20_000,
      `the failed import line\n${cli.output()}`,
    )
  })

  test('the same import failure again (another save that does not fix it): its error block is printed once', async () => {
    const good = 'export default { fetch: () => new Response("one") }\n'
    const { project, cli } = await start(good)
    project.write('lib.ts', 'throw new Error("lib fails at import")\nexport const x = 1\n')
    project.write('app.ts', `import { x } from './lib.ts'\n${good}`)
    await waitFor(() => /the entry threw while being imported at lib\.ts:1/.test(cli.output()), 20_000, `the failed import line\n${cli.output()}`)
    // A save of the entry that leaves lib.ts failing the same way.
    project.write('app.ts', `import { x } from './lib.ts'\n// touched\n${good}`)
    await waitFor(
      () => (cli.output().match(/the entry threw while being imported at lib\.ts:1/g)?.length ?? 0) >= 2,
      20_000,
      `a second reload line\n${cli.output()}`,
    )
    assert.equal(cli.output().match(/Error: lib fails at import/g)?.length, 1, cli.output())
  })

  test('the same build error again (a save of another file, or a save whose second event builds again): printed once, then one line says so', async () => {
    const good = 'export default { fetch: () => new Response("one") }\n'
    // x is used: TypeScript drops an import nobody reads, and lib.ts would not be built.
    const uses = 'export default { fetch: () => new Response("one" + x) }\n'
    const { project, cli } = await start(good)
    project.write('lib.ts', 'export const x = (\n')
    project.write('app.ts', `import { x } from './lib.ts'\n${uses}`)
    await waitFor(() => /build failed at lib\.ts:1:19 · serving/.test(cli.output()), 20_000, `the failed build line\n${cli.output()}`)
    project.write('app.ts', `import { x } from './lib.ts'\n// touched\n${uses}`)
    await waitFor(
      () =>
        /↻ app\.ts changed · build failed at lib\.ts:1:19, the same error as above · serving the build error page until the next good build\n/.test(
          cli.output(),
        ),
      20_000,
      `the second reload line\n${cli.output()}`,
    )
    assert.equal(cli.output().match(/\[ERROR\] Unexpected end of file/g)?.length, 1, cli.output())
  })
})
