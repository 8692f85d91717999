// Where serve()'s log goes. `quiet` is the CLI's --quiet: no request lines,
// errors still printed. `log: false` prints nothing (a test that expects a
// 500 keeps the error block out of its output); a function gets every entry.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, test } from 'node:test'
import { serve, type LogEntry } from '../src/index.js'
import { mustBeKnownKeys } from '../src/config/resolve-config.js'
import { cleanup, projectDir, request, ROOT, waitFor } from './helpers.js'

const failing = `export default { fetch() { throw new Error('expected failure under test') } }\n`

/** A process that serves `app.ts` with `options`, asks for / and closes: what it printed. */
function printed(options: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = `import { serve } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist/src/index.js')).href)}
const server = await serve({ entry: 'app.ts', port: 0, reload: false, ${options} })
const status = (await fetch(server.url)).status
await server.close()
if (status !== 500) throw new Error('status ' + status)
`
  const project = projectDir({ 'app.ts': failing, 'run.mjs': script })
  cleanup(project.remove)
  return new Promise((resolve) => {
    execFile(process.execPath, ['run.mjs'], { cwd: project.dir, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error.code as number | null) ?? null) : 0, stdout, stderr })
    })
  })
}

describe("serve()'s log", () => {
  test('log: false prints nothing, not even the error block of a failed request; quiet alone still prints it', async () => {
    const [silent, quiet] = await Promise.all([printed('log: false'), printed('quiet: true')])
    assert.deepEqual(silent, { code: 0, stdout: '', stderr: '' })
    assert.equal(quiet.code, 0, quiet.stderr)
    assert.equal(quiet.stdout, '')
    assert.match(quiet.stderr, /Error: expected failure under test/)
  })

  test('log: a function gets the entries, each whole: the error block with its stack and code frame, the request lines', async () => {
    const project = projectDir({ 'app.ts': failing })
    cleanup(project.remove)
    const entries: LogEntry[] = []
    const server = await serve({ entry: join(project.dir, 'app.ts'), port: 0, reload: false, log: (entry) => entries.push(entry) })
    cleanup(() => server.close())
    assert.equal((await request(`${server.url}/boom`)).status, 500)
    const line = await waitFor(() => entries.find((entry) => entry.level === 'info' && / GET \/boom 500 /.test(entry.text)), 10_000, 'the request line')
    assert.doesNotMatch(line.text, /\n/)
    const block = entries.find((entry) => entry.level === 'error')
    assert.ok(block, JSON.stringify(entries))
    assert.match(block.text, /Error: expected failure under test\n/)
    assert.match(block.text, /> 1 \| export default/)
    // No colours and no final newline: the text as the terminal shows it.
    assert.ok(!block.text.includes('\u001b[') && !block.text.endsWith('\n'), JSON.stringify(block.text))
  })

  test('log must be false or a function', async () => {
    const project = projectDir({ 'app.ts': failing })
    cleanup(project.remove)
    // A server that started anyway is closed: the test fails, it does not hang.
    const started = serve({ entry: join(project.dir, 'app.ts'), port: 0, log: true as never })
    started.then((server) => cleanup(() => server.close())).catch(() => {})
    await assert.rejects(
      started,
      (error: Error & { code?: string }) => error.code === 'ERR_INVALID_OPTION' && /^log must be false \(print nothing\) or a function/.test(error.message),
    )
  })

  test('a config file cannot hold log: it is an option of serve() only', () => {
    assert.throws(() => mustBeKnownKeys({ log: false }, 'hotcell.config.ts: '), { message: 'hotcell.config.ts: "log" is an option of serve() only' })
  })
})
