// Code from before a save that throws after it: a request in flight across
// the save, and a timer of the generation retiring then. Its stack's line
// numbers are right for the code that ran; its code frame must show that
// code too, not the lines now at those numbers in the saved file, and say
// that the file has changed since (ran-source.ts). On the text page, the
// browser page and in the terminal.
import assert from 'node:assert/strict'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { type CliRun, projectDir, request, startCli, waitFor } from './helpers.js'

describe('an error thrown by the code before a save', () => {
  const project = projectDir({})
  const marker = (name: string) => JSON.stringify(join(project.dir, name))
  // Each request holds until the test writes `release`; the timer throws once the test writes `fire`.
  const before_ = [
    "import { existsSync, writeFileSync } from 'node:fs'",
    'let fired = false',
    'setInterval(() => {',
    `  if (fired || !existsSync(${marker('fire')})) return`,
    '  fired = true',
    "  Promise.reject(new Error('old timer failed'))",
    '}, 10)',
    'export default {',
    '  async fetch(request: Request) {',
    `    writeFileSync(${marker('started')} + new URL(request.url).pathname.slice(1), '')`,
    `    while (!existsSync(${marker('release')})) await new Promise((r) => setTimeout(r, 10))`,
    "    throw new Error('old code failed here')",
    '  },',
    '}',
    '',
  ].join('\n')
  // Three lines added at the top, and other lines where the old code's were: a frame read from disk shows those.
  const saved = [
    '// a comment added at the top',
    '// a second one',
    '// a third one',
    "export default { fetch: () => new Response('new code') }",
    ...Array.from({ length: 14 }, (_, i) => `// filler line ${i + 5}`),
    '',
  ].join('\n')
  let cli: CliRun
  before(async () => {
    project.write('package.json', '{ "private": true, "type": "module" }\n')
    project.write('app.ts', before_)
    cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
  })
  after(async () => {
    await cli?.stop()
    project.remove()
  })

  test('the request in flight across the save, and the timer of the generation retiring then, show the lines that ran', async () => {
    const text = request(`${cli.url}/text`, { timeoutMs: 20_000 })
    const html = request(`${cli.url}/html`, { headers: { accept: 'text/html' }, timeoutMs: 20_000 })
    await waitFor(() => existsSync(join(project.dir, 'startedtext')) && existsSync(join(project.dir, 'startedhtml')), 10_000, 'both requests to begin')
    project.write('app.ts', saved)
    await waitFor(() => /generation 2 serving/.test(cli.output()), 10_000, 'the saved code to serve')
    assert.equal((await request(cli.url)).text, 'new code')

    // The old generation is still running the two requests (until they end, or its grace of 5 s runs out): its timer throws now.
    writeFileSync(join(project.dir, 'fire'), '')
    await waitFor(() => /Error: old timer failed\n[\s\S]*\n\napp\.ts:6:18\n/.test(cli.output()), 10_000, "the terminal's report of the old timer's rejection")
    writeFileSync(join(project.dir, 'release'), '')
    const page = await text
    assert.equal(page.status, 500)
    const requestBlock =
      /Error: old code failed here\n {4}at Object\.fetch \(app\.ts:12:11\)\n(?: {4}… .*\n)?\napp\.ts:12:11\napp\.ts has changed since this code was loaded: these are the lines that ran\n[\s\S]*> 12 \| {5}throw new Error\('old code failed here'\)\n/
    assert.match(page.text, requestBlock)
    assert.ok(!page.text.includes('filler'), page.text)
    await waitFor(() => requestBlock.test(cli.output()), 10_000, "the terminal's report of the request's error, with its lines")
    assert.ok(!cli.output().includes('filler'), cli.output())

    const browser = await html
    assert.equal(browser.status, 500)
    assert.match(browser.headers['content-type'] ?? '', /^text\/html/)
    assert.match(browser.text, /app\.ts has changed since this code was loaded/)
    // The old code's lines around the throw: only its code frame shows them.
    assert.match(browser.text, /existsSync/)
    assert.ok(!browser.text.includes('filler'), 'the browser page shows the lines on disk now')

    const timerBlock =
      /Error: old timer failed\n {4}at .*\(app\.ts:6:18\)[\s\S]*?\n\napp\.ts:6:18\napp\.ts has changed since this code was loaded: these are the lines that ran\n[\s\S]*> 6 \| {3}Promise\.reject\(new Error\('old timer failed'\)\)\n/
    assert.match(cli.output(), timerBlock)
  })

  test('an error of the code serving, its file unchanged: the frame, without a note', async () => {
    project.write('app.ts', `${saved.replace("() => new Response('new code')", "() => { throw new Error('current code failed') }")}`)
    await waitFor(() => /generation 3 serving/.test(cli.output()), 10_000, 'the next save to serve')
    const page = await request(cli.url)
    assert.equal(page.status, 500)
    assert.match(page.text, /\n\napp\.ts:4:\d+\n {2}1 \| \/\/ a comment added at the top\n[\s\S]*> 4 \| export default \{ fetch: \(\) => \{ throw new Error/)
    assert.ok(!page.text.includes('has changed since'), page.text)
  })
})
