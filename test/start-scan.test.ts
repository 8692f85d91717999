// The first build runs beside the watcher's first scan instead of after it:
// what is saved before the scan ends (and so has no event) must still be built.
// The scan is held still by making its stat calls in the project wait.
import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { serve } from '../src/index.js'
import { RELOAD_CHANNEL } from '../src/reload/trace.js'
import { holdScan } from './hold-scan.js'
import { cleanup, projectDir, request, waitFor, withDeadline } from './helpers.js'

/** What this process writes to stderr until the returned function is called. */
function captureStderr(): () => string {
  const write = process.stderr.write
  let text = ''
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    text += String(chunk)
    return write.call(process.stderr, chunk, ...rest)
  }) as typeof process.stderr.write
  const stop = () => {
    process.stderr.write = write
    return text
  }
  cleanup(stop)
  return stop
}

/** Resolves when the first build of this process (from now) has read its files. */
function firstBuilt(): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      if ((message as { phase: string }).phase !== 'built') return
      unsubscribe(RELOAD_CHANNEL, onMessage)
      resolve()
    }
    subscribe(RELOAD_CHANNEL, onMessage)
  })
}

const text = async (url: string) => (await request(url)).text

/** Starts `project`'s app.ts with the watcher's scan held, and returns once its first build ended. */
async function startWithScanHeld(project: ReturnType<typeof projectDir>) {
  cleanup(project.remove)
  const scan = holdScan(project.dir)
  // The port is known only once serve() resolves: the first build's end is seen on its channel.
  const built = firstBuilt()
  const starting = serve({ entry: join(project.dir, 'app.ts'), port: 0, workers: 1, quiet: !process.env.DEBUG_HOTCELL })
  cleanup(async () => (await starting).close())
  await waitFor(() => scan.held() > 0, 15_000, 'the scan to start')
  await withDeadline(built, 15_000, 'the first build')
  return { scan, starting }
}

describe('the first build beside the watcher scan', () => {
  test('an edit saved after the first build read the file, before the scan ended, is built', async () => {
    const project = projectDir({ 'app.ts': `export default { fetch: () => new Response('v0') }\n` })
    const { scan, starting } = await startWithScanHeld(project)
    project.write('app.ts', `export default { fetch: () => new Response('v1') }\n`)
    scan.release()
    const server = await withDeadline(starting, 15_000, 'serve()')
    await waitFor(async () => (await text(server.url)) === 'v1', 10_000, 'the edit to be served')
  })

  test('a failed first build is built again once the scan ends: a file added meanwhile fixes it', async () => {
    const project = projectDir({ 'app.ts': `import { word } from './word'\nexport default { fetch: () => new Response(word) }\n` })
    const { scan, starting } = await startWithScanHeld(project)
    project.write('word.ts', `export const word = 'found'\n`)
    scan.release()
    const server = await withDeadline(starting, 15_000, 'serve()')
    assert.equal(server.info.problem, undefined)
    assert.equal(await text(server.url), 'found')
  })

  test('a failed first build that nothing fixed shows its error once', async () => {
    const project = projectDir({ 'app.ts': `import { word } from './word'\nexport default { fetch: () => new Response(word) }\n` })
    cleanup(project.remove)
    const scan = holdScan(project.dir)
    const stderr = captureStderr()
    const built = firstBuilt()
    const starting = serve({ entry: join(project.dir, 'app.ts'), port: 0, workers: 1, quiet: true })
    cleanup(async () => (await starting).close())
    await waitFor(() => scan.held() > 0, 15_000, 'the scan to start')
    await withDeadline(built, 15_000, 'the first build')
    scan.release()
    const server = await withDeadline(starting, 15_000, 'serve()')
    const shown = stderr().match(/Could not resolve "\.\/word"/g) ?? []
    assert.equal(shown.length, 1)
    assert.equal((await request(server.url)).status, 500)
    // The watcher runs: the fix is built.
    project.write('word.ts', `export const word = 'later'\n`)
    await waitFor(async () => (await text(server.url)) === 'later', 10_000, 'the fix to be served')
  })
})
