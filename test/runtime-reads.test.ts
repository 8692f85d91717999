// Files the app reads from disk while it runs (workers/file-reads.ts,
// src/reload/runtime-reads.ts): a view read for each request reloads the open
// tabs and nothing else; a file read at import reloads the workers; a file
// the app writes reloads nothing, even under a --watch path.
import assert from 'node:assert/strict'
import { mkdirSync, symlinkSync } from 'node:fs'
import { basename, join } from 'node:path'
import { describe, test } from 'node:test'
import { serve } from '../src/index.js'
import type { ReloadInfo } from '../src/index.js'
import { cleanup, openStream, projectDir, request, waitFor } from './helpers.js'

const APP = `import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
const greeting = readFileSync(join(import.meta.dirname, 'greeting.txt'), 'utf8').trim()
export default {
  fetch(request: Request) {
    const { pathname } = new URL(request.url)
    if (pathname === '/count') {
      const file = join(import.meta.dirname, 'data', 'count.json')
      const count = JSON.parse(readFileSync(file, 'utf8')).count + 1
      writeFileSync(file, JSON.stringify({ count }))
      return new Response(String(count))
    }
    const page = readFileSync(join(import.meta.dirname, 'views', 'page.html'), 'utf8').replace('GREETING', greeting)
    return new Response(page, { headers: { 'content-type': 'text/html' } })
  },
}
`
const TAB = { 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate', accept: 'text/html' }

async function start({ watchProject = false } = {}) {
  const project = projectDir({
    'package.json': '{ "type": "module" }\n',
    'app.ts': APP,
    'greeting.txt': 'hello\n',
    'views/page.html': '<!doctype html><html><body><h1>GREETING v1</h1></body></html>',
    'data/count.json': '{"count":0}',
  })
  cleanup(project.remove)
  const server = await serve({
    entry: join(project.dir, 'app.ts'),
    port: 0,
    workers: 1,
    quiet: !process.env.DEBUG_HOTCELL,
    ...(watchProject ? { watch: [project.dir] } : {}),
  })
  cleanup(() => server.close())
  const reloads: ReloadInfo[] = []
  server.on('reload', (info: ReloadInfo) => reloads.push(info))
  /** Open the page as a tab does, and its live-reload stream. */
  const tab = async () => {
    const page = await request(server.url + '/', { headers: TAB })
    const path = /EventSource\("(\/__hotcell\/live-reload\?token=[\w-]+&v=\d+)"\)/.exec(page.text)![1]!
    return { page, stream: await openStream(server, path) }
  }
  return { server, project, reloads, tab }
}

describe('files the app reads at run time', () => {
  test('a view read for each request: its save reloads the open tabs, not the workers, and the next request reads it', async () => {
    const { server, project, reloads, tab } = await start()
    const { page, stream } = await tab()
    assert.match(page.text, /hello v1/)
    project.write('views/page.html', '<!doctype html><html><body><h1>GREETING v2</h1></body></html>')
    await waitFor(() => stream.text().includes('event: reload'), 10_000, 'the tab reload')
    // A reload of the workers tells its listeners before the tabs: none came.
    assert.deepEqual(reloads, [])
    assert.match((await request(server.url + '/')).text, /hello v2/)
  })

  test('a file read at import: its save reloads the workers, which read it again', async () => {
    const { server, project, reloads, tab } = await start()
    const { stream } = await tab()
    project.write('greeting.txt', 'bonjour\n')
    await waitFor(() => reloads.length > 0, 10_000, 'a reload')
    assert.deepEqual(
      reloads[0]!.changed.map((path) => basename(path)),
      ['greeting.txt'],
    )
    assert.match((await request(server.url + '/')).text, /bonjour v1/)
    await waitFor(() => stream.text().includes('event: reload'), 10_000, 'the tab reload')
  })

  test('a file a workspace package reads at import, beside its code outside the app: its save reloads the workers', async () => {
    const project = projectDir({
      'package.json': '{ "name": "mono", "private": true, "workspaces": ["app", "packages/*"] }\n',
      'app/package.json': '{ "name": "app", "type": "module" }\n',
      'app/app.ts': "import { template } from '@acme/lib'\nexport default { fetch: () => new Response(template) }\n",
      'packages/lib/package.json': '{ "name": "@acme/lib", "type": "module", "exports": "./src/index.ts" }\n',
      'packages/lib/src/index.ts':
        "import { readFileSync } from 'node:fs'\nexport const template = readFileSync(new URL('../tpl.txt', import.meta.url), 'utf8').trim()\n",
      'packages/lib/tpl.txt': 'template v1\n',
    })
    cleanup(project.remove)
    // What npm install does: the workspace package linked into the root's node_modules.
    mkdirSync(join(project.dir, 'node_modules/@acme'), { recursive: true })
    symlinkSync(join(project.dir, 'packages/lib'), join(project.dir, 'node_modules/@acme/lib'), 'dir')
    const server = await serve({ entry: join(project.dir, 'app/app.ts'), port: 0, workers: 1, quiet: !process.env.DEBUG_HOTCELL })
    cleanup(() => server.close())
    assert.equal((await request(server.url + '/')).text, 'template v1')
    const reloads: ReloadInfo[] = []
    server.on('reload', (info: ReloadInfo) => reloads.push(info))
    // The worker's report of the read may reach the main thread after the response: saved again until it is watched.
    // (The watch of the package's folder, new at the start, may also report its files written just before: other reloads.)
    const tplReload = () => reloads.some((info) => info.changed.some((path) => basename(path) === 'tpl.txt'))
    await waitFor(
      () => {
        if (!tplReload()) project.write('packages/lib/tpl.txt', 'template v2\n')
        return tplReload()
      },
      10_000,
      'a reload for tpl.txt',
      250,
    )
    assert.equal((await request(server.url + '/')).text, 'template v2')
  })

  test('a file the app writes (and reads) reloads nothing, even under --watch: it is the app’s data', async () => {
    const { server, project, reloads } = await start({ watchProject: true })
    for (let i = 1; i <= 3; i++) assert.equal((await request(server.url + '/count')).text, String(i))
    // A real edit after the writes: the only reload there is.
    project.write('app.ts', APP.replace('GREETING', 'GREETING!'))
    await waitFor(() => reloads.length > 0, 10_000, 'the reload of app.ts')
    assert.equal((await request(server.url + '/count')).text, '4', 'the data survived: nothing reset it')
    assert.deepEqual(
      reloads.flatMap((info) => info.changed.map((path) => basename(path))),
      ['app.ts'],
    )
  })
})
