// An entry that throws while imported: the stack the terminal and the pages
// show has the developer's frames and the packages' frames, not those of
// Node's module loader that ran the import (ModuleJob.run, Module._compile…).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { cleanup, projectDir, request, startCli, waitFor } from './helpers.js'

async function start(files: Record<string, string>) {
  // A package.json of its own: the bundle's bare imports resolve from this project's node_modules.
  const project = projectDir({ 'package.json': '{ "type": "module" }\n', ...files })
  cleanup(project.remove)
  const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
  cleanup(() => cli.stop())
  await waitFor(() => cli.output().includes('\nwhile importing app.ts\n'), 10_000, `the load error block\n${cli.output()}`)
  return cli
}

/** The terminal's error block, the text page and the browser page: the frame `shown`, and none of Node's internals. */
async function assertFrames(cli: { url: string; output(): string }, shown: RegExp) {
  const text = (await request(cli.url + '/', { headers: { accept: 'text/plain' } })).text
  const html = (await request(cli.url + '/', { headers: { accept: 'text/html' } })).text
  // The block that reports the load error, from its title to the entry's name.
  const block = /\d+ The entry threw while being imported\n[\s\S]*?\nwhile importing app\.ts\n/.exec(cli.output())?.[0] ?? cli.output()
  for (const [where, body] of [
    ['terminal', block],
    ['text page', text],
    ['browser page', html],
  ] as const) {
    assert.match(body, shown, `${where}:\n${body}`)
    assert.doesNotMatch(body, /node:internal\//, `${where}:\n${body}`)
  }
}

describe("a load error's stack", () => {
  test('a top-level throw in a module the entry imports: its frame, without the loader under it', async () => {
    const cli = await start({
      'app.ts': 'import { greeting } from "./config.ts"\nexport default { fetch: () => new Response(greeting) }\n',
      'config.ts': 'export const greeting = "hi"\nthrow new Error("no config")\n',
    })
    await assertFrames(cli, /config\.ts:2:7/)
  })

  test("a CommonJS package that throws when required: the package's frame stays, Node's CommonJS loader goes", async () => {
    const cli = await start({
      'app.ts': 'import thrower from "thrower"\nexport default { fetch: () => new Response(String(thrower)) }\n',
      'node_modules/thrower/package.json': '{ "name": "thrower", "main": "index.js" }\n',
      'node_modules/thrower/index.js': 'module.exports = 1\nthrow new Error("package failed")\n',
    })
    await assertFrames(cli, /node_modules\/thrower\/index\.js:2:7/)
  })

  test("a name the package does not export: the line that imports it, which Node's SyntaxError does not name", async () => {
    const cli = await start({
      'app.ts': 'import { there, notThere } from "lib"\nexport default { fetch: () => new Response(String(there) + String(notThere)) }\n',
      'node_modules/lib/package.json': '{ "name": "lib", "type": "module", "exports": "./index.js" }\n',
      'node_modules/lib/index.js': 'export const there = 1\n',
    })
    await assertFrames(cli, /app\.ts:1:17/)
  })

  test('a package that throws is reported once, as the load error: the standby that preloads it does not report it again', async () => {
    const project = projectDir({
      'package.json': '{ "type": "module" }\n',
      'app.ts': 'import thrower from "thrower"\nexport default { fetch: () => new Response(String(thrower)) }\n',
      'node_modules/thrower/package.json': '{ "name": "thrower", "main": "index.js" }\n',
      'node_modules/thrower/index.js': 'module.exports = 1\nthrow new Error("package failed")\n',
    })
    cleanup(project.remove)
    const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
    cleanup(() => cli.stop())
    await waitFor(() => cli.output().includes('\nwhile importing app.ts\n'), 10_000, `the load error block\n${cli.output()}`)
    // The standby that serves this save imported the old bundle's packages while it waited; whatever
    // it reported then reached the terminal before its answer (one message port, in order).
    project.write('app.ts', 'export default { fetch: () => new Response("without the package") }\n')
    await waitFor(async () => (await request(cli.url + '/')).text === 'without the package', 10_000, `the fixed app\n${cli.output()}`)
    assert.equal(cli.output().match(/package failed/g)?.length, 1, cli.output())
    assert.doesNotMatch(cli.output(), /nobody handled/, cli.output())
  })
})
