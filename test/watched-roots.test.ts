// Folders watched at the top (outside the entry's folder: ../gen, ../lib/deep)
// replaced or moved under the watcher (src/reload/watched-roots.ts): a code
// generator's `rm -rf gen && mkdir gen`, a parent folder renamed and back,
// a folder moved away and copied back. Each time the real folder's saves
// must be served, and a moved folder's must not stand in for them.
import { cpSync, mkdirSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { serve } from '../src/index.js'
import { cleanup, projectDir, request, waitFor } from './helpers.js'
import { text } from './reload-helpers.js'

async function serveSrc(files: Record<string, string>) {
  const project = projectDir({ 'package.json': '{ "type": "module" }\n', ...files })
  cleanup(project.remove)
  const server = await serve({ entry: join(project.dir, 'src/app.ts'), port: 0, workers: 1, quiet: !process.env.DEBUG_HOTCELL })
  cleanup(() => server.close())
  return { project, server, served: (expected: string, what: string) => waitFor(async () => (await text(server.url)) === expected, 15_000, what) }
}

describe('root folders replaced or moved', () => {
  test('a folder deleted and made again at once (a code generator) is still watched', async () => {
    const { project, served } = await serveSrc({
      'src/app.ts': "import { api } from '../gen/api'\nexport default { fetch: () => new Response(api) }\n",
      'gen/api.ts': "export const api = 'v0'\n",
    })
    await served('v0', 'the first build')
    for (const v of ['v1', 'v2', 'v3']) {
      rmSync(join(project.dir, 'gen'), { recursive: true })
      mkdirSync(join(project.dir, 'gen'))
      project.write('gen/api.ts', `export const api = '${v}'\n`)
      await served(v, `the regenerated ${v}`)
    }
    project.write('gen/api.ts', "export const api = 'edited'\n")
    await served('edited', 'an edit after the regenerations')
  })

  test('a folder whose parent is renamed: the import fails; renamed back, it is watched again; a copy at the old name is watched, not the moved folder', async () => {
    const { project, server, served } = await serveSrc({
      'src/app.ts': "import { x } from '../lib/deep/x'\nexport default { fetch: () => new Response(x) }\n",
      'lib/deep/x.ts': "export const x = 'one'\n",
    })
    await served('one', 'the first build')
    const move = (from: string, to: string) => renameSync(join(project.dir, from), join(project.dir, to))
    // No event comes for the move itself: the root is looked at once a second.
    move('lib', 'lib2')
    await waitFor(async () => (await request(server.url)).status === 500, 15_000, 'the unresolved import')
    move('lib2', 'lib')
    await served('one', 'the folder back')
    project.write('lib/deep/x.ts', "export const x = 'two'\n")
    await served('two', 'an edit in the folder moved back')
    move('lib', 'lib-old')
    cpSync(join(project.dir, 'lib-old'), join(project.dir, 'lib'), { recursive: true })
    project.write('lib/deep/x.ts', "export const x = 'three'\n")
    await served('three', 'an edit in the copy at the old name')
  })
})
