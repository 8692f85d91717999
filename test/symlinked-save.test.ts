// A file reached through a symlinked folder (src/linked → ../real-lib) has two
// paths the watcher reports: one save is one file changed, named by the path
// through the link, which is the one the code imports (reload/one-name-per-file.ts).
import assert from 'node:assert/strict'
import { mkdirSync, rmSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { serve } from '../src/index.js'
import type { ReloadInfo } from '../src/reload/reload-info.js'
import { oneNamePerFile } from '../src/reload/one-name-per-file.js'
import { cleanup, projectDir, request, waitFor } from './helpers.js'

describe('a save through a symlinked folder', () => {
  test('is one file changed, not one per path', async () => {
    const project = projectDir({
      'src/app.ts': "import { greet } from './linked/greet'\nexport default { fetch: () => new Response(greet()) }\n",
      'real-lib/greet.ts': "export const greet = () => 'v1'\n",
    })
    cleanup(project.remove)
    symlinkSync(join(project.dir, 'real-lib'), join(project.dir, 'src/linked'), 'dir')
    const server = await serve({ entry: 'src/app.ts', cwd: project.dir, port: 0, workers: 1, quiet: true })
    cleanup(() => server.close())
    assert.equal((await request(server.url)).text, 'v1')
    const reloads: ReloadInfo[] = []
    server.on('reload', (info: ReloadInfo) => reloads.push(info))
    project.write('real-lib/greet.ts', "export const greet = () => 'v2'\n")
    await waitFor(() => reloads.some((info) => info.ok), 20_000, 'the reload')
    assert.equal((await request(server.url)).text, 'v2')
    // Both paths' events may come in one poll or in two (the second then finds the same bundle: no reload).
    const named = reloads.flatMap((info) => info.changed)
    assert.equal(named.length, 1, JSON.stringify(reloads))
    assert.ok(['src/linked/greet.ts', 'real-lib/greet.ts'].includes(named[0]!), named[0])
  })

  test("one path per file, the link's kept in either order; a deleted file too; other reasons stay", () => {
    const project = projectDir({ 'real-lib/greet.ts': '', 'real-lib/gone.ts': '', 'src/other.ts': '' })
    cleanup(project.remove)
    mkdirSync(join(project.dir, 'src'), { recursive: true })
    symlinkSync(join(project.dir, 'real-lib'), join(project.dir, 'src/linked'), 'dir')
    const [link, real] = [join(project.dir, 'src/linked/greet.ts'), join(project.dir, 'real-lib/greet.ts')]
    const other = join(project.dir, 'src/other.ts')
    assert.deepEqual(oneNamePerFile([link, real, other]), [link, other])
    assert.deepEqual(oneNamePerFile([real, other, link]), [link, other])
    assert.deepEqual(oneNamePerFile(['reload()', real]), ['reload()', real])
    rmSync(join(project.dir, 'real-lib/gone.ts'))
    assert.deepEqual(oneNamePerFile([join(project.dir, 'real-lib/gone.ts'), join(project.dir, 'src/linked/gone.ts')]), [
      join(project.dir, 'src/linked/gone.ts'),
    ])
  })
})
