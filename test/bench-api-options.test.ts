// bench()'s cwd, config file and AbortSignal: what a script running it from
// elsewhere (a monorepo's root, a CI step) and stopping it (a deadline, Ctrl-C
// of its own) needs. Real servers, the undici generator; never speed.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { bench, type LogEntry } from '../src/index.js'
import { cleanup, fixture, projectDir, rejectsEach, withDeadline } from './helpers.js'

const SHORT = { duration: 200, warmup: 0, connections: 2, workers: 1, generator: 'undici' } as const

/** The app's lines that write the URL it was first asked for (its server's address) to ./url. */
const TELLS_URL = [
  "import { writeFileSync } from 'node:fs'",
  'let told = false',
  "const tell = (request: Request) => told || (told = true, writeFileSync(new URL('./url', import.meta.url), request.url))",
]

/** A project whose app answers GREETING, which only its config file's env file sets. */
function greetingProject() {
  const project = projectDir({
    'package.json': '{ "type": "module" }\n',
    'hotcell.config.ts': "export default { envFile: 'config.env', port: 4321 }\n",
    'config.env': 'GREETING=from-the-config-file\n',
    'other.env': 'GREETING=given\n',
    'app.ts': [...TELLS_URL, "export default { fetch: (request: Request) => (tell(request), new Response(process.env.GREETING ?? 'none')) }", ''].join('\n'),
  })
  cleanup(project.remove)
  return project
}

/** Nothing listens any more where the app was served: bench() closed the server it started. */
async function closed(project: { dir: string }): Promise<boolean> {
  const { port } = new URL(readFileSync(join(project.dir, 'url'), 'utf8'))
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'))
  })
}

const isAbort = (reason: unknown) => (error: unknown) => {
  assert.ok(error instanceof Error, String(error))
  assert.equal(error.name, 'AbortError')
  assert.equal((error as Error & { code?: string }).code, 'ABORT_ERR')
  assert.equal(error.cause, reason)
  return true
}

describe('bench() options: cwd, config, signal', () => {
  test('cwd: the entry is read from it, and the config file found there applies under the options given; config: false reads none', async () => {
    const project = greetingProject()
    const bodyOf = async (options: object) => {
      const doc = await withDeadline(bench({ entry: 'app.ts', cwd: project.dir, ...SHORT, ...options }), 60_000, 'bench()')
      assert.equal(doc.checks[0]!.entry, 'app.ts')
      return doc.checks[0]!.bodyBytes
    }
    assert.equal(await bodyOf({}), 'from-the-config-file'.length)
    assert.equal(await bodyOf({ envFile: 'other.env' }), 'given'.length)
    assert.equal(await bodyOf({ config: false }), 'none'.length)
    assert.equal(await bodyOf({ config: 'hotcell.config.ts' }), 'from-the-config-file'.length)
  })

  test('signal aborted during a timed run: the load stops, the server closes, an AbortError', async () => {
    const project = greetingProject()
    const controller = new AbortController()
    const reason = new Error('the CI step is out of time')
    // A 60 s run, aborted as it begins: only the abort ends it within the deadline.
    const log = (entry: LogEntry) => {
      if (/\[1\/1\] A /.test(entry.text)) setTimeout(() => controller.abort(reason), 300)
    }
    const run = bench({ entry: 'app.ts', cwd: project.dir, ...SHORT, duration: '60s', signal: controller.signal, log })
    await withDeadline(assert.rejects(run, isAbort(reason)), 20_000, 'bench() to reject once aborted')
    assert.ok(await closed(project), 'the server bench() started was closed before it rejected')
  })

  test('signal aborted while the check waits for a handler that never answers: rejects at once, the server closed', async () => {
    const project = greetingProject()
    project.write('app.ts', [...TELLS_URL, 'export default { fetch: (request: Request) => (tell(request), new Promise<Response>(() => {})) }', ''].join('\n'))
    const controller = new AbortController()
    // Said once the check has waited 2 s (check.ts): the handler is under way.
    const log = (entry: LogEntry) => {
      if (/checking GET \/ on A/.test(entry.text)) controller.abort()
    }
    const run = bench({ entry: 'app.ts', cwd: project.dir, ...SHORT, signal: controller.signal, log })
    // Without the abort, the check would wait for the 30 s limit and 5 s more.
    await withDeadline(
      assert.rejects(run, (error: unknown) => isAbort(controller.signal.reason)(error)),
      15_000,
      'bench() to reject once aborted',
    )
    assert.ok(await closed(project), 'the server bench() started was closed before it rejected')
  })

  test('a signal aborted already: an AbortError before any server starts', async () => {
    const reason = new Error('never mind')
    const run = bench({ entry: fixture('bench-hello.ts'), ...SHORT, signal: AbortSignal.abort(reason) })
    await withDeadline(assert.rejects(run, isAbort(reason)), 5_000, 'bench() to reject')
  })

  test('bad cwd, config and signal: a HotcellError naming the option', async () => {
    const project = greetingProject()
    const cases: [object, string, RegExp][] = [
      [{ entry: 'app.ts', cwd: join(project.dir, 'nope') }, 'ERR_INVALID_OPTION', /^cwd must be a folder, but .*nope is not found$/],
      [{ entry: 'app.ts', cwd: join(project.dir, 'app.ts') }, 'ERR_INVALID_OPTION', /^cwd must be a folder, but .*app\.ts is a file$/],
      [{ entry: 'app.ts', cwd: 3 }, 'ERR_INVALID_OPTION', /^cwd must name a folder \(got 3\)$/],
      [{ entry: 'app.ts', cwd: project.dir, config: true }, 'ERR_INVALID_OPTION', /^config must be the path of a config file, or false/],
      [{ entry: 'app.ts', cwd: project.dir, config: 'missing.config.ts' }, 'ERR_CONFIG_FILE', /^config file not found: missing\.config\.ts/],
      [{ entry: 'app.ts', cwd: project.dir, signal: 'stop' }, 'ERR_INVALID_OPTION', /^signal must be an AbortSignal/],
      // Relative to cwd, not to process.cwd(): not found there.
      [{ entry: 'app.ts' }, 'ERR_ENTRY_NOT_FOUND', /^entry file not found/],
    ]
    await rejectsEach((options) => bench(options as Parameters<typeof bench>[0]), cases)
    // A bad value in the config file is named with the file.
    project.write('hotcell.config.ts', "export default { bodyLimit: 'lots' }\n")
    await assert.rejects(bench({ entry: 'app.ts', cwd: project.dir, ...SHORT }), /^HotcellError: hotcell\.config\.ts: bodyLimit /)
  })
})
