// An atomic save (sed -i, an editor's safe write: write a temporary file,
// rename it over the source) is one build. Its first raw event starts the
// build; the others (the replaced inode's own watch) and chokidar's change a
// few ms later are the same save, told by the file being as it was when
// reported. They used to start a second build of the same save, which on a
// 300-module workspace lib doubled every reload (trial s23 #11).
import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { serve } from '../src/index.js'
import { RELOAD_CHANNEL } from '../src/reload/trace.js'
import { cleanup, projectDir, request, waitFor } from './helpers.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

test('each atomic save (write a temporary file, rename it over the source) is built once', async () => {
  const project = projectDir({
    'package.json': '{ "type": "module" }\n',
    'app.ts': "import { value } from './value.ts'\nexport default { fetch: () => new Response(String(value)) }\n",
    'value.ts': 'export const value = 0\n',
  })
  cleanup(project.remove)
  const server = await serve({ entry: join(project.dir, 'app.ts'), port: 0, workers: 1, log: false })
  cleanup(() => server.close())
  let builds = 0
  const onMessage = (message: unknown) => {
    if ((message as { phase?: string }).phase === 'build') builds++
  }
  subscribe(RELOAD_CHANNEL, onMessage)
  cleanup(() => unsubscribe(RELOAD_CHANNEL, onMessage))

  for (let value = 1; value <= 4; value++) {
    const before = builds
    writeFileSync(join(project.dir, 'value.ts.tmp'), `export const value = ${value}\n`)
    renameSync(join(project.dir, 'value.ts.tmp'), join(project.dir, 'value.ts'))
    await waitFor(async () => (await request(server.url)).text === String(value), 10_000, `value ${value} served`)
    // chokidar's change of the save comes within its 100 ms window for atomic writes: a second build would have begun by then.
    await sleep(400)
    assert.equal(builds - before, 1, `save ${value}: ${builds - before} builds`)
  }
})
